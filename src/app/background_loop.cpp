#include "helpdesk/app/background_loop.hpp"

#include <spdlog/spdlog.h>

namespace helpdesk::app {

background_loop::background_loop(asio::io_context& ioc, std::string name, std::chrono::milliseconds tick,
                                 std::chrono::milliseconds min_gap, pass_fn pass)
    : strand_(asio::make_strand(ioc)),
      timer_(strand_),
      gap_(strand_),
      name_(std::move(name)),
      tick_(tick),
      min_gap_(min_gap),
      pass_(std::move(pass)) {}

void background_loop::start() { asio::co_spawn(strand_, run(), asio::detached); }

void background_loop::stop() {
  asio::post(strand_, [this] {
    stopped_ = true;
    timer_.cancel();
    gap_.cancel();
  });
}

void background_loop::kick() {
  if (pending_.exchange(true)) return;
  asio::post(strand_, [this] { timer_.cancel(); });
}

awaitable<void> background_loop::run() {
  while (!stopped_) {
    timer_.expires_after(tick_);
    // Checked after arming and before waiting: a kick's cancel runs on this
    // strand, so it lands either before this check or during the wait.
    if (!pending_.load()) {
      beast::error_code ec;
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (stopped_) co_return;
    pending_ = false;
    try {
      co_await pass_();
    } catch (const std::exception& ex) {
      spdlog::warn("{} pass failed, will retry: {}", name_, ex.what());
    }
    // Passes stay apart so that request traffic keeps its connections.
    gap_.expires_after(min_gap_);
    beast::error_code ignored;
    co_await gap_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

}  // namespace helpdesk::app
