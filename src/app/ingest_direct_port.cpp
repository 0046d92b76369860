// The port of an event run by itself: each call is a statement on its transaction.
#include <pqxx/pqxx>

#include <algorithm>
#include <cctype>

#include "helpdesk/store/routing_repos.hpp"
#include "ingest_port.hpp"

namespace helpdesk::app::ingest {

using namespace store;

void job::conflicts_with_phone(const std::string& raw) {
  std::string digits;
  for (char c : raw)
    if (std::isdigit(static_cast<unsigned char>(c))) digits.push_back(c);
  if (digits.size() > 9) digits.erase(0, digits.size() - 9);
  conflicts_with(digits.empty() ? "handle:" + raw : "phone:" + digits);
}

std::optional<inbound_keys::stored> direct_port::claim(const std::string& scope, const std::string& key,
                                                       const std::string& request_sha256,
                                                       std::optional<long long> ttl_seconds) {
  return inbound_keys::claim(tx_, scope, key, request_sha256, ttl_seconds);
}

void direct_port::complete_key(const std::string& scope, const std::string& key, const std::string& response_json) {
  inbound_keys::complete(tx_, scope, key, response_json);
}

void direct_port::finish(const std::string& ticket_id, const std::string& brand_id, const std::string& events_json,
                         const std::string& response_json, const inbound_keys::key_ref& event_key,
                         const std::optional<inbound_keys::key_ref>& idempotency_key) {
  inbound_keys::finish(tx_, ticket_id, brand_id, events_json, response_json, event_key, idempotency_key);
}

std::vector<identity_owner> direct_port::owners(const std::string& brand_id, const std::vector<identity>& ids) {
  return customers::owners(tx_, brand_id, ids);
}

bool direct_port::create_customer(const std::string& id, const std::string& brand_id, const std::string& name,
                                  const std::vector<identity>& ids, timestamp at) {
  return customers::create(tx_, id, brand_id, name, ids, at);
}

bool direct_port::attach_identity(const std::string& brand_id, const std::string& customer_id, const identity& id) {
  return customers::attach_identity(tx_, brand_id, customer_id, id);
}

void direct_port::suggest_merge(const std::string& brand_id, const std::string& customer_id,
                                const std::string& other_id, const std::string& reason) {
  customers::suggest_merge(tx_, brand_id, customer_id, other_id, reason);
}

void direct_port::touch_customer(const std::string& id, timestamp at, const std::string& name) {
  customers::touch(tx_, id, at, name);
}

std::optional<thread_candidate> direct_port::ticket_by_message_ids(const std::string& brand_id,
                                                                   const std::vector<std::string>& message_ids) {
  return tickets::by_message_ids(tx_, brand_id, message_ids);
}

std::optional<thread_candidate> direct_port::ticket_by_number(const std::string& brand_id, long long number) {
  return tickets::by_number(tx_, brand_id, number);
}

std::optional<thread_candidate> direct_port::ticket_by_id(const std::string& brand_id, const std::string& id) {
  return tickets::by_id(tx_, brand_id, id);
}

std::optional<thread_candidate> direct_port::ticket_by_chat_session(const std::string& brand_id,
                                                                    const std::string& session_id) {
  return tickets::by_chat_session(tx_, brand_id, session_id);
}

std::optional<thread_candidate> direct_port::awaiting_callback(const std::string& customer_id) {
  return tickets::awaiting_callback(tx_, customer_id);
}

std::optional<long long> direct_port::insert_ticket(const tickets::new_ticket& t) { return tickets::insert(tx_, t); }

const std::vector<routing::queue_def>& brand_queues(pqxx::transaction_base& tx,
                                                    std::map<std::string, std::vector<routing::queue_def>>& memo,
                                                    const std::string& brand_id) {
  auto it = memo.find(brand_id);
  if (it == memo.end()) it = memo.emplace(brand_id, store::queues::for_brand(tx, brand_id)).first;
  return it->second;
}

const std::vector<routing::queue_def>& direct_port::queues(const std::string& brand_id) {
  return brand_queues(tx_, queues_, brand_id);
}

bool direct_port::record_inbound(const tickets::inbound_update& u) { return tickets::record_inbound(tx_, u); }

void direct_port::insert_message(message_row m) { messages::insert(tx_, m); }

std::optional<messages::call_ref> direct_port::call(const std::string& brand_id, const std::string& call_id) {
  return messages::lock_call(tx_, brand_id, call_id);
}

std::vector<std::pair<std::string, std::string>> direct_port::call_events(const std::string& message_id) {
  return messages::call_events(tx_, message_id);
}

void direct_port::add_call_event(const std::string& message_id, const std::string& event_key, const std::string& kind,
                                 timestamp at, const std::string& payload_json) {
  messages::add_call_event(tx_, message_id, event_key, kind, at, payload_json);
}

void direct_port::update_call(const std::string& message_id, const std::string& call_json, const std::string& outcome,
                              timestamp occurred_at) {
  messages::update_call(tx_, message_id, call_json, outcome, occurred_at);
}

}  // namespace helpdesk::app::ingest
