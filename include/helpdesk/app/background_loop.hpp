#pragma once
// A background pass that runs when kicked and at least every `tick`, but never
// more often than once per `min_gap`, however often it is kicked. Passes run
// one at a time on a strand of the io_context; a failed pass is logged and the
// next one runs as usual. The router and the SLA engine are both such loops.
#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "helpdesk/net.hpp"

namespace helpdesk::app {

class background_loop {
 public:
  using pass_fn = std::function<awaitable<void>()>;
  background_loop(asio::io_context& ioc, std::string name, std::chrono::milliseconds tick,
                  std::chrono::milliseconds min_gap, pass_fn pass);

  void start();
  void stop();
  // Run a pass soon (after the current gap).
  void kick();

 private:
  awaitable<void> run();

  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer timer_;
  asio::steady_timer gap_;  // kicks cancel timer_, never the gap
  std::string name_;
  std::chrono::milliseconds tick_;
  std::chrono::milliseconds min_gap_;
  pass_fn pass_;
  std::atomic<bool> pending_{true};  // the first pass runs at once
  bool stopped_ = false;
};

}  // namespace helpdesk::app
