#pragma once
// The queue router's rules, free of I/O: which queue a ticket belongs to,
// how far a queue has widened after waiting, which agents may take a ticket
// and which of them should. Every "no" carries its reason, so a decision can
// be explained to the manager who asks why a ticket went where it went.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "helpdesk/domain/agent_routing.hpp"
#include "helpdesk/domain/directory.hpp"
#include "helpdesk/domain/ticket.hpp"
#include "helpdesk/domain/time.hpp"

namespace helpdesk::routing {

struct agent_profile {
  std::string id;
  std::string name;
  bool active = true;
  presence status = presence::offline;
  std::vector<agent_language> languages;
  std::vector<std::string> skills;
  std::vector<agent_brand> brands;
  per_channel capacity{25, 3, 1};
  per_channel load{0, 0, 0};  // open tickets assigned, per channel
  std::optional<timestamp> last_assigned_at;
};

struct queue_conditions {
  std::optional<work_channel> channel;
  std::vector<std::string> languages;  // any of
  std::vector<std::string> tags;       // any of
  std::optional<std::string> source;   // external source such as "amazon"
  std::optional<bool> callback_required;
  bool empty() const;
};

// One widening, in force once a ticket has waited `after_seconds`.
struct overflow_step {
  long long after_seconds = 0;
  std::vector<std::string> fallback_languages;  // "*": any language
  bool allow_backup_agents = false;
  bool drop_optional_skills = false;
};

struct queue_def {
  std::string id;
  std::string brand_id;
  std::string name;
  int position = 0;
  bool is_default = false;  // matches anything; a brand's last resort
  queue_mode mode = queue_mode::push;
  queue_conditions conditions;
  std::vector<std::string> required_skills;
  std::vector<std::string> optional_skills;  // required until an overflow step drops them
  language_level min_language_level = language_level::basic;
  std::vector<overflow_step> overflow;  // ordered by after_seconds
};

struct ticket_facts {
  std::string id;
  std::string brand_id;
  work_channel channel = work_channel::email;
  std::string language;  // empty: unknown, any agent will do
  std::vector<std::string> tags;
  std::optional<std::string> source;
  bool callback_required = false;
  priority prio = priority::normal;
  std::optional<timestamp> due_at;  // the nearest deadline (SLA or callback)
  timestamp waiting_since{};        // when it entered its queue
  std::optional<std::string> released_by;  // the agent who last gave it back: not offered to them again
};

// The work channel of a ticket: a ticket waiting for a callback is phone
// work whatever channel it started on.
work_channel channel_of(channel origin, bool callback_required);

// --- Queues -----------------------------------------------------------------

struct queue_check {
  const queue_def* queue = nullptr;
  bool matched = false;
  std::string reason;  // what matched, or the first condition that did not
};

struct queue_choice {
  const queue_def* chosen = nullptr;  // null only when the brand has no queue at all
  std::vector<queue_check> checks;    // in the order considered
  std::string reason() const;         // why the chosen queue matched (empty when none was)
};

// The first queue (by position; the default queue last) whose conditions
// the ticket meets.
queue_choice choose_queue(const std::vector<queue_def>& brand_queues, const ticket_facts& t);

// --- Overflow ---------------------------------------------------------------

struct widening {
  int steps = 0;  // overflow steps in force
  std::vector<std::string> fallback_languages;
  bool any_language = false;
  bool allow_backup_agents = false;
  bool drop_optional_skills = false;
};
widening widening_after(const queue_def& q, long long waited_seconds);

// --- Agents -----------------------------------------------------------------

struct verdict {
  bool eligible = false;
  std::string reason;  // why not, or how the agent qualifies
  int language_score = 0;  // 3 native .. 1 basic in the ticket's language; 0 for a fallback language
  int skill_score = 0;     // optional skills and ticket tags the agent has
  bool primary = false;    // serves the brand as primary (not backup)
};

verdict evaluate(const agent_profile& a, const queue_def& q, const ticket_facts& t, const widening& w);

// True when `a` should get the ticket before `b` (both eligible): better
// language, better skill match, primary before backup, less loaded, longer
// since the last assignment, then id, so that the choice is deterministic.
bool better_candidate(const agent_profile& a, const verdict& va, const agent_profile& b, const verdict& vb,
                      work_channel ch);

struct pick {
  std::size_t index = 0;  // into the agents given
  verdict why;
};
std::optional<pick> pick_agent(const std::vector<agent_profile>& agents, const queue_def& q, const ticket_facts& t,
                               const widening& w);

// --- The "unassigned" view ------------------------------------------------

// Which waiting tickets of one queue an agent may be offered once they have
// waited `after_seconds`: the standing part of evaluate() (brand membership,
// skills, languages at the queue's level, channels with capacity). Presence,
// load and a ticket given back are left out, so the view shows the work the
// agent could pick up, not only what the router would push this moment.
struct view_rule {
  std::string queue_id;
  long long after_seconds = 0;
  bool any_language = false;            // a fallback language the agent speaks opens every language
  std::vector<std::string> languages;   // else these (a ticket of unknown language always passes)
  std::vector<work_channel> channels;   // the ticket's work channel must be one of these
};

// One rule per queue and widening stage at which the agent qualifies, a
// stage left out when it widens nothing for this agent; queues of brands
// the agent does not serve give none. The last rule, with an empty
// queue_id, is for tickets not in a queue: the agent's languages decide.
// A deactivated agent gets no rules at all.
std::vector<view_rule> view_rules(const agent_profile& a, const std::vector<queue_def>& queues);

// Most urgent first: priority, then the nearest deadline, then the longest
// waiting, then id.
bool more_urgent(const ticket_facts& a, const ticket_facts& b);

}  // namespace helpdesk::routing
