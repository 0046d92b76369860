#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include <csignal>
#include <unistd.h>
#include <thread>

#include "helpdesk/api/routes.hpp"
#include "helpdesk/app/index_upkeep_service.hpp"
#include "helpdesk/app/services.hpp"
#include "helpdesk/cli/commands.hpp"
#include "helpdesk/domain/webhook_target.hpp"
#include "helpdesk/events/live_hub.hpp"
#include "helpdesk/events/webhook_sender.hpp"
#include "helpdesk/http/server.hpp"
#include "helpdesk/obs/logging.hpp"
#include "helpdesk/store/migrations.hpp"
#include "helpdesk/store/repositories.hpp"

#ifndef HELPDESK_VERSION
#define HELPDESK_VERSION "dev"
#endif

namespace helpdesk::cli {
namespace {

// Start-up check on a plain connection, before any thread exists.
int ensure_schema(const config& cfg) {
  try {
    pqxx::connection c(cfg.database_url + (cfg.database_url.find("://") != std::string::npos
                                               ? (cfg.database_url.find('?') == std::string::npos ? "?" : "&")
                                               : " ") +
                       "connect_timeout=5");
    if (cfg.migrate) {
      store::apply_migrations(c, [](const std::string& line) { spdlog::info("{}", line); });
      return 0;
    }
    auto s = store::read_migration_status(c);
    if (!s.up_to_date()) {
      spdlog::critical("the database schema is at version {} but this build needs {}: run `helpdesk migrate` "
                       "or start with --migrate",
                       s.current, s.latest);
      return 3;
    }
    return 0;
  } catch (const pqxx::broken_connection& ex) {
    spdlog::critical("cannot reach the database ({}): {}", cfg.database_url, ex.what());
    return 1;
  } catch (const std::exception& ex) {
    spdlog::critical("database start-up check failed: {}", ex.what());
    return 1;
  }
}

// Background upkeep on every node; the deletes are idempotent, so several
// nodes doing it at once is harmless. The loop, its timer and its stop flag
// live on one strand: a stop that lands while a pass is running must still
// end the loop instead of being lost before the next wait.
class housekeeping {
 public:
  housekeeping(asio::io_context& ioc, app::services& svc, std::chrono::seconds every)
      : strand_(asio::make_strand(ioc)), timer_(strand_), svc_(svc), every_(every) {}
  void start() { asio::co_spawn(strand_, loop(), asio::detached); }
  void stop() {
    auto halt = [this] {
      stopped_ = true;
      timer_.cancel();
    };
    asio::post(strand_, halt);
  }

