#include <nlohmann/json.hpp>

#include <csignal>

#include <sstream>
#include <thread>

#include "fixture.hpp"

using namespace helpdesk;
using namespace helpdesk::testing;
using namespace std::chrono_literals;

class capped : public e2e {
 protected:
  std::vector<std::string> server_args() override { return {"--max-connections", "2"}; }
};

TEST_F(capped, ConnectionsOverTheCapAreRefusedAndOthersStillServed) {
  raw_connection first(port());
  raw_connection second(port());
  std::this_thread::sleep_for(200ms);  // both accepted and counted
  raw_connection third(port());        // the kernel accepts; the server closes it at once
  EXPECT_TRUE(third.closed_by_peer(2s));
  first.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(first.read_response(2s).rfind("HTTP/1.1 200", 0), 0u);
  auto m = [&] {
    second.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    return second.read_response(2s);
  }();
  EXPECT_NE(m.find("helpdesk_http_rejected_connections_total 1"), std::string::npos) << m.substr(0, 400);
}

class json_logs : public e2e {
 protected:
  std::vector<std::string> server_args() override { return {"--log-format", "json"}; }
};

TEST_F(json_logs, EveryLineIsAJsonObjectAndAccessLinesCarryTheRequest) {
  auto r = http_request(port(), "GET", "/v1/brands/" + brand_a.id, "", {{"Authorization", "Bearer " + admin}, {"X-Request-Id", "json-log-1"}});
  ASSERT_EQ(r.status, 200);
  nlohmann::json access;
  for (int i = 0; i < 50 && access.is_null(); ++i) {
    std::this_thread::sleep_for(100ms);  // access lines are flushed every 50 ms
    std::istringstream lines(server->output());
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) continue;
      nlohmann::json j;
      ASSERT_NO_THROW(j = nlohmann::json::parse(line)) << line;
      ASSERT_TRUE(j.contains("ts") && j.contains("level") && j.contains("logger")) << line;
      if (j["logger"] == "access" && j.value("request_id", "") == "json-log-1") access = j;
    }
  }
  ASSERT_FALSE(access.is_null()) << server->output();
  EXPECT_EQ(access["method"], "GET");
  EXPECT_EQ(access["route"], "/v1/brands/{id}");
  EXPECT_EQ(access["path"], "/v1/brands/" + brand_a.id);
  EXPECT_EQ(access["status"], 200);
  EXPECT_TRUE(access["duration_ms"].is_number());
}

class delayed_stop : public e2e {
 protected:
  std::vector<std::string> server_args() override { return {"--shutdown-delay-ms", "1500"}; }
};

TEST_F(delayed_stop, ReadyzTurns503WhileTheNodeStillServesDuringTheShutdownDelay) {
  ASSERT_EQ(req("GET", "/readyz").status, 200);
  server->signal(SIGTERM);
  std::this_thread::sleep_for(300ms);
  // Still accepting: load balancers see "not ready" and move traffic away.
  auto ready = req("GET", "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.json()["detail"], "The server is shutting down.");
  EXPECT_EQ(req("GET", "/v1/me", admin).status, 200);
  EXPECT_EQ(server->wait_exit(10s), 0) << server->output();
}
