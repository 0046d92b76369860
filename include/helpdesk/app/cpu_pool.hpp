#pragma once
// CPU-heavy work (argon2, large parsing) runs here, off the I/O threads, and
// the coroutine resumes on its own executor afterwards.
#include <exception>
#include <optional>
#include <type_traits>

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
    using R = std::invoke_result_t<F&>;
    auto home = co_await asio::this_coro::executor;
    co_await asio::post(pool_.get_executor(), asio::use_awaitable);
    std::exception_ptr failure;
    std::optional<std::conditional_t<std::is_void_v<R>, bool, R>> value;
    try {
      if constexpr (std::is_void_v<R>) {
        fn();
        value.emplace(true);
      } else {
        value.emplace(fn());
      }
    } catch (...) {
      failure = std::current_exception();
    }
    co_await asio::post(home, asio::use_awaitable);
    if (failure) std::rethrow_exception(failure);
    if constexpr (!std::is_void_v<R>) co_return std::move(*value);
  }

 private:
  asio::thread_pool pool_;
};

}  // namespace helpdesk::app
