#pragma once
// Storage of the SLA engine: calendars and policies (each edit kept as a
// version), the clocks of every ticket, the append-only SLA event log, and
// what the SLA worker reads to recompute clocks.
//
// Exactly once: a warning or a breach is written by whoever holds the clock's
// row lock and finds warned_at / breached_at still empty; the worker and every
// scanner lock the rows they change, the scanners with SKIP LOCKED.
#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "helpdesk/domain/sla.hpp"
#include "helpdesk/store/repositories.hpp"

namespace pqxx {
class transaction_base;
}

namespace helpdesk::store {

struct calendar_row {
  std::string id;
  std::optional<std::string> brand_id;  // empty: shared by every brand
  std::string name;
  std::string time_zone;
  nlohmann::json weekly = nlohmann::json::object();
  nlohmann::json holidays = nlohmann::json::array();
  int version = 1;
  timestamp created_at{};
  timestamp updated_at{};
};

namespace calendars {
// Shared calendars and those of the scope's brands.
std::vector<calendar_row> list(pqxx::transaction_base& tx, const brand_scope& scope, const page_request& page);
std::optional<calendar_row> find(pqxx::transaction_base& tx, const std::string& id);
std::vector<calendar_row> find_many(pqxx::transaction_base& tx, const std::vector<std::string>& ids);
calendar_row insert(pqxx::transaction_base& tx, const calendar_row& c);
// Bumps the version and keeps the definition it replaces.
calendar_row update(pqxx::transaction_base& tx, const calendar_row& c);
// The names of the policies whose targets use the calendar.
std::vector<std::string> used_by(pqxx::transaction_base& tx, const std::string& id);
void remove(pqxx::transaction_base& tx, const std::string& id);
// The definition as it was at that version (time zone, weekly, holidays).
std::optional<calendar_row> at_version(pqxx::transaction_base& tx, const std::string& id, int version);
}  // namespace calendars

namespace sla_policies {
std::vector<sla::policy_def> list(pqxx::transaction_base& tx, const brand_scope& scope,
                                  const std::optional<std::string>& brand_id, const page_request& page);
std::optional<sla::policy_def> find(pqxx::transaction_base& tx, const std::string& id);
std::vector<sla::policy_def> for_brands(pqxx::transaction_base& tx, const std::vector<std::string>& brand_ids);
sla::policy_def insert(pqxx::transaction_base& tx, const sla::policy_def& p);
sla::policy_def update(pqxx::transaction_base& tx, const sla::policy_def& p);
void remove(pqxx::transaction_base& tx, const std::string& id);
}  // namespace sla_policies

// A clock as stored: the computed state plus what the scanner recorded.
struct clock_row {
  std::string ticket_id;
  std::string brand_id;
  sla::clock clock;
  std::int64_t seconds = 0;
  std::optional<std::string> policy_id;
  std::optional<long long> policy_version;
  std::optional<int> calendar_version;
  std::optional<timestamp> warned_at;
  std::optional<timestamp> breached_at;
};

struct sla_event_row {
  std::string ticket_id;
  std::string brand_id;
  std::optional<sla::target_kind> target;
  int cycle = 0;
  std::string kind;  // started, paused, resumed, met, warned, breached, cancelled, policy_changed
  timestamp at{};
  std::optional<std::string> policy_id;
  std::optional<long long> policy_version;
  std::optional<std::string> calendar_id;
  std::optional<int> calendar_version;
  nlohmann::json data = nlohmann::json::object();
  // The ticket as it was when the event was written, for reports.
  struct ticket_dims {
    std::optional<std::string> channel, priority, queue_id, agent_id;
  } dims;
};

namespace sla_clocks {
std::vector<clock_row> for_ticket(pqxx::transaction_base& tx, const std::string& ticket_id);
// The latest cycle of each target, for each of the tickets.
std::vector<clock_row> latest_for(pqxx::transaction_base& tx, const std::vector<std::string>& ticket_ids);
std::vector<sla_event_row> events_of(pqxx::transaction_base& tx, const std::string& ticket_id, int limit);
}  // namespace sla_clocks

namespace sla_worker {

// Only one process recomputes at a time (a transaction-scoped advisory lock).
bool try_lock(pqxx::transaction_base& tx);
struct progress {
  long long cursor = 0;   // transactions below this were seen
  long long horizon = 0;  // the oldest transaction still running
};
progress read_progress(pqxx::transaction_base& tx);
// `reset`: also move it back (after a restore into a new cluster).
void save_cursor(pqxx::transaction_base& tx, long long cursor, bool reset = false);
// Tickets with events written by transactions in [from, to).
std::vector<std::string> changed_tickets(pqxx::transaction_base& tx, long long from, long long to);
// Of the tickets, those a policy may concern: their brand has one, or they had clocks.
std::vector<std::string> relevant_tickets(pqxx::transaction_base& tx, const std::vector<std::string>& ids);
// Tickets queued for a recompute without an event of their own (taken off the queue).
std::vector<std::string> take_rechecks(pqxx::transaction_base& tx, int limit);
// Queues the open tickets of the brands: their policies or calendars changed.
void recheck_open_tickets(pqxx::transaction_base& tx, const std::vector<std::string>& brand_ids);
std::vector<std::string> brands_using_calendar(pqxx::transaction_base& tx, const std::string& calendar_id);
// The names of the policies that name the queue (a condition or an escalation).
std::vector<std::string> policies_using_queue(pqxx::transaction_base& tx, const std::string& queue_id);

// Everything a recompute reads about one ticket.
struct ticket_history {
  std::string ticket_id;
  std::string brand_id;
  sla::ticket_sla_facts facts;
  std::optional<std::string> policy_id;  // the policy applied last time (sla_tickets)
  std::optional<std::string> assignee_id;
  std::vector<sla::timeline_entry> entries;  // sorted by time
  std::vector<clock_row> clocks;             // as stored, locked
};
std::vector<ticket_history> load(pqxx::transaction_base& tx, const std::vector<std::string>& ticket_ids);

struct ticket_result {
  std::string ticket_id;
  std::optional<std::string> policy_id;
  std::optional<timestamp> due_at;  // the nearest due time of a running clock
  std::vector<clock_row> clocks;    // to upsert (a clock no policy runs any more comes back cancelled)
};
void save(pqxx::transaction_base& tx, const std::vector<ticket_result>& results, const std::vector<sla_event_row>& events);

// Clocks whose next warning or breach is due, locked with their tickets
// (SKIP LOCKED), leaving out tickets with changes the worker has not seen.
struct due_clock {
  clock_row row;
  std::string ticket_number;
  std::optional<std::string> assignee_id;
  priority prio = priority::normal;
  std::optional<timestamp> next_check_at;
  std::string channel;  // the ticket's origin channel
  std::optional<std::string> queue_id;
};
std::vector<due_clock> lock_due(pqxx::transaction_base& tx, long long cursor, int limit);
// Writes warned_at / breached_at and the next check; false when already done.
void record_fired(pqxx::transaction_base& tx, const clock_row& c, bool warned, bool breached,
                  std::optional<timestamp> next_check_at);
// An escalation: one step up in priority, logged on the ticket.
void raise_priority(pqxx::transaction_base& tx, const std::string& ticket_id, const std::string& brand_id,
                    priority from, priority to, const std::string& reason);
void add_events(pqxx::transaction_base& tx, const std::vector<sla_event_row>& events);
// Marks a customer message of the ticket "no response needed" (once) and logs
// it; false when the ticket has no such customer message.
bool waive_response(pqxx::transaction_base& tx, const std::string& ticket_id, const std::string& message_id,
                    const std::string& actor);
// The earliest pending check, to sleep until then.
std::optional<timestamp> next_check(pqxx::transaction_base& tx);

}  // namespace sla_worker

// The next instant the scanner must act on a stored clock: its warning, then
// its breach; nothing for a clock that does not run.
std::optional<timestamp> next_check_of(const clock_row& c);

}  // namespace helpdesk::store
