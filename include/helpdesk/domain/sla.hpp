#pragma once
// Service level agreements, free of I/O: which policy a ticket falls under,
// whether a policy is well-formed, and the state of every SLA clock of a
// ticket. Clocks are a pure function of the ticket's history and `now`, so
// they are recomputed from scratch on every change and the order in which
// events arrived can never alter them.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "helpdesk/domain/calendar.hpp"
#include "helpdesk/domain/error.hpp"
#include "helpdesk/domain/ticket.hpp"
#include "helpdesk/domain/time.hpp"

namespace helpdesk::sla {

enum class target_kind { first_response, next_response, resolution, callback };
enum class clock_state { running, paused, met, breached, cancelled };

std::string_view to_string(target_kind k);
std::optional<target_kind> parse_target_kind(std::string_view s);
std::string_view to_string(clock_state s);
std::optional<clock_state> parse_clock_state(std::string_view s);

// --- Policies ---------------------------------------------------------------

inline constexpr std::int64_t max_target_seconds = 366LL * 86400;
inline constexpr std::size_t max_policy_name_chars = 200;

struct target_def {
  target_kind kind = target_kind::first_response;
  std::int64_t seconds = 0;
  std::string calendar_id;  // empty: 24x7 calendar time
  double warn_at = 0.75;    // fraction of `seconds` elapsed
};

struct escalation_rule {
  enum class when { warning, breach };
  enum class action { raise_priority, move_to_queue, reroute, notify };
  when on = when::breach;
  std::optional<target_kind> target;  // empty: any target
  action act = action::notify;
  std::string queue_id;  // for move_to_queue
};

std::string_view to_string(escalation_rule::when w);
std::optional<escalation_rule::when> parse_escalation_when(std::string_view s);
std::string_view to_string(escalation_rule::action a);
std::optional<escalation_rule::action> parse_escalation_action(std::string_view s);

// Every condition that is set must hold; an empty object matches any ticket.
struct policy_conditions {
  std::optional<helpdesk::channel> channel;
  std::optional<priority> prio;
  std::optional<std::string> queue_id;
  std::vector<std::string> tags;  // any of
  std::optional<std::string> source;
  std::vector<std::string> customer_flags;  // any of ("vip", "b2b")
};

struct policy_def {
  std::string id;
  std::string brand_id;
  std::string name;
  int position = 0;
  long long version = 1;
  policy_conditions conditions;
  std::vector<target_def> targets;
  std::vector<ticket_status> pause_on{ticket_status::pending, ticket_status::on_hold};
  std::vector<escalation_rule> escalation;
};

// The policy's target of that kind, or nullptr.
const target_def* find_target(const policy_def& p, target_kind k);

// The rules to run when a clock of `target` warns or breaches, in policy order.
std::vector<const escalation_rule*> escalations_for(const policy_def& p, escalation_rule::when on, target_kind target);

// One step up: low -> normal -> high -> urgent; urgent stays.
priority raised(priority p);

struct ticket_sla_facts {
  channel origin = channel::email;
  priority prio = priority::normal;
  std::optional<std::string> queue_id;
  std::vector<std::string> tags;
  std::optional<std::string> source;
  std::vector<std::string> customer_flags;  // the customer's flags
};

// The first policy (lowest position, then id) whose conditions the ticket
// meets; nullptr when none does.
const policy_def* choose_policy(const std::vector<policy_def>& brand_policies, const ticket_sla_facts& t);

// Every problem, each with its JSON pointer into the API shape:
// "/name", "/targets", "/targets/1/seconds", "/targets/1/warn_at",
// "/targets/1/target" (a kind given twice), "/pause_on/0",
// "/escalation/2/queue_id", "/escalation/2/target" (a target the policy lacks).
std::vector<field_error> validate_policy(const policy_def& p);

// --- Clocks -----------------------------------------------------------------

// What happened on a ticket, as far as SLAs care. The caller leaves out
// automatic messages (auto-replies, bots, automatic outbound) and internal
// notes: they never start, fulfil or resume a clock.
enum class entry_kind { customer_message, agent_reply, status_change, response_waived, callback_requested, callback_done };

struct timeline_entry {
  timestamp at{};
  entry_kind kind = entry_kind::customer_message;
  ticket_status status{};  // for status_change: the new status
  // For response_waived: when the waived message arrived. The waiver ends the
  // wait that message is part of, not a later one.
  std::optional<timestamp> about;
};

struct clock {
  target_kind target = target_kind::first_response;
  int cycle = 1;  // 1, 2, ... per target
  clock_state state = clock_state::running;
  timestamp started_at{};
  std::optional<timestamp> stopped_at;
  // While running: the current deadlines (a pause pushes them). Stopped: the
  // ones in force at the stop. Paused, or a calendar without hours: none.
  std::optional<timestamp> due_at;
  std::optional<timestamp> warn_at;
  // Business seconds left at `now` (or at the stop); negative = overdue.
  std::int64_t remaining_seconds = 0;
  bool business_hours = false;  // the calendar is not 24x7
  std::string calendar_id;      // empty: 24x7 calendar time was used
  bool breached = false;        // the due time passed while the clock ran
};

// A calendar by id; nullptr (or an empty function) means 24x7 calendar time.
using calendar_lookup = std::function<const domain::business_calendar*(const std::string& id)>;

// The clocks of every target the policy has, ordered by target kind
// (first_response, next_response, resolution, callback) then cycle.
// `sorted_entries` is sorted by time; equal times are taken in vector order.
std::vector<clock> compute_clocks(const policy_def& policy, const calendar_lookup& calendars,
                                  const std::vector<timeline_entry>& sorted_entries, timestamp now);

}  // namespace helpdesk::sla
