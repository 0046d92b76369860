#pragma once
// Completing an awaiting coroutine from another thread (the DB pool, the CPU
// pool): one mechanism, so that both resume the same way. The coroutine's
// executor is kept busy while the work runs elsewhere, and the result or
// exception is posted back to it, never run on the worker thread.
#include <exception>
#include <optional>
#include <type_traits>
#include <variant>

#include "helpdesk/net.hpp"

namespace helpdesk {

// What a job returns, with void mapped to a storable type.
template <class F, class... Args>
using job_result_t = std::conditional_t<std::is_void_v<std::invoke_result_t<F&, Args...>>, std::monostate,
                                        std::invoke_result_t<F&, Args...>>;

template <class Result, class Handler>
class resumer {
 public:
  explicit resumer(Handler h)
      : handler_(std::move(h)),
        home_(asio::prefer(asio::get_associated_executor(handler_), asio::execution::outstanding_work.tracked)) {}

  void operator()(std::exception_ptr failure, std::optional<Result> value) {
    auto resume = [h = std::move(handler_), failure, v = std::move(value)]() mutable { h(failure, std::move(v)); };
    asio::post(home_, std::move(resume));
  }

 private:
  Handler handler_;
  std::decay_t<decltype(asio::prefer(std::declval<asio::associated_executor_t<Handler>>(),
                                     asio::execution::outstanding_work.tracked))>
      home_;
};

// Calls fn(args...) and captures its value or exception.
template <class F, class... Args>
std::pair<std::exception_ptr, std::optional<job_result_t<F, Args&...>>> capture_result(F& fn, Args&... args) {
  std::optional<job_result_t<F, Args&...>> value;
  try {
    if constexpr (std::is_void_v<std::invoke_result_t<F&, Args&...>>) {
      fn(args...);
      value.emplace();
    } else {
      value.emplace(fn(args...));
    }
  } catch (...) {
    return {std::current_exception(), std::nullopt};
  }
  return {nullptr, std::move(value)};
}

// Suspends the coroutine until `start(resumer)` has arranged for the resumer
// to be called, then returns the job's value or rethrows its exception.
template <class Result, class Start>
awaitable<Result> await_handoff(Start start) {
  auto initiation = [](auto handler, Start s) {
    s(resumer<Result, decltype(handler)>(std::move(handler)));
  };
  std::optional<Result> out =
      co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr, std::optional<Result>)>(
          initiation, asio::use_awaitable, std::move(start));
  co_return std::move(*out);
}

}  // namespace helpdesk
