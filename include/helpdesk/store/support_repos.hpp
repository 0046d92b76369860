#pragma once
// Repositories of the support data: customers and their identities, tickets,
// messages, attachments, the ticket event log and the exactly-once ledger.
// Enumerations travel as their text names (see domain/ticket.hpp).
#include <optional>
#include <string>
#include <vector>

#include "helpdesk/domain/customer_match.hpp"
#include "helpdesk/domain/identity.hpp"
#include "helpdesk/domain/threading.hpp"
#include "helpdesk/domain/time.hpp"
#include "helpdesk/store/repositories.hpp"
#include "helpdesk/store/sla_repos.hpp"

namespace pqxx {
class transaction_base;
}

namespace helpdesk::store {

struct customer_row {
  std::string id;
  std::string brand_id;
  std::string name;
  std::optional<std::string> merged_into;
  timestamp created_at{};
  timestamp updated_at{};
  std::optional<timestamp> last_contact_at;
  std::vector<identity> identities;
  std::vector<std::string> flags;  // "vip", "b2b": set by staff, read by SLA policies
};

// An agent who has the ticket open (a heartbeat within the last half minute).
struct ticket_viewer {
  std::string agent_id;
  std::string name;
  bool composing = false;
  timestamp seen_at{};
};

struct ticket_row {
  std::string id;
  std::string brand_id;
  std::string ticket_prefix;
  long long number = 0;
  std::string customer_id;
  std::string subject;
  std::string status = "new";
  std::string priority = "normal";
  std::string origin_channel;
  std::optional<std::string> language;
  std::vector<std::string> tags;
  bool callback_required = false;
  std::optional<std::string> chat_session_id;
  std::optional<std::string> linked_ticket_id;
  std::optional<timestamp> customer_waiting_since;
  std::optional<timestamp> sla_due_at;  // the nearest due time of a running SLA clock
  std::vector<clock_row> sla;            // latest cycle per target; filled by the app when shown
  int version = 1;
  timestamp created_at{};
  timestamp updated_at{};
  std::optional<timestamp> last_inbound_at;
  std::optional<timestamp> last_outbound_at;
  std::optional<timestamp> solved_at;
  std::optional<timestamp> closed_at;
  std::optional<double> language_confidence;
  std::optional<std::string> source;
  std::optional<std::string> queue_id;
  std::optional<timestamp> queued_at;
  std::optional<std::string> assignee_id;
  std::optional<timestamp> assigned_at;
  std::optional<timestamp> callback_due_at;
  std::optional<std::string> merged_into;  // merged: the ticket that absorbed this one
  std::vector<ticket_viewer> viewers;      // other agents on it now; filled by the app when one ticket is shown
  std::string display_number() const { return ticket_prefix + "-" + std::to_string(number); }
};

struct attachment_row {
  std::string id;
  std::string message_id;
  std::string brand_id;
  std::string filename;
  std::string content_type;
  std::string content_id;
  bool is_inline = false;
  long long size = 0;
  std::string sha256;
  std::string content;  // filled only when the content itself is read
};

struct message_row {
  std::string id;
  std::string ticket_id;
  std::string brand_id;
  std::string customer_id;
  std::string channel;
  std::string direction;
  bool automatic = false;
  std::string automatic_reason;
  std::optional<std::string> author_agent_id;
  std::string sender;
  std::string subject;
  std::string body_text;
  std::string body_html;
  std::optional<std::string> email_json;  // JSON text
  std::optional<std::string> email_message_id;
  std::optional<std::string> call_id;
  std::optional<std::string> call_json;   // JSON text of the folded call
  std::optional<std::string> call_outcome;
  std::optional<std::string> chat_session_id;
  std::optional<std::string> chat_message_id;
  timestamp occurred_at{};
  timestamp created_at{};
  std::vector<attachment_row> attachments;  // metadata only
  // For timelines: the ticket's human number.
  std::string ticket_number;
  // Outbound: what the delivering integration last reported.
  std::optional<std::string> delivery_status;
  std::optional<std::string> delivery_reason;
  std::optional<timestamp> delivery_updated_at;
  std::vector<std::string> mentions;  // notes: the agents @mentioned
};

// Rolls the transaction back and runs it again: a concurrent ingest took a
// key (identity, chat session, call) this one was about to create.
[[noreturn]] void retry_transaction(const char* why);

namespace inbound_keys {
struct stored {
  std::string request_sha256;
  std::optional<std::string> response;  // JSON text; empty while the first request is in flight
};
// Claims the key for this transaction. Nullopt: claimed now, go on. A value:
// somebody has it (a concurrent claimer is waited for by PostgreSQL first).
std::optional<stored> claim(pqxx::transaction_base& tx, const std::string& scope, const std::string& key,
                            const std::string& request_sha256, std::optional<long long> ttl_seconds);
void complete(pqxx::transaction_base& tx, const std::string& scope, const std::string& key,
              const std::string& response_json);
// The end of an ingest in one statement: the ticket's events (a JSON array
// of [kind, data]) and the answer stored under the event key and, when
// given, the Idempotency-Key.
struct key_ref {
  std::string scope;
  std::string key;
};
void finish(pqxx::transaction_base& tx, const std::string& ticket_id, const std::string& brand_id,
            const std::string& events_json, const std::string& response_json, const key_ref& event_key,
            const std::optional<key_ref>& idempotency_key);
long long prune_expired(pqxx::transaction_base& tx);
}  // namespace inbound_keys

// Resolving an inbound event's brand.
namespace brands {
// The default phone regions of the brands in scope (to read phone queries).
std::vector<std::string> phone_regions(pqxx::transaction_base& tx, const brand_scope& scope);
std::optional<brand> find_by_slug(pqxx::transaction_base& tx, const std::string& slug);
// The brand whose inbound address is the first of `addresses` (lower-case addr-specs) to match.
std::optional<brand> find_by_inbound_address(pqxx::transaction_base& tx, const std::vector<std::string>& addresses);
}  // namespace brands

namespace customers {
std::vector<identity_owner> owners(pqxx::transaction_base& tx, const std::string& brand_id,
                                   const std::vector<identity>& ids);
// A new customer with its identities and first contact, in one statement.
// False when a concurrent ingest took one of the identities first.
bool create(pqxx::transaction_base& tx, const std::string& id, const std::string& brand_id, const std::string& name,
            const std::vector<identity>& ids, timestamp contact_at);
// False when another customer took the identity first (a concurrent ingest).
bool attach_identity(pqxx::transaction_base& tx, const std::string& brand_id, const std::string& customer_id,
                     const identity& id);
void suggest_merge(pqxx::transaction_base& tx, const std::string& brand_id, const std::string& customer_id,
                   const std::string& other_id, const std::string& reason);
// Records a contact; fills the name when the customer had none.
void touch(pqxx::transaction_base& tx, const std::string& id, timestamp at, const std::string& name);
std::optional<customer_row> find(pqxx::transaction_base& tx, const std::string& id);
// Replaces the customer's flags; its open tickets get their SLA policy chosen again.
void set_flags(pqxx::transaction_base& tx, const std::string& id, const std::vector<std::string>& flags);
struct search_query {
  std::string text;                 // name, email or handle fragment
  std::vector<std::string> e164;  // the query read as a phone number in each brand's region
};
std::vector<customer_row> search(pqxx::transaction_base& tx, const brand_scope& scope, const search_query& q,
                                 const page_request& page);

struct channel_summary {
  std::string channel;
  long long interactions = 0;
  std::optional<timestamp> last_contact_at;
};
std::vector<channel_summary> channel_summaries(pqxx::transaction_base& tx, const std::string& id);
struct suggestion {
  std::string customer_id;
  std::string name;
  std::string reason;
  timestamp created_at{};
};
std::vector<suggestion> merge_suggestions(pqxx::transaction_base& tx, const std::string& id);
// Locks both customers (in id order, so two merges cannot deadlock).
void lock_pair(pqxx::transaction_base& tx, const std::string& a, const std::string& b);
// Moves everything of `merged` onto `survivor` and records the audit row.
struct merge_counts {
  long long identities = 0;
  long long tickets = 0;
  long long messages = 0;
};
merge_counts merge(pqxx::transaction_base& tx, const std::string& survivor, const std::string& merged,
                   const std::string& actor);
}  // namespace customers

namespace tickets {
struct new_ticket {
  std::string id;
  std::string brand_id;
  std::string customer_id;
  std::string subject;
  std::string status = "new";
  std::string origin_channel;
  std::optional<std::string> language;
  std::optional<double> language_confidence;  // set when detected, not when given or assumed
  std::vector<std::string> tags;
  std::optional<std::string> source;  // "amazon": the external system the customer came through
  std::optional<std::string> chat_session_id;
  std::optional<std::string> linked_ticket_id;
  bool callback_required = false;
  std::optional<timestamp> callback_due_at;  // when the customer should have been called back
  std::optional<std::string> queue_id;        // placed by ingest as the router would
  timestamp at{};
  bool customer_waiting = true;
};
// Returns the new ticket's number; nullopt when a concurrent ingest created
// the chat session's ticket first.
std::optional<long long> insert(pqxx::transaction_base& tx, const new_ticket& t);
// The first ticket holding one of the message ids (in the order given), or
// the ticket whose id is one of `ticket_ids` (our own outbound ids).
std::optional<thread_candidate> by_message_ids(pqxx::transaction_base& tx, const std::string& brand_id,
                                               const std::vector<std::string>& message_ids);
std::optional<thread_candidate> by_number(pqxx::transaction_base& tx, const std::string& brand_id, long long number);
std::optional<thread_candidate> by_id(pqxx::transaction_base& tx, const std::string& brand_id, const std::string& id);
std::optional<thread_candidate> by_chat_session(pqxx::transaction_base& tx, const std::string& brand_id,
                                                const std::string& session_id);
// The customer's newest ticket still waiting for a callback.
std::optional<thread_candidate> awaiting_callback(pqxx::transaction_base& tx, const std::string& customer_id);
struct inbound_update {
  std::string id;
  std::string expected_status;  // optimistic: the status the decision was made on
  std::string new_status;
  timestamp at{};
  bool customer_waiting = false;  // a person wrote and waits for an answer
  std::optional<bool> callback_required;
  std::optional<timestamp> callback_due_at;  // a first missed call's deadline; an earlier one is kept
};
// False when the ticket changed status meanwhile (the caller retries).
bool record_inbound(pqxx::transaction_base& tx, const inbound_update& u);
// An agent's edit of a ticket; each change is logged as its own ticket event.
struct ticket_edit {
  std::optional<std::string> status;
  std::optional<std::string> priority;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::string> subject;   // the agent's own subject
  std::optional<std::string> queue_id;  // moved to this queue of the brand
};
// Applies the edit to the ticket (locked by the caller, at `current`).
void apply_edit(pqxx::transaction_base& tx, const ticket_row& current, const ticket_edit& e, const std::string& actor);
std::optional<ticket_row> find(pqxx::transaction_base& tx, const std::string& id, bool lock = false);
std::vector<ticket_row> find_many(pqxx::transaction_base& tx, const std::vector<std::string>& ids);
std::string display_number(pqxx::transaction_base& tx, const std::string& id);
struct list_filter {
  std::optional<std::string> brand_id;
  std::optional<std::string> status;
  std::optional<std::string> customer_id;
  std::optional<std::string> channel;  // origin channel
  bool open_only = false;              // neither solved nor closed
  std::optional<long long> breaching_within;  // seconds: an SLA clock due by then (or overdue)
  bool by_sla_due = false;                    // soonest SLA deadline first (tickets without one left out)
  std::optional<timestamp> after_due;         // by_sla_due's cursor, with page.after_id
};
std::vector<ticket_row> list(pqxx::transaction_base& tx, const brand_scope& scope, const list_filter& f,
                             const page_request& page);
}  // namespace tickets

namespace messages {
void insert(pqxx::transaction_base& tx, const message_row& m);
void insert_attachment(pqxx::transaction_base& tx, const attachment_row& a);
struct call_ref {
  std::string message_id;
  std::string ticket_id;
  std::string customer_id;
  std::string call_json;  // the folded call as stored
};
// Locks the call's message until the transaction ends.
std::optional<call_ref> lock_call(pqxx::transaction_base& tx, const std::string& brand_id, const std::string& call_id);
void update_call(pqxx::transaction_base& tx, const std::string& message_id, const std::string& call_json,
                 const std::string& outcome, timestamp occurred_at);
// False when this event (kind, and sequence if any) was already stored for the call.
bool add_call_event(pqxx::transaction_base& tx, const std::string& message_id, const std::string& event_key,
                    const std::string& kind, timestamp at, const std::string& payload_json);
// Event key and payload JSON of each event stored for the call.
std::vector<std::pair<std::string, std::string>> call_events(pqxx::transaction_base& tx, const std::string& message_id);
std::vector<message_row> for_ticket(pqxx::transaction_base& tx, const std::string& ticket_id, const page_request& page);
// Newest first; the cursor is the last message id of the previous page.
std::vector<message_row> timeline(pqxx::transaction_base& tx, const std::string& customer_id, const page_request& page);
std::optional<attachment_row> attachment(pqxx::transaction_base& tx, const std::string& id);
std::vector<message_row> find_many(pqxx::transaction_base& tx, const std::vector<std::string>& ids);
std::optional<message_row> find(pqxx::transaction_base& tx, const std::string& id);
}  // namespace messages

}  // namespace helpdesk::store
