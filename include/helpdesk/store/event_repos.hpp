#pragma once
// The domain-event side of the store: the relay's reading of ticket events
// and outbox rows, the agents' live feed, webhook subscriptions and their
// deliveries with leases.
#include <optional>
#include <string>
#include <vector>

#include "helpdesk/domain/time.hpp"
#include "helpdesk/store/repositories.hpp"
#include "helpdesk/store/support_repos.hpp"

namespace pqxx {
class transaction_base;
}

namespace helpdesk::store {

namespace relay {
// A ticket event or an outbox row, as the relay reads it.
struct source_row {
  bool from_outbox = false;
  std::string kind;  // a ticket event's kind, or an outbox row's event type
  std::string brand_id;
  std::optional<std::string> ticket_id;
  std::string data_json;
  std::string actor;  // ticket events only
  timestamp at{};
};
struct window {
  long long seq = 0;    // the last feed number handed out
  long long upper = 0;  // the cursor after this window
  std::vector<source_row> rows;  // in commit-safe order
};
// Locks the relay (nullopt: another relay is running) and reads the events
// of transactions that have ended since the last window, at most about
// `limit` rows (a larger single transaction is read whole).
std::optional<window> begin(pqxx::transaction_base& tx, long long limit);
void finish(pqxx::transaction_base& tx, long long upper, long long seq);

struct feed_row {
  long long seq = 0;
  std::string agent_id;
  std::string brand_id;
  std::string event_type;
  std::optional<std::string> ticket_id;
  std::string data_json;
  timestamp at{};
};
void append_feed(pqxx::transaction_base& tx, const std::vector<feed_row>& rows);
// Feed rows after `after_seq`, oldest first; for one agent, or for any when empty.
std::vector<feed_row> feed_after(pqxx::transaction_base& tx, long long after_seq, const std::string& agent_id,
                                 long long limit);
long long feed_head(pqxx::transaction_base& tx);
// Wakes every process's live streams (PostgreSQL NOTIFY, sent at commit).
void notify_feed(pqxx::transaction_base& tx, long long seq);
}  // namespace relay

namespace retention {
struct pruned {
  long long feed = 0;
  long long outbox = 0;
  long long deliveries = 0;
  long long total() const { return feed + outbox + deliveries; }
};
// Deletes at most `limit` rows of each kind older than `days` days: live-feed
// rows, outbox rows the relay has passed, and finished webhook deliveries
// (their attempts go with them). Pending deliveries are kept at any age.
pruned prune(pqxx::transaction_base& tx, int days, long long limit);
}  // namespace retention

namespace webhooks {
struct subscription {
  std::string id;
  std::string url;
  std::string description;
  std::vector<std::string> events;
  std::vector<std::string> brands;  // empty: every brand
  std::string secret;
  std::optional<std::string> previous_secret;  // still valid until previous_secret_until
  std::optional<timestamp> previous_secret_until;
  std::string state = "active";
  std::optional<std::string> disabled_reason;
  timestamp created_at{};
  timestamp updated_at{};
};
void insert(pqxx::transaction_base& tx, const subscription& s);
std::optional<subscription> find(pqxx::transaction_base& tx, const std::string& id);
std::vector<subscription> list(pqxx::transaction_base& tx, const page_request& page);
// Every subscription that is not disabled (paused ones still collect deliveries).
std::vector<subscription> receiving(pqxx::transaction_base& tx);
struct subscription_edit {
  std::optional<std::string> url;
  std::optional<std::string> description;
  std::optional<std::vector<std::string>> events;
  std::optional<std::vector<std::string>> brands;
  std::optional<std::string> state;  // active (also re-enables a disabled one) or paused
};
bool update(pqxx::transaction_base& tx, const std::string& id, const subscription_edit& e);
// The new secret signs from now on; the old one beside it for `overlap_s`.
bool rotate_secret(pqxx::transaction_base& tx, const std::string& id, const std::string& secret, long long overlap_s);
bool remove(pqxx::transaction_base& tx, const std::string& id);

struct new_delivery {
  std::string id;
  std::string subscription_id;
  std::string webhook_id;
  std::string event_type;
  std::string brand_id;
  std::string body;
};
void insert_deliveries(pqxx::transaction_base& tx, const std::vector<new_delivery>& rows);
// Wakes every process's senders (NOTIFY at commit).
void notify_deliveries(pqxx::transaction_base& tx);

struct leased {
  std::string id;
  std::string subscription_id;
  std::string webhook_id;
  std::string body;
  int attempts = 0;  // made before this one
  std::string url;
  std::vector<std::string> secrets;  // every secret to sign with
};
// Due deliveries of active subscriptions, leased to `worker` for `lease_s`.
std::vector<leased> lease_due(pqxx::transaction_base& tx, const std::string& worker, long long limit, long long lease_s);
struct attempt_result {
  std::optional<int> status_code;
  long long latency_ms = 0;
  std::string error;  // empty on a 2xx
  bool succeeded = false;
  bool gone = false;  // 410: the subscription is disabled
  std::optional<timestamp> retry_at;  // else: given up
};
// Records the attempt, unless the lease was lost meanwhile (false).
bool record_attempt(pqxx::transaction_base& tx, const leased& d, const std::string& worker, const attempt_result& r);
// Seconds until the next delivery is due (nullopt: nothing pending).
std::optional<double> next_due_in(pqxx::transaction_base& tx);

struct attempt_row {
  int attempt = 0;
  timestamp at{};
  std::optional<int> status_code;
  long long latency_ms = 0;
  std::optional<std::string> error;
  std::string worker;
};
struct delivery_row {
  std::string id;
  std::string subscription_id;
  std::string webhook_id;
  std::string event_type;
  std::string brand_id;
  std::string state;
  int attempts = 0;
  std::optional<timestamp> next_attempt_at;
  std::optional<int> last_status;
  std::optional<std::string> last_error;
  timestamp created_at{};
  std::optional<timestamp> completed_at;
  std::string body;
  std::vector<attempt_row> history;
};
std::vector<delivery_row> deliveries(pqxx::transaction_base& tx, const std::string& subscription_id,
                                     const page_request& page);
// Sends the delivery again as soon as possible, under the same webhook-id.
bool replay(pqxx::transaction_base& tx, const std::string& subscription_id, const std::string& delivery_id);
}  // namespace webhooks

}  // namespace helpdesk::store
