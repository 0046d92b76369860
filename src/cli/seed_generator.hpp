#pragma once
// The generator behind `helpdesk seed`: a deterministic, realistic history of
// brands, agents, customers and tickets with their messages, ticket events,
// SLA clocks and events, as PostgreSQL COPY text. Pure: no I/O, no clock, no
// global random state; the same parameters give the same bytes.
//
// Rows come out in batches. A batch holds, per table, COPY text lines that
// may be loaded once the tables before it in `table` order are loaded (the
// foreign keys point backwards). Within a table, the rows of all batches
// together are in time order (created_at / occurred_at / at / started_at),
// so BRIN indexes on those columns stay tight.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "helpdesk/domain/time.hpp"

namespace helpdesk::seed {

struct params {
  int brands = 20;
  int agents = 300;
  long long tickets = 100000;
  std::uint64_t seed = 42;
  int days = 365;
  timestamp until{};                // the end of the history ("now")
  std::string slug_prefix = "seed";  // brands are <prefix>-01, <prefix>-02, ...
  std::string password_hash = "!";   // every seeded agent's (one argon2 hash, computed by the caller)
};

// Limits of the flags; `helpdesk seed` refuses values outside them.
inline constexpr int max_brands = 200;
inline constexpr int max_agents = 5000;
inline constexpr long long max_tickets = 20'000'000;
inline constexpr int max_days = 1096;

// In load order.
enum class table : int {
  brands,
  brand_inbound_addresses,
  queues,
  calendars,
  calendar_versions,
  sla_policies,
  sla_policy_versions,
  agents,
  agent_brands,
  agent_presence_intervals,
  customers,
  customer_identities,
  tickets,
  messages,
  ticket_events,
  callback_attempts,
  sla_clocks,
  sla_events,
  sla_tickets,
};
inline constexpr std::size_t table_count = 19;

struct table_spec {
  const char* name;
  std::vector<std::string> columns;
};
const table_spec& spec(table t);

struct batch {
  std::array<std::string, table_count> text;  // COPY text format, one line per row
  std::array<long long, table_count> rows{};
  long long tickets_done = 0;  // tickets generated up to and including this batch
  std::string& of(table t) { return text[static_cast<std::size_t>(t)]; }
  void clear();
};

// What the loader needs besides the rows.
struct brand_summary {
  std::string id;
  std::string slug;
  long long last_number = 0;  // highest ticket number given out; 0 when none
  // The two queues the brands trigger creates, renamed to these ids so that
  // the whole history is deterministic.
  std::string callbacks_queue_id;
  std::string default_queue_id;
};

struct totals {
  std::array<long long, table_count> rows{};
  long long of(table t) const { return rows[static_cast<std::size_t>(t)]; }
};

class generator {
 public:
  explicit generator(const params& p);
  ~generator();
  generator(const generator&) = delete;
  generator& operator=(const generator&) = delete;

  // Brands, their addresses and extra queues, calendars, policies, agents,
  // memberships and presence intervals. Called once, first.
  void directory(batch& out);
  // The next tickets (at most `batch_tickets`) with everything that happened up
  // to their creation time; false once every row has been handed out.
  bool next(batch& out, long long batch_tickets);

  const std::vector<brand_summary>& brands() const;
  // After the last batch, COPY text "id<TAB>instant": each customer's latest
  // inbound message, each agent's latest assignment.
  std::string last_contacts() const;
  std::string last_assignments() const;
  const totals& counted() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// COPY text escaping (backslash, tab, newline, carriage return) appended to out.
void append_copy_escaped(std::string& out, std::string_view value);
// "YYYY-MM-DD HH:MM:SS.mmm+00" (COPY) and "YYYY-MM-DDTHH:MM:SS.mmmZ" (JSON, as format_rfc3339).
void append_copy_time(std::string& out, timestamp t);
void append_rfc3339(std::string& out, timestamp t);

}  // namespace helpdesk::seed
