// The SLA worker: recompute clocks of changed tickets, then fire what is due.
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>

#include "helpdesk/app/sla_service.hpp"
#include "helpdesk/domain/error.hpp"
#include "helpdesk/domain/ids.hpp"
#include "helpdesk/store/routing_repos.hpp"
#include "helpdesk/store/support_repos.hpp"

namespace helpdesk::app {
namespace {

using nlohmann::json;
using sla::clock_state;

// Transactions covered by one recompute: keeps a catch-up after downtime in
// transactions of bounded size.
constexpr long long max_transactions_per_pass = 20000;
// Below this gap a pass without events leaves the cursor alone: writing it would take
// a transaction id of its own and keep an idle worker busy forever.
constexpr long long cursor_write_gap = 10000;

using clock_key = std::pair<sla::target_kind, int>;

// The calendars the policies use, compiled, with the version each is at.
struct calendar_set {
  std::map<std::string, std::pair<int, std::shared_ptr<const domain::business_calendar>>> by_id;
  const domain::business_calendar* find(const std::string& id) const {
    auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : it->second.second.get();
  }
  std::optional<int> version(const std::string& id) const {
    auto it = by_id.find(id);
    if (it == by_id.end()) return std::nullopt;
    return it->second.first;
  }
};

calendar_set load_calendars(pqxx::transaction_base& tx, calendar_cache& cache, const std::vector<sla::policy_def>& policies) {
  std::set<std::string> ids;
  for (const auto& p : policies)
    for (const auto& t : p.targets)
      if (!t.calendar_id.empty()) ids.insert(t.calendar_id);
  calendar_set out;
  for (const auto& row : store::calendars::find_many(tx, {ids.begin(), ids.end()}))
    out.by_id[row.id] = {row.version, cache.get(tx, row.id, row.version)};
  return out;
}

// When the clock's state last changed to what it is now, for the log.
timestamp transition_time(const sla::clock& k, const std::vector<sla::timeline_entry>& entries, bool to_pause,
                          const sla::policy_def& p, timestamp now) {
  auto pausing = [&](ticket_status s) { return std::find(p.pause_on.begin(), p.pause_on.end(), s) != p.pause_on.end(); };
  for (auto it = entries.rbegin(); it != entries.rend(); ++it)
    if (it->kind == sla::entry_kind::status_change && it->at >= k.started_at && pausing(it->status) == to_pause)
      return it->at;
  return now;
}

store::sla_event_row event_of(const store::sla_worker::ticket_history& h, const store::clock_row& row,
                              std::string kind, timestamp at) {
  store::sla_event_row e;
  e.ticket_id = h.ticket_id;
  e.brand_id = h.brand_id;
  e.target = row.clock.target;
  e.cycle = row.clock.cycle;
  e.kind = std::move(kind);
  e.at = at;
  e.policy_id = row.policy_id;
  e.policy_version = row.policy_version;
  if (!row.clock.calendar_id.empty()) e.calendar_id = row.clock.calendar_id;
  e.calendar_version = row.calendar_version;
  if (row.clock.due_at) e.data["due_at"] = format_rfc3339(*row.clock.due_at);
  e.dims.channel = std::string(to_string(h.facts.origin));
  e.dims.priority = std::string(to_string(h.facts.prio));
  e.dims.queue_id = h.facts.queue_id;
  e.dims.agent_id = h.assignee_id;
  return e;
}

bool stopped(const store::clock_row& r) { return r.clock.stopped_at.has_value(); }

// What changed between the stored clocks and the fresh ones, as log entries.
void log_transition(const store::sla_worker::ticket_history& h, const store::clock_row* old, store::clock_row& now_row,
                    const sla::policy_def& p, timestamp now, std::vector<store::sla_event_row>& events) {
  const auto& k = now_row.clock;
  if (!old) events.push_back(event_of(h, now_row, "started", k.started_at));
  const bool was_paused = old && old->clock.state == clock_state::paused;
  const bool is_paused = k.state == clock_state::paused;
  if (is_paused && !was_paused) events.push_back(event_of(h, now_row, "paused", transition_time(k, h.entries, true, p, now)));
  if (!is_paused && was_paused && !k.stopped_at)
    events.push_back(event_of(h, now_row, "resumed", transition_time(k, h.entries, false, p, now)));
  if (!k.stopped_at) return;
  // A breach nobody recorded yet (the clock stopped late within one pass) is
  // left to the scanner: next_check_of points it there, outbox and all.
  if (k.state == clock_state::cancelled) {
    events.push_back(event_of(h, now_row, "cancelled", *k.stopped_at));
  } else {
    auto e = event_of(h, now_row, "met", *k.stopped_at);
    if (k.breached) e.data["late"] = true;
    // The clock's own time to the stop (business time on a calendar, pauses
    // left out): what response-time reports measure in business time.
    e.data["elapsed_seconds"] = now_row.seconds - k.remaining_seconds;
    events.push_back(std::move(e));
  }
}

store::clock_row row_for(const store::sla_worker::ticket_history& h, const sla::clock& k, const sla::policy_def& p,
                         const calendar_set& cals, const store::clock_row* old) {
  store::clock_row r;
  r.ticket_id = h.ticket_id;
  r.brand_id = h.brand_id;
  r.clock = k;
  if (const auto* t = sla::find_target(p, k.target)) r.seconds = t->seconds;
  r.policy_id = p.id;
  r.policy_version = p.version;
  if (!k.calendar_id.empty()) r.calendar_version = cals.version(k.calendar_id);
  if (old) {
    r.warned_at = old->warned_at;
    r.breached_at = old->breached_at;
  }
  return r;
}

store::sla_worker::ticket_result recompute_ticket(const store::sla_worker::ticket_history& h,
                                                  const std::vector<sla::policy_def>& brand_policies,
                                                  const calendar_set& cals, timestamp now,
                                                  std::vector<store::sla_event_row>& events) {
  store::sla_worker::ticket_result out;
  out.ticket_id = h.ticket_id;
  const sla::policy_def* p = sla::choose_policy(brand_policies, h.facts);
  if (p) out.policy_id = p->id;
  if (out.policy_id != h.policy_id) {
    store::sla_event_row e;
    e.ticket_id = h.ticket_id;
    e.brand_id = h.brand_id;
    e.kind = "policy_changed";
    e.at = now;
    e.policy_id = out.policy_id;
    if (p) e.policy_version = p->version;
    e.data = {{"from", h.policy_id ? json(*h.policy_id) : json(nullptr)}, {"to", p ? json(p->id) : json(nullptr)}};
    events.push_back(std::move(e));
  }
  std::map<clock_key, const store::clock_row*> stored;
  for (const auto& c : h.clocks) stored[{c.clock.target, c.clock.cycle}] = &c;
  std::set<clock_key> seen;
  if (p) {
    auto lookup = [&cals](const std::string& id) { return cals.find(id); };
    for (const auto& k : sla::compute_clocks(*p, lookup, h.entries, now)) {
      const clock_key key{k.target, k.cycle};
      seen.insert(key);
      const auto it = stored.find(key);
      const store::clock_row* old = it == stored.end() ? nullptr : it->second;
      if (old && stopped(*old)) continue;  // history: a finished clock is never rewritten
      auto row = row_for(h, k, *p, cals, old);
      log_transition(h, old, row, *p, now, events);
      out.clocks.push_back(std::move(row));
    }
  }
  // Running clocks the policy (or its absence) no longer has end here.
  for (const auto& [key, old] : stored) {
    if (seen.count(key) || stopped(*old)) continue;
    store::clock_row row = *old;
    row.clock.state = clock_state::cancelled;
    row.clock.stopped_at = now;
    auto e = event_of(h, row, "cancelled", now);
    e.data["reason"] = "policy changed";
    events.push_back(std::move(e));
    out.clocks.push_back(std::move(row));
  }
  for (const auto& r : out.clocks)
    if (!r.clock.stopped_at && r.clock.state != clock_state::paused && r.clock.due_at)
      if (!out.due_at || *r.clock.due_at < *out.due_at) out.due_at = r.clock.due_at;
  return out;
}

json fired_payload(const store::sla_worker::due_clock& d) {
  const auto& k = d.row.clock;
  return {{"ticket_id", d.row.ticket_id},
          {"ticket_number", d.ticket_number},
          {"target", std::string(sla::to_string(k.target))},
          {"cycle", k.cycle},
          {"due_at", k.due_at ? json(format_rfc3339(*k.due_at)) : json(nullptr)},
          {"policy_id", d.row.policy_id ? json(*d.row.policy_id) : json(nullptr)},
          {"assignee_id", d.assignee_id ? json(*d.assignee_id) : json(nullptr)}};
}

// The policy's escalations for one warning or breach. True when the ticket
// moved and the router should look again.
bool escalate(pqxx::transaction_base& tx, store::sla_worker::due_clock& d, const sla::policy_def& p,
              sla::escalation_rule::when on) {
  bool moved = false;
  const std::string why = std::string("SLA ") + (on == sla::escalation_rule::when::warning ? "warning" : "breach") +
                          " of " + std::string(sla::to_string(d.row.clock.target));
  for (const auto* rule : sla::escalations_for(p, on, d.row.clock.target)) {
    using act = sla::escalation_rule::action;
    switch (rule->act) {
      case act::raise_priority: {
        const auto up = sla::raised(d.prio);
        if (up != d.prio) store::sla_worker::raise_priority(tx, d.row.ticket_id, d.row.brand_id, d.prio, up, why);
        d.prio = up;
        moved = true;
        break;
      }
      case act::move_to_queue:
        store::router::move_to_queue(tx, d.row.ticket_id, rule->queue_id, "sla");
        moved = true;
        break;
      case act::reroute:
        if (d.assignee_id && store::router::unassign(tx, d.row.ticket_id, why, "sla", true, true)) {
          d.assignee_id.reset();
          moved = true;
        }
        break;
      case act::notify: {
        auto payload = fired_payload(d);
        payload["reason"] = why;
        store::router::outbox(tx, d.row.brand_id, "sla.escalated", payload.dump());
        break;
      }
    }
  }
  return moved;
}

// An escalation that fails (a queue deleted meanwhile) is logged and given
// up; the warning or breach itself is still recorded, and the scanner goes on.
bool escalate_safely(pqxx::transaction_base& tx, store::sla_worker::due_clock& d, const sla::policy_def& p,
                     sla::escalation_rule::when on) {
  tx.exec("SAVEPOINT sla_escalation");
  try {
    const bool moved = escalate(tx, d, p, on);
    tx.exec("RELEASE SAVEPOINT sla_escalation");
    return moved;
  } catch (const pqxx::sql_error& ex) {
    tx.exec("ROLLBACK TO SAVEPOINT sla_escalation");
    spdlog::warn("sla: escalation of ticket {} ({}) failed and was skipped: {}", d.row.ticket_id,
                 sla::to_string(d.row.clock.target), ex.what());
    return false;
  }
}

}  // namespace

sla_service::sla_service(store::db_pool& db, calendar_cache& calendars, sla_options opts,
                         std::function<void()> on_change)
    : db_(db), opts_(opts), on_change_(std::move(on_change)), calendars_(calendars) {}
sla_service::~sla_service() = default;

void sla_service::start(asio::io_context& ioc) {
  if (!opts_.background || loop_) return;
  auto pass = [this]() -> awaitable<void> {
    auto r = co_await run_once();
    if (r.recomputed || r.warned || r.breached)
      spdlog::debug("sla: recomputed {}, warned {}, breached {}", r.recomputed, r.warned, r.breached);
  };
  loop_ = std::make_unique<background_loop>(ioc, "sla", opts_.tick, std::chrono::milliseconds(20), std::move(pass));
  loop_->start();
}

void sla_service::stop() {
  if (loop_) loop_->stop();
}

void sla_service::finish() { loop_.reset(); }

void sla_service::kick() {
  if (loop_) loop_->kick();
}

awaitable<sla_pass_report> sla_service::run_once() {
  sla_pass_report r;
  r.recomputed = co_await recompute();
  auto [warned, breached] = co_await scan();
  r.warned = warned;
  r.breached = breached;
  co_return r;
}

awaitable<long long> sla_service::recompute() {
  auto job = [this](pqxx::connection_base& c) -> std::pair<long long, bool> {
    pqxx::work tx(c);
    if (!store::sla_worker::try_lock(tx)) return {0, false};  // another process is at it
    auto progress = store::sla_worker::read_progress(tx);
    // Transaction ids below the cursor after a restore into a new cluster:
    // start again from the horizon (recomputing twice is harmless).
    const bool reset = progress.horizon < progress.cursor;
    if (reset) progress.cursor = progress.horizon;
    const long long to = std::min(progress.horizon, progress.cursor + max_transactions_per_pass);
    auto ids = store::sla_worker::changed_tickets(tx, progress.cursor, to);
    for (auto& id : store::sla_worker::take_rechecks(tx, opts_.recompute_batch)) ids.push_back(std::move(id));
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    const bool any_events = !ids.empty();
    ids = store::sla_worker::relevant_tickets(tx, ids);
    long long done = 0;
    for (std::size_t from = 0; from < ids.size(); from += static_cast<std::size_t>(opts_.recompute_batch)) {
      const auto until = std::min(ids.size(), from + static_cast<std::size_t>(opts_.recompute_batch));
      const std::vector<std::string> part(ids.begin() + static_cast<long>(from), ids.begin() + static_cast<long>(until));
      done += recompute_part(tx, part);
    }
    if (any_events || reset || to - progress.cursor >= cursor_write_gap) store::sla_worker::save_cursor(tx, to, reset);
    tx.commit();
    return {done, to < progress.horizon};
  };
  auto [done, behind] = co_await db_.run(std::move(job));
  if (behind) kick();  // more to read: the next pass comes at once
  co_return done;
}

long long sla_service::recompute_part(pqxx::transaction_base& tx, const std::vector<std::string>& ids) {
  const auto histories = store::sla_worker::load(tx, ids);
  std::set<std::string> brand_ids;
  for (const auto& h : histories) brand_ids.insert(h.brand_id);
  const auto policies = store::sla_policies::for_brands(tx, {brand_ids.begin(), brand_ids.end()});
  const auto cals = load_calendars(tx, calendars_, policies);
  std::map<std::string, std::vector<sla::policy_def>> by_brand;
  for (const auto& p : policies) by_brand[p.brand_id].push_back(p);
  const timestamp now = now_utc();
  std::vector<store::sla_worker::ticket_result> results;
  std::vector<store::sla_event_row> events;
  for (const auto& h : histories) results.push_back(recompute_ticket(h, by_brand[h.brand_id], cals, now, events));
  store::sla_worker::save(tx, results, events);
  return static_cast<long long>(histories.size());
}

awaitable<std::pair<long long, long long>> sla_service::scan() {
  auto job = [this](pqxx::connection_base& c) -> std::tuple<long long, long long, bool> {
    pqxx::work tx(c);
    const auto cursor = store::sla_worker::read_progress(tx).cursor;
    auto due = store::sla_worker::lock_due(tx, cursor, opts_.scan_batch);
    if (due.empty()) return {0, 0, false};
    std::set<std::string> brand_ids;
    for (const auto& d : due) brand_ids.insert(d.row.brand_id);
    const auto policies = store::sla_policies::for_brands(tx, {brand_ids.begin(), brand_ids.end()});
    long long warned = 0, breached = 0;
    bool moved = false;
    std::vector<store::sla_event_row> events;
    const timestamp now = now_utc();
    for (auto& d : due) {
      const auto& k = d.row.clock;
      const bool warn = k.warn_at && *k.warn_at <= now && !d.row.warned_at && !d.row.breached_at;
      const bool breach = k.due_at && *k.due_at <= now && !d.row.breached_at;
      if (!warn && !breach) continue;
      const sla::policy_def* p = nullptr;
      for (const auto& candidate : policies)
        if (d.row.policy_id && candidate.id == *d.row.policy_id) p = &candidate;
      store::sla_worker::ticket_history h;
      h.ticket_id = d.row.ticket_id;
      h.brand_id = d.row.brand_id;
      h.facts.origin = parse_channel(d.channel).value_or(channel::email);
      h.facts.prio = d.prio;
      h.facts.queue_id = d.queue_id;
      h.assignee_id = d.assignee_id;
      if (warn) {
        events.push_back(event_of(h, d.row, "warned", *k.warn_at));
        store::router::outbox(tx, d.row.brand_id, "sla.warning", fired_payload(d).dump());
        if (p) moved = escalate_safely(tx, d, *p, sla::escalation_rule::when::warning) || moved;
        ++warned;
      }
      if (breach) {
        events.push_back(event_of(h, d.row, "breached", *k.due_at));
        store::router::outbox(tx, d.row.brand_id, "sla.breached", fired_payload(d).dump());
        if (p) moved = escalate_safely(tx, d, *p, sla::escalation_rule::when::breach) || moved;
        ++breached;
      }
      store::sla_worker::record_fired(tx, d.row, warn, breach, breach ? std::nullopt : k.due_at);
    }
    store::sla_worker::add_events(tx, events);
    tx.commit();
    return {warned, breached, moved};
  };
  auto [warned, breached, moved] = co_await db_.run(std::move(job));
  if (moved && on_change_) on_change_();
  co_return std::pair{warned, breached};
}

awaitable<sla_service::ticket_sla> sla_service::of_ticket(const principal& who, std::string ticket_id) {
  auto job = [this, &who, ticket_id](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    const auto t = is_uuid(ticket_id) ? store::tickets::find(tx, ticket_id) : std::nullopt;
    if (!t || !who.can_see_brand(t->brand_id)) throw error::not_found("ticket");
    ticket_sla out;
    const timestamp now = now_utc();
    out.clocks = store::sla_clocks::for_ticket(tx, ticket_id);
    for (auto& row : out.clocks) row.clock.remaining_seconds = calendars_.remaining_seconds(tx, row, now);
    out.events = store::sla_clocks::events_of(tx, ticket_id, 500);
    return out;
  };
  co_return co_await db_.run(std::move(job));
}

}  // namespace helpdesk::app
