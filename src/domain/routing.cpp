#include "helpdesk/domain/routing.hpp"

#include <algorithm>

namespace helpdesk::routing {
namespace {

template <typename E, std::size_t N>
std::optional<E> parse_named(std::string_view s, const std::array<std::pair<E, std::string_view>, N>& names) {
  for (const auto& [value, name] : names)
    if (name == s) return value;
  return std::nullopt;
}

template <typename E, std::size_t N>
std::string_view name_of(E v, const std::array<std::pair<E, std::string_view>, N>& names) {
  for (const auto& [value, name] : names)
    if (value == v) return name;
  return {};
}

constexpr std::array<std::pair<language_level, std::string_view>, 3> level_names{
    {{language_level::basic, "basic"}, {language_level::fluent, "fluent"}, {language_level::native, "native"}}};
constexpr std::array<std::pair<presence, std::string_view>, 3> presence_names{
    {{presence::online, "online"}, {presence::away, "away"}, {presence::offline, "offline"}}};
constexpr std::array<std::pair<queue_mode, std::string_view>, 2> mode_names{
    {{queue_mode::push, "push"}, {queue_mode::pull, "pull"}}};
constexpr std::array<std::pair<work_channel, std::string_view>, 3> channel_names{
    {{work_channel::email, "email"}, {work_channel::chat, "chat"}, {work_channel::phone, "phone"}}};

bool contains(const std::vector<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

bool any_shared(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return std::any_of(a.begin(), a.end(), [&](const std::string& x) { return contains(b, x); });
}

std::string joined(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& s : list) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Empty when the ticket meets every condition, else the first that fails.
std::string unmet_condition(const queue_conditions& c, const ticket_facts& t) {
  if (c.channel && *c.channel != t.channel)
    return "channel is " + std::string(to_string(t.channel)) + ", not " + std::string(to_string(*c.channel));
  if (!c.languages.empty() && !contains(c.languages, t.language))
    return "language " + (t.language.empty() ? std::string("unknown") : t.language) + " is not one of " +
           joined(c.languages);
  if (!c.tags.empty() && !any_shared(c.tags, t.tags)) return "no tag among " + joined(c.tags);
  if (c.source && t.source != c.source) return "source is not " + *c.source;
  if (c.callback_required && *c.callback_required != t.callback_required)
    return *c.callback_required ? "no callback required" : "a callback is required";
  return {};
}

const agent_brand* membership_of(const agent_profile& a, const std::string& brand_id) {
  for (const auto& b : a.brands)
    if (b.brand_id == brand_id) return &b;
  return nullptr;
}

int level_in(const agent_profile& a, std::string_view code) {
  for (const auto& l : a.languages)
    if (l.code == code) return static_cast<int>(l.level);
  return 0;
}

std::size_t idx(work_channel c) { return static_cast<std::size_t>(c); }

}  // namespace

std::string_view to_string(language_level l) { return name_of(l, level_names); }
std::optional<language_level> parse_language_level(std::string_view s) { return parse_named(s, level_names); }
std::string_view to_string(presence p) { return name_of(p, presence_names); }
std::optional<presence> parse_presence(std::string_view s) { return parse_named(s, presence_names); }
std::string_view to_string(queue_mode m) { return name_of(m, mode_names); }
std::optional<queue_mode> parse_queue_mode(std::string_view s) { return parse_named(s, mode_names); }
std::string_view to_string(work_channel c) { return name_of(c, channel_names); }
std::optional<work_channel> parse_work_channel(std::string_view s) { return parse_named(s, channel_names); }

bool queue_conditions::empty() const {
  return !channel && languages.empty() && tags.empty() && !source && !callback_required;
}

work_channel channel_of(channel origin, bool callback_required) {
  if (callback_required) return work_channel::phone;
  switch (origin) {
    case channel::phone: return work_channel::phone;
    case channel::chat: return work_channel::chat;
    default: return work_channel::email;
  }
}

std::string queue_choice::reason() const {
  for (const auto& c : checks)
    if (c.queue == chosen) return c.reason;
  return {};
}

queue_choice choose_queue(const std::vector<queue_def>& brand_queues, const ticket_facts& t) {
  std::vector<const queue_def*> order;
  for (const auto& q : brand_queues) order.push_back(&q);
  std::stable_sort(order.begin(), order.end(), [](const queue_def* a, const queue_def* b) {
    if (a->is_default != b->is_default) return b->is_default;
    if (a->position != b->position) return a->position < b->position;
    return a->id < b->id;
  });
  queue_choice out;
  for (const queue_def* q : order) {
    queue_check check{q, false, {}};
    if (out.chosen) {
      check.reason = "not considered: an earlier queue matched";
    } else if (q->is_default) {
      check.matched = true;
      check.reason = "the brand's default queue";
    } else if (auto unmet = unmet_condition(q->conditions, t); !unmet.empty()) {
      check.reason = std::move(unmet);
    } else {
      check.matched = true;
      check.reason = q->conditions.empty() ? "has no conditions" : "every condition met";
    }
    if (check.matched && !out.chosen) out.chosen = q;
    out.checks.push_back(std::move(check));
  }
  return out;
}

widening widening_after(const queue_def& q, long long waited_seconds) {
  widening w;
  for (const auto& step : q.overflow) {
    if (waited_seconds < step.after_seconds) continue;
    ++w.steps;
    for (const auto& l : step.fallback_languages) {
      if (l == "*") w.any_language = true;
      else if (!contains(w.fallback_languages, l)) w.fallback_languages.push_back(l);
    }
    w.allow_backup_agents = w.allow_backup_agents || step.allow_backup_agents;
    w.drop_optional_skills = w.drop_optional_skills || step.drop_optional_skills;
  }
  return w;
}

verdict evaluate(const agent_profile& a, const queue_def& q, const ticket_facts& t, const widening& w) {
  verdict v;
  auto no = [&](std::string why) {
    v.eligible = false;
    v.reason = std::move(why);
    return v;
  };
  if (!a.active) return no("deactivated");
  if (a.status != presence::online) return no(std::string(to_string(a.status)));
  if (t.released_by == a.id) return no("gave this ticket back");
  const agent_brand* m = membership_of(a, t.brand_id);
  if (!m) return no("does not serve the brand");
  v.primary = m->membership == brand_membership::primary;
  if (!v.primary && !w.allow_backup_agents) return no("backup for the brand; the queue has not widened to backups");

  const int minimum = static_cast<int>(q.min_language_level);
  if (!t.language.empty()) {
    const int own = level_in(a, t.language);
    if (own >= minimum) {
      v.language_score = own;
    } else {
      const bool fallback =
          w.any_language || std::any_of(w.fallback_languages.begin(), w.fallback_languages.end(),
                                        [&](const std::string& l) { return level_in(a, l) >= minimum; });
      if (!fallback)
        return no(own == 0 ? "does not speak " + t.language
                           : "speaks " + t.language + " below the queue's minimum level " +
                                 std::string(to_string(q.min_language_level)));
    }
  }
  for (const auto& s : q.required_skills)
    if (!contains(a.skills, s)) return no("lacks required skill " + s);
  for (const auto& s : q.optional_skills) {
    if (contains(a.skills, s)) ++v.skill_score;
    else if (!w.drop_optional_skills) return no("lacks skill " + s + " (optional only after overflow)");
  }
  for (const auto& tag : t.tags)
    if (contains(a.skills, tag) && !contains(q.optional_skills, tag)) ++v.skill_score;

  const std::size_t ch = idx(t.channel);
  if (a.capacity[ch] <= 0) return no("takes no " + std::string(to_string(t.channel)) + " work");
  if (a.load[ch] >= a.capacity[ch])
    return no("at capacity for " + std::string(to_string(t.channel)) + " (" + std::to_string(a.load[ch]) + "/" +
              std::to_string(a.capacity[ch]) + ")");

  v.eligible = true;
  v.reason = v.language_score > 0 ? "speaks " + t.language + " (" +
                                        std::string(to_string(static_cast<language_level>(v.language_score))) + ")"
             : t.language.empty() ? "eligible"
                                  : "speaks a fallback language";
  if (!v.primary) v.reason += ", backup for the brand";
  return v;
}

bool better_candidate(const agent_profile& a, const verdict& va, const agent_profile& b, const verdict& vb,
                      work_channel ch) {
  if (va.language_score != vb.language_score) return va.language_score > vb.language_score;
  if (va.skill_score != vb.skill_score) return va.skill_score > vb.skill_score;
  if (va.primary != vb.primary) return va.primary;
  // Least loaded relative to capacity: a/ca < b/cb, without division.
  const std::size_t c = idx(ch);
  const long long lhs = static_cast<long long>(a.load[c]) * b.capacity[c];
  const long long rhs = static_cast<long long>(b.load[c]) * a.capacity[c];
  if (lhs != rhs) return lhs < rhs;
  if (a.last_assigned_at != b.last_assigned_at) {
    if (!a.last_assigned_at) return true;
    if (!b.last_assigned_at) return false;
    return *a.last_assigned_at < *b.last_assigned_at;
  }
  return a.id < b.id;
}

std::optional<pick> pick_agent(const std::vector<agent_profile>& agents, const queue_def& q, const ticket_facts& t,
                               const widening& w) {
  std::optional<pick> best;
  for (std::size_t i = 0; i < agents.size(); ++i) {
    verdict v = evaluate(agents[i], q, t, w);
    if (!v.eligible) continue;
    if (!best || better_candidate(agents[i], v, agents[best->index], best->why, t.channel)) best = pick{i, std::move(v)};
  }
  return best;
}

std::vector<view_rule> view_rules(const agent_profile& a, const std::vector<queue_def>& queues) {
  std::vector<view_rule> out;
  if (!a.active) return out;
  // evaluate() on a probe ticket of each channel decides membership, skills
  // and capacity exactly as the router does; the probe has no language, so
  // languages are decided here against the same minimum.
  agent_profile probe_agent = a;
  probe_agent.status = presence::online;
  probe_agent.load = {0, 0, 0};
  for (const auto& q : queues) {
    std::vector<long long> stages{0};
    for (const auto& step : q.overflow)
      if (step.after_seconds > stages.back()) stages.push_back(step.after_seconds);
    const int minimum = static_cast<int>(q.min_language_level);
    const view_rule* previous = nullptr;
    for (const long long after : stages) {
      const widening w = widening_after(q, after);
      view_rule r;
      r.queue_id = q.id;
      r.after_seconds = after;
      for (std::size_t c = 0; c < work_channel_count; ++c) {
        ticket_facts probe;
        probe.brand_id = q.brand_id;
        probe.channel = static_cast<work_channel>(c);
        if (evaluate(probe_agent, q, probe, w).eligible) r.channels.push_back(probe.channel);
      }
      if (r.channels.empty()) continue;
      r.any_language = w.any_language || std::any_of(w.fallback_languages.begin(), w.fallback_languages.end(),
                                                     [&](const std::string& l) { return level_in(a, l) >= minimum; });
      if (!r.any_language)
        for (const auto& l : a.languages)
          if (static_cast<int>(l.level) >= minimum) r.languages.push_back(l.code);
      if (previous && previous->any_language == r.any_language && previous->languages == r.languages &&
          previous->channels == r.channels)
        continue;
      out.push_back(std::move(r));
      previous = &out.back();
    }
  }
  // A ticket not in a queue yet (the router places it within a pass, or a
  // handed-over pending ticket waits for its customer) has no rules to
  // apply: the agent's languages at any level decide.
  view_rule unqueued;
  for (const auto& l : a.languages) unqueued.languages.push_back(l.code);
  unqueued.channels = {work_channel::email, work_channel::chat, work_channel::phone};
  out.push_back(std::move(unqueued));
  return out;
}

bool more_urgent(const ticket_facts& a, const ticket_facts& b) {
  if (a.prio != b.prio) return a.prio > b.prio;
  if (a.due_at != b.due_at) {
    if (!a.due_at) return false;
    if (!b.due_at) return true;
    return *a.due_at < *b.due_at;
  }
  if (a.waiting_since != b.waiting_since) return a.waiting_since < b.waiting_since;
  return a.id < b.id;
}

}  // namespace helpdesk::routing
