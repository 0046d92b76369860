// The router's passes and its background loop.
#include "helpdesk/app/router_service.hpp"

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "router_internal.hpp"

namespace helpdesk::app {

using nlohmann::json;

router_service::router_service(store::db_pool& db, calendar_cache& calendars, router_options opts)
    : db_(db), calendars_(calendars), opts_(opts) {}
router_service::~router_service() = default;

void router_service::start(asio::io_context& ioc) {
  if (!opts_.background || loop_) return;
  auto pass = [this]() -> awaitable<void> {
    auto r = co_await route_all();
    if (r.assigned || r.placed || r.widened)
      spdlog::debug("router: placed {}, assigned {}, widened {}", r.placed, r.assigned, r.widened);
  };
  loop_ = std::make_unique<background_loop>(ioc, "router", opts_.tick, opts_.min_gap, std::move(pass));
  loop_->start();
}

void router_service::stop() {
  if (loop_) loop_->stop();
}

void router_service::finish() { loop_.reset(); }

void router_service::kick() {
  if (loop_) loop_->kick();
}

namespace router_detail {

const routing::queue_def* queue_by_id(const std::vector<routing::queue_def>& queues, const std::optional<std::string>& id) {
  if (!id) return nullptr;
  for (const auto& q : queues)
    if (q.id == *id) return &q;
  return nullptr;
}

long long seconds_between(timestamp from, timestamp to) {
  return std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
}

std::string widening_json(const routing::widening& w) {
  return json({{"steps", w.steps},
               {"fallback_languages", w.fallback_languages},
               {"any_language", w.any_language},
               {"allow_backup_agents", w.allow_backup_agents},
               {"drop_optional_skills", w.drop_optional_skills}})
      .dump();
}

pass_report route_brand(pqxx::transaction_base& tx, const std::string& brand_id, const router_options& opts,
                        timestamp now) {
  pass_report report;
  const auto queues = store::queues::for_brand(tx, brand_id);
  if (queues.empty()) return report;

  std::vector<store::router::queue_placement> placements;
  for (const auto& t : store::router::unqueued(tx, brand_id, opts.place_limit)) {
    auto choice = routing::choose_queue(queues, t.facts);
    if (!choice.chosen) continue;
    placements.push_back({t.facts.id, choice.chosen->id, choice.reason()});
  }
  report.placed = store::router::place(tx, brand_id, placements);

  std::vector<std::string> push_queues;
  for (const auto& q : queues)
    if (q.mode == routing::queue_mode::push) push_queues.push_back(q.id);
  auto agents = store::router::lock_agents_of_brand(tx, brand_id);
  // Nobody here with room: reading the backlog would change nothing.
  const bool room = std::any_of(agents.begin(), agents.end(), [](const routing::agent_profile& a) {
    for (std::size_t c = 0; c < routing::work_channel_count; ++c)
      if (a.load[c] < a.capacity[c]) return true;
    return false;
  });
  if (!room) return report;
  auto waiting = store::router::waiting(tx, push_queues, opts.scan_limit);

  std::vector<store::router::widened> widenings;
  std::vector<store::router::assignment> assignments;
  for (const auto& t : waiting) {
    const auto* q = queue_by_id(queues, t.queue_id);
    if (!q) continue;
    const auto w = routing::widening_after(*q, seconds_between(t.facts.waiting_since, now));
    if (w.steps > t.overflow_steps) widenings.push_back({t.facts.id, w.steps, widening_json(w)});
    auto pick = routing::pick_agent(agents, *q, t.facts, w);
    if (!pick) continue;
    auto& chosen = agents[pick->index];
    ++chosen.load[static_cast<std::size_t>(t.facts.channel)];
    chosen.last_assigned_at = now;
    assignments.push_back({t.facts.id, chosen.id, q->id, pick->why.reason});
  }
  store::router::record_widenings(tx, brand_id, widenings);
  report.widened = static_cast<long long>(widenings.size());
  report.assigned = static_cast<long long>(store::router::assign(tx, brand_id, assignments, "router", "router").size());
  return report;
}

}  // namespace router_detail

awaitable<pass_report> router_service::route_all() {
  auto brands_job = [](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return store::router::brands_with_waiting(tx);
  };
  const auto brands = co_await db_.run(std::move(brands_job));
  pass_report total;
  for (const auto& brand_id : brands) {
    auto job = [brand_id, opts = opts_](pqxx::connection_base& c) {
      pqxx::work tx(c);
      auto r = router_detail::route_brand(tx, brand_id, opts, now_utc());
      tx.commit();
      return r;
    };
    const auto r = co_await db_.run(std::move(job));
    total.placed += r.placed;
    total.assigned += r.assigned;
    total.widened += r.widened;
  }
  co_return total;
}

}  // namespace helpdesk::app
