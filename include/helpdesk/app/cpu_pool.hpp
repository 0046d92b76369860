#pragma once
// CPU-heavy work (argon2, large parsing) runs here, off the I/O threads, and
// the coroutine resumes on its own executor afterwards.
#include <exception>
#include <optional>
#include <type_traits>
#include <variant>

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

  // The same hand-off as db_pool::run: the job runs on a pool thread and its
  // completion is posted back to the awaiting coroutine's executor. (Posting
  // with use_awaitable to the pool's executor would not move the coroutine:
  // its handler runs on the coroutine's own executor.)
  template <class F>
  awaitable<std::invoke_result_t<F&>> run(F fn) {
    using raw = std::invoke_result_t<F&>;
    using result = std::conditional_t<std::is_void_v<raw>, std::monostate, raw>;
    auto initiation = [this](auto handler, F f) {
      auto home = asio::prefer(asio::get_associated_executor(handler), asio::execution::outstanding_work.tracked);
      auto job = [h = std::move(handler), f = std::move(f), home]() mutable {
        std::exception_ptr failure;
        std::optional<result> value;
        try {
          if constexpr (std::is_void_v<raw>) {
            f();
            value.emplace();
          } else {
            value.emplace(f());
          }
        } catch (...) {
          failure = std::current_exception();
        }
        auto resume = [h = std::move(h), failure, v = std::move(value)]() mutable { h(failure, std::move(v)); };
        asio::post(home, std::move(resume));
      };
      asio::post(pool_, std::move(job));
    };
    std::optional<result> out =
        co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr, std::optional<result>)>(
            initiation, asio::use_awaitable, std::move(fn));
    if constexpr (!std::is_void_v<raw>) co_return std::move(*out);
  }

 private:
  asio::thread_pool pool_;
};

}  // namespace helpdesk::app
