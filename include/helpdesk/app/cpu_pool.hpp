#pragma once
// CPU-heavy work (argon2, large parsing) runs here, off the I/O threads, and
// the coroutine resumes on its own executor afterwards (see handoff.hpp;
// posting with use_awaitable to the pool's executor would not move it).
#include "helpdesk/handoff.hpp"
#include "helpdesk/net.hpp"

namespace helpdesk::app {

class cpu_pool {
 public:
  explicit cpu_pool(std::size_t threads) : pool_(threads) {}
  ~cpu_pool() { stop(); }
  void stop() {
    pool_.stop();
    pool_.join();
  }

  template <class F>
  awaitable<std::invoke_result_t<F&>> run(F fn) {
    using result = job_result_t<F>;
    auto start = [this, fn = std::move(fn)](auto resume) mutable {
      auto job = [fn = std::move(fn), resume = std::move(resume)]() mutable {
        auto [failure, value] = capture_result(fn);
        resume(failure, std::move(value));
      };
      asio::post(pool_, std::move(job));
    };
    result out = co_await await_handoff<result>(std::move(start));
    if constexpr (!std::is_void_v<std::invoke_result_t<F&>>) co_return out;
  }

 private:
  asio::thread_pool pool_;
};

}  // namespace helpdesk::app
