// A chat message or the end of a chat session. One session is one ticket;
// whatever the visitor tells about themselves (email, phone, handle) joins
// the session's customer.
#include <pqxx/pqxx>

#include "helpdesk/domain/ids.hpp"
#include "helpdesk/domain/identity.hpp"
#include "ingest_common.hpp"

namespace helpdesk::app {
namespace {

std::vector<identity> visitor_identities(const chat_visitor& v, const brand& b) {
  std::vector<identity> ids;
  if (auto h = normalize_chat_handle(v.handle)) ids.push_back(*h);
  if (auto e = normalize_email(v.email)) ids.push_back({identity_kind::email, *e});
  if (auto p = normalize_caller(v.phone, b.default_phone_region)) ids.push_back(*p);
  return ids;
}

std::string visitor_label(const chat_visitor& v) {
  if (!v.name.empty()) return v.name;
  if (!v.email.empty()) return v.email;
  return v.handle;
}

ingest_result end_session(ingest::port& p, const brand& b, const inbound_chat& c,
                          ingest::event_log& events) {
  auto ticket = p.ticket_by_chat_session(b.id, c.session_id);
  if (!ticket)
    throw error::validation({{"/session_id", "no chat session '" + c.session_id + "' is known"}},
                            "The chat session does not exist.");
  events.add("chat_ended",
                    {{"session_id", c.session_id}, {"at", format_rfc3339(c.at)}});
  return {ticket->ticket_id, ingest::number_of(b, ticket->number), ticket->customer_id, "", false};
}

ingest_result decide_chat(ingest::port& p, brand_cache& brands, const principal& who, const ingest_meta& meta,
                             const inbound_chat& c, const ingest_options& opts) {
  const brand b = ingest::resolve_brand(p.tx(), brands, who, meta.brand, {});
  const std::string scope = "chat:" + b.id;
  const std::string key = c.ended ? "ended:" + c.session_id : c.message_id;
  if (auto replay = ingest::claim_keys(p, who, meta, scope, key, opts.idempotency_ttl_seconds)) return *replay;
  ingest::event_log events;
  if (c.ended) {
    auto r = end_session(p, b, c, events);
    ingest::finish(p, who, meta, scope, key, r, b.id, events);
    return r;
  }

  const bool from_visitor = c.sender == "visitor";
  auto ticket = p.ticket_by_chat_session(b.id, c.session_id);
  const auto ids = visitor_identities(c.visitor, b);
  ingest_result r;
  r.customer_id = ingest::settle_customer(p, b.id, ingest::identify(p, b.id, ids), c.visitor.name, c.at,
                                         ticket ? ticket->customer_id : "");
  if (ticket) {
    r.ticket_id = ticket->ticket_id;
    r.ticket_number = ingest::number_of(b, ticket->number);
    if (from_visitor) {
      const ticket_status next = status_after_inbound(ticket->status);
      store::tickets::inbound_update u{ticket->ticket_id, std::string(to_string(ticket->status)),
                                       std::string(to_string(next)), c.at, true, std::nullopt};
      if (!p.record_inbound(u)) store::retry_transaction("the ticket changed status meanwhile");
      if (next != ticket->status)
        events.add("status_changed",
                          {{"from", to_string(ticket->status)}, {"to", to_string(next)}, {"reason", "visitor wrote"}});
    }
  } else {
    store::tickets::new_ticket t;
    t.id = new_uuid_v7();
    t.brand_id = b.id;
    t.customer_id = r.customer_id;
    t.subject = "Chat with " + visitor_label(c.visitor);
    t.origin_channel = "chat";
    ingest::set_routing_facts(t, p, b, c.language, from_visitor ? c.text : std::string(), c.tags, std::nullopt, {});
    t.chat_session_id = c.session_id;
    t.customer_waiting = from_visitor;
    t.at = c.at;
    const auto queued = ingest::place_in_queue(p, t);
    auto number = p.insert_ticket(t);
    if (!number) store::retry_transaction("the chat session's ticket was created concurrently");
    r.ticket_id = t.id;
    r.ticket_number = ingest::number_of(b, *number);
    events.add("created", {{"channel", "chat"}, {"session_id", c.session_id}, {"tags", t.tags}});
    if (queued) events.add("queued", *queued, "router");
  }

  if (p.guessing()) return r;  // thrown away: skip building what it would write
  auto msg = ingest::new_message(r, b.id, "chat", from_visitor ? "inbound" : "outbound");
  msg.automatic = c.sender == "bot";
  if (msg.automatic) msg.automatic_reason = "chat bot";
  msg.sender = from_visitor ? visitor_label(c.visitor) : c.sender;
  msg.body_text = c.text;
  msg.chat_session_id = c.session_id;
  msg.chat_message_id = c.message_id;
  msg.occurred_at = c.at;
  r.message_id = msg.id;
  p.insert_message(std::move(msg));
  events.add("message_added",
                    {{"message_id", r.message_id}, {"channel", "chat"}, {"sender", c.sender}});
  ingest::finish(p, who, meta, scope, key, r, b.id, events);
  return r;
}

}  // namespace

awaitable<ingest_result> ingest_service::chat(const principal& who, ingest_meta meta, inbound_chat c) {
  ingest::event_job<inbound_chat> job(decide_chat, brands_, who, std::move(meta), std::move(c), opts_);
  const auto& chat = job.event();
  job.conflicts_with("session:" + chat.session_id);
  job.conflicts_with("chat-message:" + chat.message_id);
  if (!chat.visitor.handle.empty()) job.conflicts_with("handle:" + chat.visitor.handle);
  if (auto e = normalize_email(chat.visitor.email)) job.conflicts_with("email:" + *e);
  if (!chat.visitor.phone.empty()) job.conflicts_with_phone(chat.visitor.phone);
  co_return co_await committer_.run(std::move(job));
}

}  // namespace helpdesk::app
