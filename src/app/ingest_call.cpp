// A phone-call event. Every event of a call folds into one message; the
// customer's open callback ticket collects repeated calls, so "called three
// times" is one ticket with three calls.
#include <pqxx/pqxx>

#include "helpdesk/domain/ids.hpp"
#include "helpdesk/domain/identity.hpp"
#include "ingest_common.hpp"

namespace helpdesk::app {
namespace {

using ingest::json;

json event_json(const inbound_call& c) {
  json e = {{"kind", to_string(c.event)}, {"at", to_unix_micros(c.at)}};
  if (c.sequence) e["sequence"] = *c.sequence;
  if (c.agent_id) e["agent_id"] = *c.agent_id;
  if (c.wait_seconds) e["wait_seconds"] = *c.wait_seconds;
  if (c.duration_seconds) e["duration_seconds"] = *c.duration_seconds;
  if (!c.recording_url.empty()) e["recording_url"] = c.recording_url;
  if (!c.voicemail_url.empty()) e["voicemail_url"] = c.voicemail_url;
  return e;
}

call_event event_of(const json& e) {
  call_event out;
  out.kind = parse_call_event_kind(e.at("kind").get<std::string>()).value_or(call_event_kind::ringing);
  out.at = from_unix_micros(e.at("at").get<long long>());
  if (e.contains("sequence")) out.sequence = e["sequence"].get<long long>();
  out.agent_id = e.value("agent_id", "");
  if (e.contains("wait_seconds")) out.wait_seconds = e["wait_seconds"].get<long long>();
  if (e.contains("duration_seconds")) out.duration_seconds = e["duration_seconds"].get<long long>();
  out.recording_url = e.value("recording_url", "");
  out.voicemail_url = e.value("voicemail_url", "");
  return out;
}

json state_json(const inbound_call& c, const call_state& s) {
  auto at = [](const std::optional<timestamp>& t) { return t ? json(format_rfc3339(*t)) : json(nullptr); };
  auto num = [](const std::optional<long long>& v) { return v ? json(*v) : json(nullptr); };
  auto str = [](const std::string& v) { return v.empty() ? json(nullptr) : json(v); };
  return {{"call_id", c.call_id},
          {"direction", c.inbound ? "inbound" : "outbound"},
          {"from", c.from},
          {"to", c.to},
          {"outcome", to_string(s.outcome)},
          {"callback_required", s.callback_required()},
          {"started_at", at(s.started_at)},
          {"answered_at", at(s.answered_at)},
          {"ended_at", at(s.ended_at)},
          {"agent_id", str(s.agent_id)},
          {"wait_seconds", num(s.wait_seconds)},
          {"duration_seconds", num(s.duration_seconds)},
          {"recording_url", str(s.recording_url)},
          {"voicemail_url", str(s.voicemail_url)}};
}

std::string call_subject(const inbound_call& c, const call_state& s) {
  if (!c.inbound) return "Call to " + c.to;
  return (s.callback_required() ? "Missed call from " : "Call from ") + c.from;
}

// Flags the ticket for a callback, or clears the flag once the customer got through.
std::optional<bool> callback_flag(const call_state& s) {
  if (s.callback_required()) return true;
  if (s.outcome == call_outcome::answered || s.outcome == call_outcome::transferred) return false;
  return std::nullopt;
}

// The callback deadline counts from the moment the customer gave up (or
// left a voicemail); a later missed call keeps the earlier deadline.
std::optional<timestamp> callback_due(const call_state& s, const inbound_call& c, const ingest_options& opts) {
  if (!s.callback_required()) return std::nullopt;
  return s.ended_at.value_or(c.at) + std::chrono::seconds(opts.callback_due_seconds);
}

ingest_result decide_call(ingest::port& p, brand_cache& brands, const principal& who, const ingest_meta& meta,
                             const inbound_call& c, const ingest_options& opts) {
  const brand b = ingest::resolve_brand(p.tx(), brands, who, meta.brand, {});
  const std::string scope = "call:" + b.id;
  // A call may ring or be answered more than once (transfers): the sequence
  // number, when the provider sends one, tells those events apart.
  const std::string event_key =
      std::string(to_string(c.event)) + (c.sequence ? ":" + std::to_string(*c.sequence) : std::string());
  const std::string key = c.call_id + ":" + event_key;
  if (auto replay = ingest::claim_keys(p, who, meta, scope, key, opts.idempotency_ttl_seconds)) return *replay;
  ingest::event_log events;

  ingest_result r;
  const json event = event_json(c);
  auto existing = p.call(b.id, c.call_id);
  if (existing) {
    std::vector<call_event> seen;
    bool stored_before = false;
    for (const auto& [stored_key, payload] : p.call_events(existing->message_id)) {
      seen.push_back(event_of(json::parse(payload)));
      stored_before = stored_before || stored_key == event_key;
    }
    if (!stored_before) {
      p.add_call_event(existing->message_id, event_key, std::string(to_string(c.event)), c.at, event.dump());
      seen.push_back(event_of(event));
    }
    // Who called whom was fixed by the call's first event; a later event
    // that leaves out `to` or `direction` must not rewrite it.
    inbound_call first = c;
    const json stored = json::parse(existing->call_json);
    first.from = stored.value("from", c.from);
    first.to = stored.value("to", c.to);
    first.inbound = stored.value("direction", "inbound") == "inbound";
    const call_state s = fold_call(first.inbound, seen);
    p.update_call(existing->message_id, state_json(first, s).dump(),
                                 std::string(to_string(s.outcome)), s.started_at.value_or(c.at));
    auto ticket = p.ticket_by_id(b.id, existing->ticket_id);
    if (!ticket) throw error::not_found("ticket");
    const std::string status(to_string(ticket->status));
    store::tickets::inbound_update u{ticket->ticket_id, status, status, c.at, s.callback_required(), callback_flag(s),
                                     callback_due(s, c, opts)};
    if (!p.record_inbound(u)) store::retry_transaction("the ticket changed status meanwhile");
    events.add("call_updated",
                      {{"message_id", existing->message_id}, {"event", to_string(c.event)},
                       {"outcome", to_string(s.outcome)}});
    r = {ticket->ticket_id, ingest::number_of(b, ticket->number), existing->customer_id, existing->message_id, false};
  } else {
    const call_state s = fold_call(c.inbound, {event_of(event)});
    std::vector<identity> ids;
    if (auto caller = normalize_caller(c.inbound ? c.from : c.to, b.default_phone_region)) ids.push_back(*caller);
    const std::string customer_id = ingest::settle_customer(p, b.id, ingest::identify(p, b.id, ids), "", c.at);
    std::optional<thread_candidate> target;
    if (c.inbound) target = p.awaiting_callback(customer_id);
    if (target) {
      const std::string status(to_string(target->status));
      store::tickets::inbound_update u{target->ticket_id, status, status, c.at, s.callback_required(),
                                       callback_flag(s), callback_due(s, c, opts)};
      if (!p.record_inbound(u)) store::retry_transaction("the ticket changed status meanwhile");
      r.ticket_id = target->ticket_id;
      r.ticket_number = ingest::number_of(b, target->number);
    } else {
      store::tickets::new_ticket t;
      t.id = new_uuid_v7();
      t.brand_id = b.id;
      t.customer_id = customer_id;
      t.subject = call_subject(c, s);
      t.origin_channel = "phone";
      t.callback_required = s.callback_required();
      t.callback_due_at = callback_due(s, c, opts);
      t.customer_waiting = s.callback_required();
      ingest::set_routing_facts(t, p, b, std::nullopt, {}, {}, std::nullopt, {});  // a call has no words to read
      t.at = c.at;
      const auto queued = ingest::place_in_queue(p, t);
      auto number = p.insert_ticket(t);
      if (!number) store::retry_transaction("ticket insert collided");
      r.ticket_id = t.id;
      r.ticket_number = ingest::number_of(b, *number);
      events.add("created", {{"channel", "phone"}, {"tags", t.tags}});
      if (queued) events.add("queued", *queued, "router");
    }
    if (p.guessing()) return r;  // thrown away: skip building what it would write
    r.customer_id = customer_id;
    auto msg = ingest::new_message(r, b.id, "phone", c.inbound ? "inbound" : "outbound");
    msg.sender = c.from;
    msg.subject = call_subject(c, s);
    msg.call_id = c.call_id;
    msg.call_json = state_json(c, s).dump();
    msg.call_outcome = std::string(to_string(s.outcome));
    msg.occurred_at = c.at;
    r.message_id = msg.id;
    p.insert_message(std::move(msg));
    p.add_call_event(r.message_id, event_key, std::string(to_string(c.event)), c.at, event.dump());
    events.add("message_added",
                      {{"message_id", r.message_id}, {"channel", "phone"}, {"outcome", to_string(s.outcome)}});
  }
  ingest::finish(p, who, meta, scope, key, r, b.id, events);
  return r;
}

}  // namespace

awaitable<ingest_result> ingest_service::call(const principal& who, ingest_meta meta, inbound_call c) {
  ingest::event_job<inbound_call> job(decide_call, brands_, who, std::move(meta), std::move(c), opts_);
  const auto& call = job.event();
  job.conflicts_with("call:" + call.call_id);
  job.conflicts_with_phone(call.inbound ? call.from : call.to);
  co_return co_await committer_.run(std::move(job));
}

}  // namespace helpdesk::app
