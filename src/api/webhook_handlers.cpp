// Webhook subscriptions (admin): registration, pause/resume, secret
// rotation, deliveries and replay.
#include "handlers.hpp"

namespace helpdesk::api {
namespace {

// The secret only in the answers that create it.
json webhook_json(const store::webhooks::subscription& s, bool with_secret) {
  json out = {{"id", s.id},
              {"url", s.url},
              {"description", s.description},
              {"events", s.events},
              {"brands", s.brands},
              {"state", s.state},
              {"disabled_reason", opt_text(s.disabled_reason)},
              {"previous_secret_valid_until", opt_time(s.previous_secret_until)},
              {"created_at", format_rfc3339(s.created_at)},
              {"updated_at", format_rfc3339(s.updated_at)}};
  if (with_secret) out["secret"] = s.secret;
  return out;
}

json delivery_json(const store::webhooks::delivery_row& d) {
  json history = json::array();
  for (const auto& a : d.history)
    history.push_back({{"attempt", a.attempt},
                       {"at", format_rfc3339(a.at)},
                       {"status_code", a.status_code ? json(*a.status_code) : json(nullptr)},
                       {"latency_ms", a.latency_ms},
                       {"error", opt_text(a.error)},
                       {"worker", a.worker}});
  json payload = json::parse(d.body, nullptr, false);
  return {{"id", d.id},
          {"webhook_id", d.webhook_id},
          {"event_type", d.event_type},
          {"brand_id", d.brand_id},
          {"state", d.state},
          {"attempts", d.attempts},
          {"next_attempt_at", opt_time(d.next_attempt_at)},
          {"last_status", d.last_status ? json(*d.last_status) : json(nullptr)},
          {"last_error", opt_text(d.last_error)},
          {"created_at", format_rfc3339(d.created_at)},
          {"completed_at", opt_time(d.completed_at)},
          {"history", history},
          {"payload", payload.is_discarded() ? json(d.body) : payload}};
}

}  // namespace

HELPDESK_HANDLER(list_webhooks) {
  auto page = read_page(ctx);
  auto rows = co_await e.svc.webhooks.list(ctx.caller(), page_of(page));
  auto render = [](const store::webhooks::subscription& s) { return webhook_json(s, false); };
  co_return json_response(bhttp::status::ok, page_json(std::move(rows), page.limit, render), ctx.req.version());
}

HELPDESK_HANDLER(create_webhook) {
  const json doc = parse_json_body(ctx.req);
  field_reader in(doc, {"url", "events", "brands", "description"});
  in.required("url");
  in.required("events");
  app::webhook_draft d;
  d.url = in.string("url", 2000).value_or("");
  d.events = in.string_array("events", 50).value_or(std::vector<std::string>{});
  d.brands = in.string_array("brands", 200).value_or(std::vector<std::string>{});
  d.description = in.string("description", 500).value_or("");
  in.finish();
  auto made = co_await e.svc.webhooks.create(ctx.caller(), std::move(d));
  auto res = json_response(bhttp::status::created, webhook_json(made, true), ctx.req.version());
  res.set(bhttp::field::location, "/v1/webhooks/" + made.id);
  co_return res;
}

HELPDESK_HANDLER(get_webhook) {
  auto s = co_await e.svc.webhooks.get(ctx.caller(), std::string(ctx.param("id")));
  co_return json_response(bhttp::status::ok, webhook_json(s, false), ctx.req.version());
}

HELPDESK_HANDLER(patch_webhook) {
  const json doc = parse_json_body(ctx.req);
  field_reader in(doc, {"url", "events", "brands", "description", "state"});
  store::webhooks::subscription_edit edit;
  edit.url = in.string("url", 2000);
  edit.events = in.string_array("events", 50);
  edit.brands = in.string_array("brands", 200);
  edit.description = in.string("description", 500);
  edit.state = in.one_of("state", {"active", "paused"});
  in.finish();
  auto s = co_await e.svc.webhooks.update(ctx.caller(), std::string(ctx.param("id")), std::move(edit));
  co_return json_response(bhttp::status::ok, webhook_json(s, false), ctx.req.version());
}

HELPDESK_HANDLER(delete_webhook) {
  co_await e.svc.webhooks.remove(ctx.caller(), std::string(ctx.param("id")));
  co_return no_content_response(ctx.req.version());
}

HELPDESK_HANDLER(pause_webhook) {
  store::webhooks::subscription_edit edit;
  edit.state = "paused";
  auto s = co_await e.svc.webhooks.update(ctx.caller(), std::string(ctx.param("id")), std::move(edit));
  co_return json_response(bhttp::status::ok, webhook_json(s, false), ctx.req.version());
}

HELPDESK_HANDLER(resume_webhook) {
  store::webhooks::subscription_edit edit;
  edit.state = "active";
  auto s = co_await e.svc.webhooks.update(ctx.caller(), std::string(ctx.param("id")), std::move(edit));
  co_return json_response(bhttp::status::ok, webhook_json(s, false), ctx.req.version());
}

HELPDESK_HANDLER(rotate_webhook_secret) {
  auto s = co_await e.svc.webhooks.rotate_secret(ctx.caller(), std::string(ctx.param("id")));
  co_return json_response(bhttp::status::ok, webhook_json(s, true), ctx.req.version());
}

HELPDESK_HANDLER(list_webhook_deliveries) {
  auto page = read_page(ctx);
  auto rows = co_await e.svc.webhooks.deliveries(ctx.caller(), std::string(ctx.param("id")), page_of(page));
  co_return json_response(bhttp::status::ok, page_json(std::move(rows), page.limit, delivery_json), ctx.req.version());
}

HELPDESK_HANDLER(replay_webhook_delivery) {
  co_await e.svc.webhooks.replay(ctx.caller(), std::string(ctx.param("id")), std::string(ctx.param("did")));
  co_return json_response(bhttp::status::accepted, {{"replayed", true}}, ctx.req.version());
}

}  // namespace helpdesk::api
