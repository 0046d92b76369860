#pragma once
// Set-at-a-time reads and writes for a group-committed batch of inbound
// events: every lookup of a batch travels in one statement and every write in
// another, so a batch costs a handful of round trips however many events it
// carries. Requests and answers are aligned by position.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "helpdesk/store/support_repos.hpp"

namespace helpdesk::store::ingest_batch {

using inbound_keys::key_ref;

struct brand_value {
  std::string brand_id;
  std::string value;
};

struct reads {
  std::vector<key_ref> keys;  // inbound keys to look for
  std::vector<brand_value> identities;                                          // brand, identity value
  std::vector<std::pair<std::string, std::vector<std::string>>> message_refs;  // brand, Message-IDs in order
  std::vector<std::pair<std::string, long long>> numbers;                       // brand, ticket number
  std::vector<brand_value> ticket_ids;
  std::vector<brand_value> chat_sessions;
  std::vector<std::string> awaiting_callback;  // customer ids
  std::vector<brand_value> calls;              // brand, call id
  bool empty() const {
    return keys.empty() && identities.empty() && message_refs.empty() && numbers.empty() && ticket_ids.empty() &&
           chat_sessions.empty() && awaiting_callback.empty() && calls.empty();
  }
};

struct stored_call {
  messages::call_ref ref;
  std::vector<std::pair<std::string, std::string>> events;  // event key, payload JSON
};

struct answers {
  std::vector<bool> held;                           // the key is taken (committed) already
  std::vector<std::vector<identity_owner>> owners;  // every identity of any kind with that value
  std::vector<std::optional<thread_candidate>> message_refs, numbers, ticket_ids, chat_sessions, awaiting_callback;
  std::vector<std::optional<stored_call>> calls;
};

// For the rest of the transaction: the batch statements join a few dozen
// rows of a parameter against large tables, which only index probes do well;
// the planner, not knowing the parameter's size, would hash whole tables.
void plan_by_index(pqxx::transaction_base& tx);

answers fetch(pqxx::transaction_base& tx, const reads& r);

struct new_customer {
  std::string id;
  std::string brand_id;
  std::string name;
  timestamp at{};
};
struct new_identity {
  std::string brand_id;
  identity id;
  std::string customer_id;
};
struct new_suggestion {
  std::string brand_id;
  std::string customer_id;
  std::string other_id;
  std::string reason;
};
struct customer_touch {
  std::string id;
  timestamp at{};
  std::string name;
};
struct call_event_row {
  std::string message_id;
  std::string event_key;
  std::string kind;
  timestamp at{};
  std::string payload_json;
};
struct call_update {
  std::string message_id;
  std::string call_json;
  std::string outcome;
  timestamp occurred_at{};
};
struct ticket_events {
  std::string ticket_id;
  std::string brand_id;
  std::string events_json;  // [[kind, data], ...]
};
// An inbound key, written with its answer. A key somebody took meanwhile
// fails the flush, and the retried batch finds it taken.
struct key_answer {
  std::string scope;
  std::string key;
  std::string request_sha256;
  std::optional<long long> ttl_seconds;
  std::string response_json;
  bool new_ticket = false;  // the answer's ticket_number is written once the ticket has its number
};

struct writes {
  std::vector<new_customer> customers;
  std::vector<new_identity> identities;
  std::vector<new_suggestion> suggestions;
  std::vector<customer_touch> touches;
  std::vector<tickets::new_ticket> tickets;  // numbered as they are inserted
  std::vector<tickets::inbound_update> ticket_updates;
  std::vector<message_row> messages;  // with their attachments' content
  std::vector<call_event_row> call_events;
  std::vector<call_update> call_updates;
  std::vector<ticket_events> events;
  std::vector<key_answer> answers;
};

// All of it in one statement. Returns the number of each new ticket, by id.
// Throws pqxx::serialization_failure when a row it meant to create or change
// was taken by a concurrent transaction.
std::map<std::string, long long> flush(pqxx::transaction_base& tx, const writes& w);

}  // namespace helpdesk::store::ingest_batch
