// The HTTP server in-process, over a real loopback socket, with routes made
// for the occasion: what no production route can be made to do on purpose.
#include <gtest/gtest.h>

#include <thread>

#include "helpdesk/domain/error.hpp"
#include "helpdesk/http/server.hpp"
#include "support/http_client.hpp"

using namespace helpdesk;
using namespace helpdesk::http;

namespace {

awaitable<response> explode(request_context&) {
  throw std::runtime_error("connection string postgresql://secret@db/helpdesk");
  co_return response{};
}

awaitable<principal> reject_all(const std::string&) {
  throw helpdesk::error(helpdesk::errc::unauthorized, "no");
  co_return principal{};
}

struct running_server {
  running_server() {
    routes.add({bhttp::verb::get, "/boom", explode, {}});
    srv = std::make_unique<server>(ioc, server_options{"127.0.0.1", 0}, routes, reject_all, stats);
    srv->start();
    thread = std::thread([this] { ioc.run(); });
  }
  ~running_server() {
    srv->begin_shutdown([] {});
    thread.join();
  }
  asio::io_context ioc;
  router routes;
  metrics stats;
  std::unique_ptr<server> srv;
  std::thread thread;
};

}  // namespace

TEST(Server, UnexpectedExceptionIs500WithRequestIdAndNoInternals) {
  running_server s;
  auto r = helpdesk::testing::http_request(s.srv->port(), "GET", "/boom", "", {{"X-Request-Id", "trace-500"}});
  ASSERT_EQ(r.status, 500);
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  auto body = r.json();
  EXPECT_EQ(body["type"], "/problems/internal");
  EXPECT_EQ(body["request_id"], "trace-500");
  EXPECT_NE(body["detail"].get<std::string>().find("trace-500"), std::string::npos);
  EXPECT_EQ(r.body.find("secret"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("postgresql"), std::string::npos) << r.body;
}
