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

ingest_result end_session(pqxx::transaction_base& tx, const brand& b, const inbound_chat& c,
                          ingest::event_log& events) {
  auto ticket = store::tickets::by_chat_session(tx, b.id, c.session_id);
  if (!ticket)
    throw error::validation({{"/session_id", "no chat session '" + c.session_id + "' is known"}},
                            "The chat session does not exist.");
  events.add("chat_ended",
                    {{"session_id", c.session_id}, {"at", format_rfc3339(c.at)}});
  return {ticket->ticket_id, ingest::number_of(b, ticket->number), ticket->customer_id, "", false};
}

ingest_result ingest_chat_tx(pqxx::transaction_base& tx, brand_cache& brands, const principal& who, const ingest_meta& meta,
                             const inbound_chat& c, const ingest_options& opts) {
  const brand b = ingest::resolve_brand(tx, brands, who, meta.brand, {});
  const std::string scope = "chat:" + b.id;
  const std::string key = c.ended ? "ended:" + c.session_id : c.message_id;
  if (auto replay = ingest::claim_keys(tx, who, meta, scope, key, opts.idempotency_ttl_seconds)) return *replay;
  ingest::event_log events;
  if (c.ended) {
    auto r = end_session(tx, b, c, events);
    ingest::finish(tx, who, meta, scope, key, r, b.id, events);
    return r;
  }

  const bool from_visitor = c.sender == "visitor";
  auto ticket = store::tickets::by_chat_session(tx, b.id, c.session_id);
  const auto ids = visitor_identities(c.visitor, b);
  ingest_result r;
  r.customer_id = ingest::settle_customer(tx, b.id, ingest::identify(tx, b.id, ids), c.visitor.name, c.at,
                                         ticket ? ticket->customer_id : "");
  if (ticket) {
    r.ticket_id = ticket->ticket_id;
    r.ticket_number = ingest::number_of(b, ticket->number);
    if (from_visitor) {
      const ticket_status next = status_after_inbound(ticket->status);
      store::tickets::inbound_update u{ticket->ticket_id, std::string(to_string(ticket->status)),
                                       std::string(to_string(next)), c.at, true, std::nullopt};
      if (!store::tickets::record_inbound(tx, u)) store::retry_transaction("the ticket changed status meanwhile");
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
    t.language = c.language;
    t.chat_session_id = c.session_id;
    t.customer_waiting = from_visitor;
    t.at = c.at;
    auto number = store::tickets::insert(tx, t);
    if (!number) store::retry_transaction("the chat session's ticket was created concurrently");
    r.ticket_id = t.id;
    r.ticket_number = ingest::number_of(b, *number);
    events.add("created", {{"channel", "chat"}, {"session_id", c.session_id}});
  }

  store::message_row msg;
  msg.id = new_uuid_v7();
  msg.ticket_id = r.ticket_id;
  msg.brand_id = b.id;
  msg.customer_id = r.customer_id;
  msg.channel = "chat";
  msg.direction = from_visitor ? "inbound" : "outbound";
  msg.automatic = c.sender == "bot";
  if (msg.automatic) msg.automatic_reason = "chat bot";
  msg.sender = from_visitor ? visitor_label(c.visitor) : c.sender;
  msg.body_text = c.text;
  msg.chat_session_id = c.session_id;
  msg.chat_message_id = c.message_id;
  msg.occurred_at = c.at;
  store::messages::insert(tx, msg);
  r.message_id = msg.id;
  events.add("message_added",
                    {{"message_id", msg.id}, {"channel", "chat"}, {"sender", c.sender}});
  ingest::finish(tx, who, meta, scope, key, r, b.id, events);
  return r;
}

}  // namespace

awaitable<ingest_result> ingest_service::chat(const principal& who, ingest_meta meta, inbound_chat c) {
  const std::size_t affinity = std::hash<std::string>{}(c.session_id);
  auto job = [&who, meta = std::move(meta), c = std::move(c), self = this](pqxx::transaction_base& tx) {
    return ingest_chat_tx(tx, self->brands_, who, meta, c, self->opts_);
  };
  co_return co_await committer_.run(std::move(job), affinity);
}

}  // namespace helpdesk::app
