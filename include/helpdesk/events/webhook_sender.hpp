#pragma once
// Delivers webhook deliveries: leases due rows (SKIP LOCKED, so several
// processes share the work and a killed one only delays its rows until the
// lease runs out), POSTs each signed per Standard Webhooks, and records the
// attempt with the next try's time (exponential backoff with jitter), a
// success, or a give-up. 410 disables the subscription.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "helpdesk/app/background_loop.hpp"
#include "helpdesk/http/client.hpp"
#include "helpdesk/store/db_pool.hpp"
#include "helpdesk/store/event_repos.hpp"

namespace helpdesk::events {

struct sender_options {
  std::chrono::milliseconds tick{1000};
  std::chrono::milliseconds timeout{15000};
  int concurrency = 32;              // deliveries in flight per process
  double backoff_scale = 1.0;        // 1: the standard schedule; tests shrink it
  long long lease_s = 60;            // longer than the timeout, so a live worker keeps its row
  std::vector<std::string> allowed_hosts;
  std::string worker;                // shown in the attempt log
};

class webhook_sender {
 public:
  webhook_sender(store::db_pool& db, sender_options opts);
  ~webhook_sender();
  void start(asio::io_context& ioc);
  void stop();
  void finish();  // after the io_context stopped running, before it is destroyed
  void kick();
  // Leases and starts what is due; returns how many deliveries it started.
  awaitable<int> run_once();
  long long delivered() const { return delivered_.load(); }
  long long failed_attempts() const { return failed_.load(); }

 private:
  awaitable<void> deliver(store::webhooks::leased d);

  store::db_pool& db_;
  sender_options opts_;
  std::unique_ptr<app::background_loop> loop_;
  std::unique_ptr<http::tls_client_context> tls_;
  asio::io_context* ioc_ = nullptr;
  std::atomic<int> in_flight_{0};
  std::atomic<long long> delivered_{0};
  std::atomic<long long> failed_{0};
};

}  // namespace helpdesk::events
