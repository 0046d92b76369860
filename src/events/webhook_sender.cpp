#include "helpdesk/events/webhook_sender.hpp"

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include <random>

#include "helpdesk/domain/webhook_target.hpp"
#include "helpdesk/security/webhook_signature.hpp"
#include "helpdesk/store/event_repos.hpp"

namespace helpdesk::events {
namespace {

std::array<std::uint8_t, 16> bytes_of(const asio::ip::address_v6& a) {
  std::array<std::uint8_t, 16> out{};
  const auto b = a.to_bytes();
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

// The SSRF guard at delivery: the URL's rules again (a subscription may
// predate a rule), then each resolved address.
http::address_check guard(const webhooks::target_url& url, const std::vector<std::string>& allowed) {
  const bool exempt = webhooks::host_allowed(url.host, allowed);
  return [exempt](const asio::ip::address& a) -> std::optional<std::string> {
    if (exempt) return std::nullopt;
    if (a.is_v4()) return webhooks::refused_ipv4(a.to_v4().to_uint());
    return webhooks::refused_ipv6(bytes_of(a.to_v6()));
  };
}

double jitter() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace

webhook_sender::webhook_sender(store::db_pool& db, sender_options opts) : db_(db), opts_(std::move(opts)) {}
webhook_sender::~webhook_sender() = default;

void webhook_sender::start(asio::io_context& ioc) {
  if (loop_) return;
  ioc_ = &ioc;
  tls_ = std::make_unique<http::tls_client_context>();
  auto pass = [this]() -> awaitable<void> { co_await run_once(); };
  loop_ = std::make_unique<app::background_loop>(ioc, "webhooks", opts_.tick, std::chrono::milliseconds(5), std::move(pass));
  loop_->start();
}

void webhook_sender::stop() {
  if (loop_) loop_->stop();
}

void webhook_sender::finish() { loop_.reset(); }

void webhook_sender::kick() {
  if (loop_) loop_->kick();
}

awaitable<int> webhook_sender::run_once() {
  const int room = opts_.concurrency - in_flight_.load();
  if (room <= 0 || !ioc_) co_return 0;
  auto job = [worker = opts_.worker, room, lease = opts_.lease_s](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto due = store::webhooks::lease_due(tx, worker, room, lease);
    tx.commit();
    return due;
  };
  auto due = co_await db_.run(std::move(job));
  for (auto& d : due) {
    in_flight_.fetch_add(1);
    asio::co_spawn(asio::make_strand(*ioc_), deliver(std::move(d)), asio::detached);
  }
  // A full batch means more may be waiting: come back soon, not at the tick.
  if (static_cast<int>(due.size()) == room) kick();
  co_return static_cast<int>(due.size());
}

awaitable<void> webhook_sender::deliver(store::webhooks::leased d) {
  store::webhooks::attempt_result result;
  try {
    auto parsed = webhooks::parse_target_url(d.url);
    if (auto* why = std::get_if<std::string>(&parsed)) {
      result.error = *why;
    } else {
      const auto& url = std::get<webhooks::target_url>(parsed);
      if (auto refused = webhooks::refused_target(url, opts_.allowed_hosts)) {
        result.error = *refused;
      } else {
        http::outbound_post req;
        req.url = url;
        req.body = d.body;
        req.timeout = opts_.timeout;
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
        std::string signature;
        for (const auto& secret : d.secrets) {
          if (!signature.empty()) signature += ' ';
          signature += security::webhook_signature(secret, d.webhook_id, now, d.body);
        }
        req.headers = {{"webhook-id", d.webhook_id},
                       {"webhook-timestamp", std::to_string(now)},
                       {"webhook-signature", signature}};
        const auto check = guard(url, opts_.allowed_hosts);
        auto out = co_await http::post(req, check, *tls_);
        result.status_code = out.status;
        result.latency_ms = out.latency.count();
        result.error = out.error;
        result.succeeded = out.status && *out.status >= 200 && *out.status < 300;
        result.gone = out.status && *out.status == 410;
      }
    }
  } catch (const std::exception& ex) {
    result.error = std::string("Delivery failed: ") + ex.what();
  }
  if (!result.succeeded && !result.gone) {
    if (auto wait = webhooks::retry_delay(d.attempts + 2, jitter())) {
      const auto scaled = std::chrono::milliseconds(static_cast<long long>(static_cast<double>(wait->count()) * opts_.backoff_scale));
      result.retry_at = std::chrono::time_point_cast<timestamp::duration>(std::chrono::system_clock::now() + scaled);
    }
  }
  if (result.succeeded) delivered_.fetch_add(1);
  else failed_.fetch_add(1);
  try {
    auto job = [d, result, worker = opts_.worker](pqxx::connection_base& c) {
      pqxx::work tx(c);
      const bool kept = store::webhooks::record_attempt(tx, d, worker, result);
      tx.commit();
      return kept;
    };
    if (!co_await db_.run(std::move(job)))
      spdlog::warn("webhook delivery {}: the lease ran out before the attempt was recorded", d.id);
  } catch (const std::exception& ex) {
    // The lease runs out and the delivery is tried again: at least once.
    spdlog::warn("webhook delivery {}: recording the attempt failed: {}", d.id, ex.what());
  }
  in_flight_.fetch_sub(1);
  kick();
}

}  // namespace helpdesk::events