 private:
  awaitable<void> loop() {
    while (!stopped_) {
      timer_.expires_after(every_);
      beast::error_code ec;
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (ec || stopped_) co_return;
      try {
        if (auto n = co_await svc_.auth.prune_expired(); n > 0) spdlog::info("housekeeping: pruned {} expired rows", n);
        if (auto n = co_await svc_.ingest.prune_expired_keys(); n > 0)
          spdlog::info("housekeeping: pruned {} expired idempotency keys", n);
        if (auto n = co_await svc_.webhooks.prune_history(); n > 0)
          spdlog::info("housekeeping: pruned {} rows of old event history", n);
      } catch (const std::exception& ex) {
        spdlog::warn("housekeeping failed, will retry: {}", ex.what());
      }
    }
  }

  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer timer_;
  app::services& svc_;
  std::chrono::seconds every_;
  bool stopped_ = false;
};

// Names this process in delivery attempt logs.
std::string worker_name(const config& cfg) {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + cfg.listen;
}

}  // namespace

int run_serve(const config& cfg) {
  obs::init_logging(cfg.log_format, cfg.log_level, cfg.access_log);
  if (int rc = ensure_schema(cfg); rc != 0) {
    obs::flush_logs();
    return rc;
  }

  const std::size_t threads = cfg.threads > 0 ? std::size_t(cfg.threads) : std::max(1u, std::thread::hardware_concurrency());
  store::pool_options pool_opts;
  pool_opts.url = cfg.database_url;
  pool_opts.size = std::size_t(cfg.db_pool);
  pool_opts.queue_limit = std::size_t(cfg.db_queue);
  pool_opts.queue_timeout = std::chrono::milliseconds(cfg.db_queue_timeout_ms);
  pool_opts.statement_timeout = std::chrono::milliseconds(cfg.statement_timeout_ms);
  store::db_pool db(pool_opts, store::all_statements());
  app::cpu_pool cpu(std::max<std::size_t>(1, threads));

  app::auth_options auth_opts;
  auth_opts.cache_ttl = std::chrono::milliseconds(cfg.auth_cache_ms);
  auth_opts.stale_grace = std::min(auth_opts.cache_ttl, std::chrono::milliseconds(2000));
  auth_opts.session_ttl_seconds = cfg.session_ttl_s;
  auth_opts.login_max_failures_per_email = cfg.login_max_failures;
  auth_opts.login_window_seconds = cfg.login_window_s;
  store::group_commit_options commit_opts;
  // Leave at least one connection for reads, logins and health checks.
  commit_opts.writers = std::size_t(std::max(1L, std::min(cfg.ingest_writers, cfg.db_pool - 1)));
  if (long(commit_opts.writers) < cfg.ingest_writers)
    spdlog::warn("ingest_writers {} lowered to {}: db_pool {} must keep a connection for other work",
                 cfg.ingest_writers, commit_opts.writers, cfg.db_pool);
  commit_opts.max_batch = std::size_t(cfg.ingest_batch);
  commit_opts.queue_timeout = std::chrono::milliseconds(cfg.db_queue_timeout_ms);
  app::ingest_options ingest_opts;
  ingest_opts.reopen_window_days = int(cfg.reopen_window_days);
  ingest_opts.callback_due_seconds = cfg.callback_due_s;
  ingest_opts.idempotency_ttl_seconds = cfg.idempotency_ttl_s;
  app::router_options router_opts;
  router_opts.tick = std::chrono::milliseconds(cfg.router_tick_ms);
  router_opts.background = cfg.router;
  app::sla_options sla_opts;
  sla_opts.tick = std::chrono::milliseconds(cfg.sla_tick_ms);
  sla_opts.background = cfg.sla;
  app::webhook_options webhook_opts;
  webhook_opts.allowed_hosts = webhooks::parse_allowed_hosts(cfg.webhook_allowed_hosts);
  webhook_opts.history_days = static_cast<int>(cfg.event_retention_days);
  app::report_options report_opts;
  report_opts.timeout = std::chrono::milliseconds(cfg.report_timeout_ms);
  report_opts.live_cache = std::chrono::milliseconds(cfg.live_stats_cache_ms);
  report_opts.fold_tick = std::chrono::milliseconds(cfg.report_fold_ms);
  app::services svc(db, cpu, auth_opts, commit_opts, ingest_opts, router_opts, sla_opts, webhook_opts, report_opts);
  app::index_upkeep_options index_opts;
  index_opts.tick = std::chrono::milliseconds(cfg.index_upkeep_ms);
  app::index_upkeep_service indexes(db, index_opts);
  events::sender_options sender_opts;
  sender_opts.tick = std::chrono::milliseconds(cfg.webhook_tick_ms);
  sender_opts.timeout = std::chrono::milliseconds(cfg.webhook_timeout_ms);
  sender_opts.concurrency = int(cfg.webhook_concurrency);
  sender_opts.backoff_scale = double(cfg.webhook_first_retry_ms) / 5000.0;
  // Longer than an attempt can take, so a live sender keeps its row; a dead
  // one's row is sent again once the lease runs out.
  sender_opts.lease_s = 2 * cfg.webhook_timeout_ms / 1000 + 5;
  sender_opts.allowed_hosts = webhook_opts.allowed_hosts;
  sender_opts.worker = worker_name(cfg);
  events::webhook_sender sender(db, sender_opts);
  events::relay_options relay_opts;
  relay_opts.tick = std::chrono::milliseconds(cfg.relay_tick_ms);
  events::hub_options hub_opts;
  hub_opts.database_url = cfg.database_url;
  hub_opts.poll = std::chrono::milliseconds(std::max(100L, cfg.relay_tick_ms * 4));
  events::live_hub live(db, hub_opts);
  events::event_relay relay(db, api::event_renderers(), relay_opts, [&sender, &live](const events::relay_report& r) {
    if (r.deliveries) sender.kick();
    if (r.feed_rows) live.kick();
  });

  http::metrics metrics;
  metrics.set_build_info(HELPDESK_VERSION);
  metrics.add_gauge("helpdesk_db_pool_size", "Database connections configured.", [&db] { return double(db.stats().size); });
  metrics.add_gauge("helpdesk_db_pool_in_use", "Database connections running a job.", [&db] { return double(db.stats().in_use); });
  metrics.add_gauge("helpdesk_db_pool_waiting", "Database jobs waiting for a connection.", [&db] { return double(db.stats().waiting); });
  auto& committer = svc.committer;
  metrics.add_gauge("helpdesk_ingest_batches", "Ingest transactions committed (each holds one or more events).",
                    [&committer] { return double(committer.stats().batches); });
  metrics.add_gauge("helpdesk_ingest_events", "Inbound events committed in shared transactions.",
                    [&committer] { return double(committer.stats().events); });
  metrics.add_gauge("helpdesk_ingest_fallbacks", "Ingest batches rolled back and re-run one event at a time.",
                    [&committer] { return double(committer.stats().fallbacks); });
  metrics.add_gauge("helpdesk_ingest_planned_batches",
                    "Ingest batches decided set-at-a-time (one read and one write statement per step).",
                    [&committer] { return double(committer.stats().planned); });
  metrics.add_gauge("helpdesk_db_pool_connected", "Database connections open.", [&db] { return double(db.stats().connected); });

  metrics.add_gauge("helpdesk_index_upkeep_gin_pages", "GIN pending-list pages merged by the index upkeep, since start.",
                    [&indexes] { return double(indexes.totals().gin_pages); });
  metrics.add_gauge("helpdesk_index_upkeep_brin_ranges", "BRIN page ranges summarised by the index upkeep, since start.",
                    [&indexes] { return double(indexes.totals().brin_ranges); });
  metrics.add_gauge("helpdesk_index_upkeep_busy", "Index upkeep steps skipped because the index's lock was held, since start.",
                    [&indexes] { return double(indexes.totals().busy); });
  metrics.add_gauge("helpdesk_index_upkeep_passes", "Index upkeep passes run by this process, since start.",
                    [&indexes] { return double(indexes.totals().passes); });
  api::env env{svc, metrics, HELPDESK_VERSION, &live, std::chrono::seconds(cfg.stream_heartbeat_s)};
  metrics.add_gauge("helpdesk_live_streams", "Open live-update streams (GET /v1/stream).",
                    [&live] { return double(live.streams()); });
  metrics.add_gauge("helpdesk_webhook_deliveries_succeeded", "Webhook attempts that got a 2xx, since start.",
                    [&sender] { return double(sender.delivered()); });
  metrics.add_gauge("helpdesk_webhook_attempts_failed", "Webhook attempts that failed, since start.",
                    [&sender] { return double(sender.failed_attempts()); });
  http::router routes = api::build_router(env);
  metrics.describe_routes(routes);

  http::server_options http_opts;
  http_opts.host = cfg.host();
  http_opts.port = cfg.port();
  http_opts.body_limit = std::size_t(cfg.body_limit);
  http_opts.header_limit = std::size_t(cfg.header_limit);
  http_opts.header_timeout = std::chrono::milliseconds(cfg.header_timeout_ms);
  http_opts.body_timeout = std::chrono::milliseconds(cfg.body_timeout_ms);
  http_opts.idle_timeout = std::chrono::milliseconds(cfg.idle_timeout_ms);
  http_opts.max_connections = std::size_t(cfg.max_connections);
  http_opts.drain_timeout = std::chrono::milliseconds(cfg.drain_timeout_ms);

  asio::io_context ioc{static_cast<int>(threads)};
  http::server server(ioc, http_opts, routes,
                      [&svc](const std::string& bearer) { return svc.auth.authenticate(bearer); }, metrics);
  // Inbound traffic is relayed at the tick: under load, a kick per event
  // would have the relay compete with ingest for every commit.
  server.on_change([&relay](std::string_view route) {
    if (route.rfind("/v1/inbound/", 0) != 0) relay.kick();
  });
  try {
    server.start();
  } catch (const std::exception& ex) {
    spdlog::critical("cannot listen on {}: {}", cfg.listen, ex.what());
    obs::flush_logs();
    return 1;
  }

  housekeeping upkeep(ioc, svc, std::chrono::seconds(cfg.housekeeping_interval_s));
  upkeep.start();
  svc.router.start(ioc);
  svc.sla.start(ioc);
  svc.reports.start(ioc);
  indexes.start(ioc);
  if (cfg.events) {
    relay.start(ioc);
    sender.start(ioc);
  }
  live.start(ioc);

  // Signal handling on its own strand: the drain finishes on any I/O thread,
  // and its cancel of the signal wait must not overtake the handler's re-arm.
  auto signal_strand = asio::make_strand(ioc);
  asio::signal_set signals(signal_strand, SIGINT, SIGTERM);
  asio::steady_timer shutdown_delay(signal_strand);
  bool signalled = false;
  std::function<void(beast::error_code, int)> on_signal = [&](beast::error_code ec, int sig) {
    if (ec) return;
    if (signalled) {
      spdlog::warn("second signal {}: stopping now", sig);
      ioc.stop();
      return;
    }
    signalled = true;
    spdlog::info("signal {}: /readyz now 503; closing the listener in {} ms, then draining for up to {} ms", sig,
                 cfg.shutdown_delay_ms, cfg.drain_timeout_ms);
    signals.async_wait(on_signal);  // a second signal stops at once
    svc.health.set_draining();
    upkeep.stop();
    svc.router.stop();
    svc.sla.stop();
    svc.reports.stop();
    indexes.stop();
    relay.stop();
    sender.stop();
    live.stop();  // streams end, so the drain does not wait for them
    // The delay lets load balancers see the 503 and stop sending traffic
    // before the listener closes.
    shutdown_delay.expires_after(std::chrono::milliseconds(cfg.shutdown_delay_ms));
    shutdown_delay.async_wait([&](beast::error_code) {
      server.begin_shutdown([&signals, signal_strand] {
        auto stop_listening = [&signals] {
          beast::error_code ignored;
          signals.cancel(ignored);
        };
        asio::post(signal_strand, stop_listening);
      });
    });
  };
  signals.async_wait(on_signal);

  spdlog::info("helpdesk {} listening on http://{}:{} ({} I/O threads, {} database connections)", HELPDESK_VERSION,
               http_opts.host, server.port(), threads, pool_opts.size);

  std::vector<std::thread> workers;
  for (std::size_t i = 1; i < threads; ++i) workers.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : workers) t.join();

  // Reverse order of start: background work, then the pools, then the logs.
  svc.router.finish();
  svc.sla.finish();
  svc.reports.finish();
  indexes.finish();
  relay.finish();
  sender.finish();
  live.finish();
  db.stop();
  cpu.stop();
  spdlog::info("stopped cleanly");
  obs::flush_logs();
  return 0;
}

}  // namespace helpdesk::cli
