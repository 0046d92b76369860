#include <gtest/gtest.h>

#include <thread>

#include "helpdesk/app/cpu_pool.hpp"

using namespace helpdesk;

// CPU-heavy work must leave the I/O thread and the coroutine must come back.
TEST(CpuPool, RunsWorkOnItsOwnThreadAndResumesOnTheCaller) {
  app::cpu_pool pool(1);
  asio::io_context ioc;
  std::thread::id io_thread, work_thread, resumed_thread;
  auto body = [&]() -> awaitable<void> {
    io_thread = std::this_thread::get_id();
    auto work = [] { return std::this_thread::get_id(); };
    work_thread = co_await pool.run(work);
    resumed_thread = std::this_thread::get_id();
  };
  asio::co_spawn(ioc, body(), asio::detached);
  ioc.run();
  EXPECT_NE(work_thread, std::thread::id());
  EXPECT_NE(work_thread, io_thread);
  EXPECT_EQ(resumed_thread, io_thread);
}

TEST(CpuPool, ExceptionsComeBackToTheCaller) {
  app::cpu_pool pool(1);
  asio::io_context ioc;
  std::string caught;
  auto body = [&]() -> awaitable<void> {
    auto fail = []() -> int { throw std::runtime_error("boom"); };
    try {
      co_await pool.run(fail);
    } catch (const std::exception& e) {
      caught = e.what();
    }
  };
  asio::co_spawn(ioc, body(), asio::detached);
  ioc.run();
  EXPECT_EQ(caught, "boom");
}
