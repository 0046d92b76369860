// Policies: names of the SLA enums, choosing a ticket's policy, validation,
// escalation look-ups.
#include "helpdesk/domain/sla.hpp"

#include <algorithm>
#include "enum_names.hpp"

namespace helpdesk::sla {
namespace {

using detail::parse_by_name;

// Names are limited in characters as people count them, not in UTF-8 bytes.
std::size_t utf8_chars(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool any_shared(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return std::any_of(a.begin(), a.end(),
                     [&](const std::string& x) { return std::find(b.begin(), b.end(), x) != b.end(); });
}

bool matches(const policy_conditions& c, const ticket_sla_facts& t) {
  if (c.channel && *c.channel != t.origin) return false;
  if (c.prio && *c.prio != t.prio) return false;
  if (c.queue_id && t.queue_id != c.queue_id) return false;
  if (!c.tags.empty() && !any_shared(c.tags, t.tags)) return false;
  if (c.source && t.source != c.source) return false;
  if (!c.customer_flags.empty() && !any_shared(c.customer_flags, t.customer_flags)) return false;
  return true;
}

void check_targets(const policy_def& p, std::vector<field_error>& out) {
  if (p.targets.empty()) out.push_back({"/targets", "at least one target is required"});
  for (std::size_t i = 0; i < p.targets.size(); ++i) {
    const target_def& t = p.targets[i];
    const std::string at = "/targets/" + std::to_string(i);
    if (t.seconds < 1 || t.seconds > max_target_seconds)
      out.push_back({at + "/seconds", "must be 1 to " + std::to_string(max_target_seconds) + " seconds"});
    // Written so that NaN fails too.
    if (!(t.warn_at > 0.0 && t.warn_at < 1.0))
      out.push_back({at + "/warn_at", "must be a fraction greater than 0 and less than 1"});
    const bool repeated = std::any_of(p.targets.begin(), p.targets.begin() + static_cast<std::ptrdiff_t>(i),
                                      [&](const target_def& earlier) { return earlier.kind == t.kind; });
    if (repeated) {
      // Appended, not "'" + …: g++ 12 warns falsely (-Wrestrict) about that form.
      std::string message = "'";
      message += to_string(t.kind);
      message += "' is given more than once";
      out.push_back({at + "/target", std::move(message)});
    }
  }
}

void check_pause_on(const policy_def& p, std::vector<field_error>& out) {
  for (std::size_t i = 0; i < p.pause_on.size(); ++i) {
    const ticket_status s = p.pause_on[i];
    if (s != ticket_status::pending && s != ticket_status::on_hold)
      out.push_back({"/pause_on/" + std::to_string(i),
                     "'" + std::string(to_string(s)) + "' cannot pause a clock; only pending and on_hold can"});
  }
}

void check_escalation(const policy_def& p, std::vector<field_error>& out) {
  for (std::size_t i = 0; i < p.escalation.size(); ++i) {
    const escalation_rule& r = p.escalation[i];
    const std::string at = "/escalation/" + std::to_string(i);
    // A rule for a target the policy lacks would silently never fire.
    if (r.target && !find_target(p, *r.target))
      out.push_back({at + "/target", "the policy has no '" + std::string(to_string(*r.target)) + "' target"});
    if (r.act == escalation_rule::action::move_to_queue && r.queue_id.empty())
      out.push_back({at + "/queue_id", "move_to_queue needs a queue_id"});
  }
}

}  // namespace

std::string_view to_string(target_kind k) {
  switch (k) {
    case target_kind::first_response: return "first_response";
    case target_kind::next_response: return "next_response";
    case target_kind::resolution: return "resolution";
    case target_kind::callback: return "callback";
  }
  return "first_response";
}

std::optional<target_kind> parse_target_kind(std::string_view s) {
  return parse_by_name(s, {target_kind::first_response, target_kind::next_response, target_kind::resolution,
                           target_kind::callback});
}

std::string_view to_string(clock_state s) {
  switch (s) {
    case clock_state::running: return "running";
    case clock_state::paused: return "paused";
    case clock_state::met: return "met";
    case clock_state::breached: return "breached";
    case clock_state::cancelled: return "cancelled";
  }
  return "running";
}

std::optional<clock_state> parse_clock_state(std::string_view s) {
  return parse_by_name(s, {clock_state::running, clock_state::paused, clock_state::met, clock_state::breached,
                           clock_state::cancelled});
}

std::string_view to_string(escalation_rule::when w) {
  switch (w) {
    case escalation_rule::when::warning: return "warning";
    case escalation_rule::when::breach: return "breach";
  }
  return "breach";
}

std::optional<escalation_rule::when> parse_escalation_when(std::string_view s) {
  return parse_by_name(s, {escalation_rule::when::warning, escalation_rule::when::breach});
}

std::string_view to_string(escalation_rule::action a) {
  switch (a) {
    case escalation_rule::action::raise_priority: return "raise_priority";
    case escalation_rule::action::move_to_queue: return "move_to_queue";
    case escalation_rule::action::reroute: return "reroute";
    case escalation_rule::action::notify: return "notify";
  }
  return "notify";
}

std::optional<escalation_rule::action> parse_escalation_action(std::string_view s) {
  return parse_by_name(s, {escalation_rule::action::raise_priority, escalation_rule::action::move_to_queue,
                           escalation_rule::action::reroute, escalation_rule::action::notify});
}

const target_def* find_target(const policy_def& p, target_kind k) {
  for (const auto& t : p.targets)
    if (t.kind == k) return &t;
  return nullptr;
}

std::vector<const escalation_rule*> escalations_for(const policy_def& p, escalation_rule::when on,
                                                    target_kind target) {
  std::vector<const escalation_rule*> out;
  for (const auto& r : p.escalation)
    if (r.on == on && (!r.target || *r.target == target)) out.push_back(&r);
  return out;
}

priority raised(priority p) {
  switch (p) {
    case priority::low: return priority::normal;
    case priority::normal: return priority::high;
    case priority::high:
    case priority::urgent: return priority::urgent;
  }
  return priority::urgent;
}

const policy_def* choose_policy(const std::vector<policy_def>& brand_policies, const ticket_sla_facts& t) {
  const policy_def* best = nullptr;
  for (const auto& p : brand_policies) {
    if (!matches(p.conditions, t)) continue;
    if (!best || p.position < best->position || (p.position == best->position && p.id < best->id)) best = &p;
  }
  return best;
}

std::vector<field_error> validate_policy(const policy_def& p) {
  std::vector<field_error> out;
  if (p.name.empty() || utf8_chars(p.name) > max_policy_name_chars)
    out.push_back({"/name", "must be 1 to " + std::to_string(max_policy_name_chars) + " characters"});
  check_targets(p, out);
  check_pause_on(p, out);
  check_escalation(p, out);
  return out;
}

}  // namespace helpdesk::sla
