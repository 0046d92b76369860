// The router for people: claim, release, transfer, hand over, pull, presence,
// callbacks, and why a ticket is where it is.
#include "handlers.hpp"

namespace helpdesk::api {
namespace {

// The ticket as it is after an action, for the answer.
awaitable<response> ticket_answer(env& e, request_context& ctx, const std::string& id,
                                  bhttp::status status = bhttp::status::ok) {
  auto t = co_await e.svc.support.ticket(ctx.caller(), id);
  auto res = json_response(status, ticket_json(t), ctx.req.version());
  res.set(bhttp::field::etag, "\"" + std::to_string(t.version) + "\"");
  co_return res;
}

json verdict_json(const app::candidate_view& c) {
  const auto ch = c.agent.capacity.size();
  json load = json::object(), capacity = json::object();
  for (std::size_t i = 0; i < ch; ++i) {
    const std::string name(routing::to_string(static_cast<routing::work_channel>(i)));
    load[name] = c.agent.load[i];
    capacity[name] = c.agent.capacity[i];
  }
  return {{"agent_id", c.agent.id},
          {"name", c.agent.name},
          {"presence", std::string(routing::to_string(c.agent.status))},
          {"eligible", c.why.eligible},
          {"reason", c.why.reason},
          {"language_score", c.why.language_score},
          {"skill_score", c.why.skill_score},
          {"primary", c.why.primary},
          {"load", load},
          {"capacity", capacity}};
}

json explanation_json(const app::routing_explanation& x) {
  const auto& t = x.ticket;
  json checks = json::array();
  for (const auto& c : x.queue_checks)
    checks.push_back({{"queue_id", c.queue_id}, {"name", c.name}, {"matched", c.matched}, {"reason", c.reason}});
  json candidates = json::array();
  for (const auto& c : x.candidates) candidates.push_back(verdict_json(c));
  json history = json::array();
  for (const auto& h : x.history)
    history.push_back(
        {{"kind", h.kind}, {"actor", h.actor}, {"at", format_rfc3339(h.at)}, {"data", json::parse(h.data_json)}});
  json queue = nullptr;
  if (x.queue) queue = {{"id", x.queue->id}, {"name", x.queue->name}, {"mode", std::string(routing::to_string(x.queue->mode))}};
  return {{"ticket_id", t.facts.id},
          {"status", t.status},
          {"assignee_id", t.assignee_id ? json(*t.assignee_id) : json(nullptr)},
          {"work_channel", std::string(routing::to_string(t.facts.channel))},
          {"language", t.facts.language.empty() ? json(nullptr) : json(t.facts.language)},
          {"queue", queue},
          {"queue_checks", checks},
          {"matching_queue_id", x.matching_queue_id ? json(*x.matching_queue_id) : json(nullptr)},
          {"waited_seconds", x.waited_seconds},
          {"widening",
           {{"steps", x.widening.steps},
            {"fallback_languages", x.widening.fallback_languages},
            {"any_language", x.widening.any_language},
            {"allow_backup_agents", x.widening.allow_backup_agents},
            {"drop_optional_skills", x.widening.drop_optional_skills}}},
          {"candidates", candidates},
          {"recommended_agent_id", x.recommended_agent_id ? json(*x.recommended_agent_id) : json(nullptr)},
          {"history", history}};
}

// An empty body counts as {}: these actions need no fields.
json optional_body(const request_context& ctx) {
  if (ctx.req.body().empty()) return json::object();
  return parse_json_body(ctx.req);
}

}  // namespace

HELPDESK_HANDLER(get_ticket_routing) {
  auto x = co_await e.svc.router.explain(ctx.caller(), std::string(ctx.param("id")));
  co_return json_response(bhttp::status::ok, explanation_json(x), ctx.req.version());
}

HELPDESK_HANDLER(claim_ticket) {
  std::string id(ctx.param("id"));
  const json doc = optional_body(ctx);
  field_reader(doc, {}).finish();
  co_await e.svc.router.claim(ctx.caller(), id);
  co_return co_await ticket_answer(e, ctx, id);
}

HELPDESK_HANDLER(release_ticket) {
  std::string id(ctx.param("id"));
  const json doc = optional_body(ctx);
  field_reader(doc, {}).finish();
  co_await e.svc.router.release(ctx.caller(), id);
  co_return co_await ticket_answer(e, ctx, id);
}

HELPDESK_HANDLER(transfer_ticket) {
  std::string id(ctx.param("id"));
  const json doc = parse_json_body(ctx.req);
  field_reader in(doc, {"agent_id", "queue_id", "note"});
  app::transfer_request r;
  r.agent_id = in.string("agent_id", 64);
  r.queue_id = in.string("queue_id", 64);
  r.note = in.string("note", 10000).value_or("");
  if (r.agent_id.has_value() == r.queue_id.has_value()) in.fail("/agent_id", "give exactly one of agent_id and queue_id");
  in.finish();
  co_await e.svc.router.transfer(ctx.caller(), id, std::move(r));
  co_return co_await ticket_answer(e, ctx, id);
}

HELPDESK_HANDLER(post_ticket_callback) {
  std::string id(ctx.param("id"));
  const json doc = parse_json_body(ctx.req);
  field_reader in(doc, {"outcome", "note", "dial"});
  app::callback_request r;
  r.outcome = in.one_of("outcome", {"reached", "no_answer", "wrong_number", "voicemail_left"});
  r.note = in.string("note", 10000).value_or("");
  r.dial = in.boolean("dial").value_or(false);
  if (!r.outcome && !r.dial) in.fail("/outcome", "is required unless dial is true");
  in.finish();
  auto out = co_await e.svc.router.callback(ctx.caller(), id, std::move(r));
  auto t = co_await e.svc.support.ticket(ctx.caller(), id);
  json body = {{"attempt_id", out.attempt_id ? json(*out.attempt_id) : json(nullptr)},
               {"dial_requested", out.dial_requested},
               {"ticket", ticket_json(t)}};
  co_return json_response(bhttp::status::created, body, ctx.req.version());
}

HELPDESK_HANDLER(post_next_ticket) {
  const json doc = optional_body(ctx);
  field_reader(doc, {}).finish();
  auto id = co_await e.svc.router.next(ctx.caller());
  if (!id) {
    co_return no_content_response(ctx.req.version());
  }
  co_return co_await ticket_answer(e, ctx, *id);
}

HELPDESK_HANDLER(post_agent_handover) {
  std::string id(ctx.param("id"));
  const json doc = optional_body(ctx);
  field_reader in(doc, {"note"});
  auto note = in.string("note", 10000).value_or("");
  in.finish();
  auto out = co_await e.svc.router.handover(ctx.caller(), id, note);
  json body = {{"agent_id", id}, {"moved", out.ticket_ids.size()}, {"ticket_ids", out.ticket_ids}};
  co_return json_response(bhttp::status::ok, body, ctx.req.version());
}

HELPDESK_HANDLER(put_agent_presence) {
  std::string id(ctx.param("id"));
  if (id == "me") id = ctx.caller().agent_id;
  const json doc = parse_json_body(ctx.req);
  field_reader in(doc, {"status"});
  in.required("status");
  auto status = in.one_of("status", {"online", "away", "offline"});
  in.finish();
  if (id.empty()) throw error(errc::forbidden, "An API token has no presence: name the agent.");
  co_await e.svc.router.set_presence(ctx.caller(), id, *routing::parse_presence(*status));
  auto a = co_await e.svc.directory.get_agent(ctx.caller(), id);
  co_return json_response(bhttp::status::ok, agent_json(a), ctx.req.version());
}

}  // namespace helpdesk::api
