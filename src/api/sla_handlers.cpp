// Calendars, SLA policies, a ticket's SLA history and "no response needed".
#include "handlers.hpp"
#include "helpdesk/store/sla_codec.hpp"

namespace helpdesk::api {
namespace {

namespace codec = store::sla_codec;

json opt_instant(const std::optional<timestamp>& t) { return t ? json(format_rfc3339(*t)) : json(nullptr); }

// Fills `c` from the body: every field for a create, the named ones for a PATCH.
void read_calendar(const json& doc, store::calendar_row& c, bool creating) {
  field_reader in(doc, {"brand_id", "name", "time_zone", "weekly", "holidays"});
  if (creating) {
    in.required("name");
    in.required("time_zone");
    in.required("weekly");
    if (auto b = in.string("brand_id", 64)) c.brand_id = *b;
  } else if (in.value("brand_id")) {
    in.fail("/brand_id", "cannot change: a calendar stays with its brand");
  }
  if (auto n = in.string("name", 200)) {
    c.name = *n;
    if (n->empty()) in.fail("/name", "must not be empty");
  }
  if (auto tz = in.string("time_zone", 64)) c.time_zone = *tz;
  if (const json* w = in.value("weekly")) c.weekly = *w;
  if (const json* h = in.value("holidays")) c.holidays = *h;
  in.finish();
  std::vector<field_error> errors;
  codec::decode_calendar(c.time_zone, c.weekly, c.holidays, errors);
  if (!errors.empty()) throw error::validation(std::move(errors));
}

void read_policy(const json& doc, sla::policy_def& p, bool creating) {
  field_reader in(doc, {"brand_id", "name", "position", "conditions", "targets", "pause_on", "escalation"});
  if (creating) {
    in.required("brand_id");
    in.required("name");
    in.required("targets");
    p.brand_id = in.string("brand_id", 64).value_or("");
  } else if (auto b = in.string("brand_id", 64)) {
    p.brand_id = *b;
  }
  if (auto n = in.string("name", 200)) p.name = *n;
  if (auto pos = in.integer("position", 0, 100000)) p.position = static_cast<int>(*pos);
  in.finish();
  std::vector<field_error> errors;
  if (const json* c = in.value("conditions")) codec::decode_conditions(*c, p, errors);
  if (const json* t = in.value("targets")) codec::decode_targets(*t, p, errors);
  if (const json* s = in.value("pause_on")) codec::decode_pause_on(*s, p, errors);
  if (const json* e = in.value("escalation")) codec::decode_escalation(*e, p, errors);
  if (!errors.empty()) throw error::validation(std::move(errors));
}

json calendar_json(const store::calendar_row& c) {
  return {{"id", c.id},
          {"brand_id", c.brand_id ? json(*c.brand_id) : json(nullptr)},
          {"name", c.name},
          {"time_zone", c.time_zone},
          {"weekly", c.weekly},
          {"holidays", c.holidays},
          {"version", c.version},
          {"created_at", format_rfc3339(c.created_at)},
          {"updated_at", format_rfc3339(c.updated_at)}};
}

json policy_json(const sla::policy_def& p) {
  return {{"id", p.id},
          {"brand_id", p.brand_id},
          {"name", p.name},
          {"position", p.position},
          {"version", p.version},
          {"conditions", codec::encode_conditions(p.conditions)},
          {"targets", codec::encode_targets(p.targets)},
          {"pause_on", codec::encode_pause_on(p.pause_on)},
          {"escalation", codec::encode_escalation(p.escalation)}};
}

json sla_event_json(const store::sla_event_row& e) {
  return {{"kind", e.kind},
          {"target", e.target ? json(std::string(sla::to_string(*e.target))) : json(nullptr)},
          {"cycle", e.target ? json(e.cycle) : json(nullptr)},
          {"at", format_rfc3339(e.at)},
          {"policy_id", e.policy_id ? json(*e.policy_id) : json(nullptr)},
          {"policy_version", e.policy_version ? json(*e.policy_version) : json(nullptr)},
          {"calendar_id", e.calendar_id ? json(*e.calendar_id) : json(nullptr)},
          {"calendar_version", e.calendar_version ? json(*e.calendar_version) : json(nullptr)},
          {"data", e.data}};
}

}  // namespace

json sla_clock_json(const store::clock_row& c) {
  const auto& k = c.clock;
  return {{"target", std::string(sla::to_string(k.target))},
          {"cycle", k.cycle},
          {"state", std::string(sla::to_string(k.state))},
          {"due_at", opt_instant(k.due_at)},
          {"warn_at", opt_instant(k.warn_at)},
          {"started_at", format_rfc3339(k.started_at)},
          {"stopped_at", opt_instant(k.stopped_at)},
          {"remaining_seconds", k.remaining_seconds},
          {"business_hours", k.business_hours},
          {"calendar_id", k.calendar_id.empty() ? json(nullptr) : json(k.calendar_id)},
          {"policy_id", c.policy_id ? json(*c.policy_id) : json(nullptr)},
          {"warned_at", opt_instant(c.warned_at)},
          {"breached_at", opt_instant(c.breached_at)}};
}

HELPDESK_HANDLER(list_calendars) {
  auto page = read_page(ctx);
  // Named, not braced inside the co_await: g++ 12 frees such a temporary twice.
  store::page_request query{page.limit + 1, page.after_id};
  auto rows = co_await e.svc.sla.list_calendars(ctx.caller(), query);
  co_return json_response(bhttp::status::ok, page_json(std::move(rows), page.limit, calendar_json), ctx.req.version());
}

HELPDESK_HANDLER(create_calendar) {
  store::calendar_row c;
  read_calendar(parse_json_body(ctx.req), c, true);
  auto made = co_await e.svc.sla.create_calendar(ctx.caller(), std::move(c));
  auto res = json_response(bhttp::status::created, calendar_json(made), ctx.req.version());
  res.set(bhttp::field::location, "/v1/calendars/" + made.id);
  co_return res;
}

HELPDESK_HANDLER(get_calendar) {
  auto c = co_await e.svc.sla.calendar(ctx.caller(), std::string(ctx.param("id")));
  co_return json_response(bhttp::status::ok, calendar_json(c), ctx.req.version());
}

HELPDESK_HANDLER(patch_calendar) {
  auto c = co_await e.svc.sla.calendar(ctx.caller(), std::string(ctx.param("id")));
  read_calendar(parse_json_body(ctx.req), c, false);
  auto updated = co_await e.svc.sla.update_calendar(ctx.caller(), std::move(c));
  co_return json_response(bhttp::status::ok, calendar_json(updated), ctx.req.version());
}

HELPDESK_HANDLER(delete_calendar) {
  co_await e.svc.sla.delete_calendar(ctx.caller(), std::string(ctx.param("id")));
  co_return no_content_response(ctx.req.version());
}

HELPDESK_HANDLER(get_calendar_deadline) {
  std::vector<field_error> errors;
  const auto start_text = ctx.query("start");
  const auto seconds_text = ctx.query("business_seconds");
  std::optional<timestamp> start = start_text ? parse_rfc3339(*start_text) : std::nullopt;
  if (!start) errors.push_back({"/query/start", "is required: an RFC 3339 instant such as 2026-12-04T16:30:00+01:00"});
  long long seconds = -1;
  if (seconds_text) {
    try {
      std::size_t used = 0;
      seconds = std::stoll(*seconds_text, &used);
      if (used != seconds_text->size()) seconds = -1;
    } catch (const std::exception&) {
      seconds = -1;
    }
  }
  if (seconds < 0 || seconds > sla::max_target_seconds)
    errors.push_back({"/query/business_seconds", "is required: a whole number from 0 to 31622400"});
  if (!errors.empty()) throw error::validation(std::move(errors), "The query parameters are invalid.");
  auto due = co_await e.svc.sla.deadline(ctx.caller(), std::string(ctx.param("id")), *start, seconds);
  json body = {{"start", format_rfc3339(*start)}, {"business_seconds", seconds}, {"due_at", opt_instant(due)}};
  if (!due) body["reason"] = "the calendar has no business hours within three years of the start";
  co_return json_response(bhttp::status::ok, body, ctx.req.version());
}

HELPDESK_HANDLER(list_sla_policies) {
  auto page = read_page(ctx);
  store::page_request query{page.limit + 1, page.after_id};
  auto brand = ctx.query("brand_id");
  auto rows = co_await e.svc.sla.list_policies(ctx.caller(), brand, query);
  co_return json_response(bhttp::status::ok, page_json(std::move(rows), page.limit, policy_json), ctx.req.version());
}

HELPDESK_HANDLER(create_sla_policy) {
  sla::policy_def p;
  read_policy(parse_json_body(ctx.req), p, true);
  auto made = co_await e.svc.sla.create_policy(ctx.caller(), std::move(p));
  auto res = json_response(bhttp::status::created, policy_json(made), ctx.req.version());
  res.set(bhttp::field::location, "/v1/sla-policies/" + made.id);
  co_return res;
}

HELPDESK_HANDLER(get_sla_policy) {
  auto p = co_await e.svc.sla.policy(ctx.caller(), std::string(ctx.param("id")));
  co_return json_response(bhttp::status::ok, policy_json(p), ctx.req.version());
}

HELPDESK_HANDLER(patch_sla_policy) {
  auto p = co_await e.svc.sla.policy(ctx.caller(), std::string(ctx.param("id")));
  read_policy(parse_json_body(ctx.req), p, false);
  auto updated = co_await e.svc.sla.update_policy(ctx.caller(), std::move(p));
  co_return json_response(bhttp::status::ok, policy_json(updated), ctx.req.version());
}

HELPDESK_HANDLER(delete_sla_policy) {
  co_await e.svc.sla.delete_policy(ctx.caller(), std::string(ctx.param("id")));
  co_return no_content_response(ctx.req.version());
}

HELPDESK_HANDLER(get_ticket_sla) {
  auto s = co_await e.svc.sla.of_ticket(ctx.caller(), std::string(ctx.param("id")));
  json clocks = json::array(), events = json::array();
  for (const auto& c : s.clocks) clocks.push_back(sla_clock_json(c));
  for (const auto& ev : s.events) events.push_back(sla_event_json(ev));
  co_return json_response(bhttp::status::ok, {{"ticket_id", std::string(ctx.param("id"))}, {"clocks", clocks}, {"events", events}},
                          ctx.req.version());
}

HELPDESK_HANDLER(post_no_response_needed) {
  co_await e.svc.sla.no_response_needed(ctx.caller(), std::string(ctx.param("id")), std::string(ctx.param("mid")));
  co_return no_content_response(ctx.req.version());
}

}  // namespace helpdesk::api
