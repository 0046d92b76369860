#include <csignal>
#include <thread>

#include "fixture.hpp"

using namespace helpdesk;
using namespace helpdesk::testing;
using namespace std::chrono_literals;

class limits : public e2e {
 protected:
  std::vector<std::string> server_args() override {
    return {"--header-timeout-ms", "700", "--idle-timeout-ms", "1500", "--body-timeout-ms", "3000",
            "--header-limit", "8192", "--drain-timeout-ms", "8000"};
  }
};

TEST_F(limits, MalformedJsonIs400NamingThePosition) {
  auto r = req("POST", "/v1/brands", admin, R"({"name": "x" "slug": "y"})");
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["type"], "/problems/bad-request");
  EXPECT_NE(r.json()["detail"].get<std::string>().find("at byte 19"), std::string::npos) << r.body;
  EXPECT_FALSE(r.json()["request_id"].get<std::string>().empty());
}

TEST_F(limits, WrongContentTypeIs415) {
  auto r = http_request(port(), "POST", "/v1/brands", "name=x",
                        {{"Authorization", "Bearer " + admin}, {"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 415);
}

TEST_F(limits, OversizedBodyIsRefusedBeforeItIsSent) {
  raw_connection c(port());
  c.send("POST /v1/brands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + admin +
         "\r\nContent-Type: application/json\r\nContent-Length: 10485760\r\n\r\n");
  // Not one byte of the 10 MiB body was sent, yet the answer arrives.
  std::string response = c.read_response(3s);
  ASSERT_EQ(response.rfind("HTTP/1.1 413", 0), 0u) << response;
  EXPECT_NE(response.find("exceeds the limit of 1048576 bytes"), std::string::npos);
  EXPECT_NE(response.find("application/problem+json"), std::string::npos);
  EXPECT_TRUE(c.closed_by_peer(2s));
}

TEST_F(limits, ChunkedBodyOverTheLimitIs413) {
  raw_connection c(port());
  c.send("POST /v1/brands HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string chunk(64 * 1024, 'a');
  char size[16];
  std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
  std::string response;
  for (int i = 0; i < 20 && response.empty(); ++i) {
    try {
      c.send(size + chunk + "\r\n");
    } catch (const std::exception&) {
      break;  // the server already closed: read its answer
    }
  }
  response = c.read_response(3s);
  EXPECT_EQ(response.rfind("HTTP/1.1 413", 0), 0u) << response.substr(0, 200);
}

TEST_F(limits, HugeHeaderBlockIs431) {
  auto r = http_request(port(), "GET", "/healthz", "", {{"X-Padding", std::string(20000, 'p')}});
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_EQ(r.header("x-request-id").size(), 16u);
}

TEST_F(limits, UnknownPathIs404Problem) {
  auto r = req("GET", "/v1/nothing-here", admin);
  ASSERT_EQ(r.status, 404);
  EXPECT_EQ(r.json()["type"], "/problems/not-found");
  EXPECT_EQ(r.json()["instance"], "/v1/nothing-here");
}

TEST_F(limits, WrongMethodIs405WithAllow) {
  auto r = req("PUT", "/v1/brands", admin, "{}");
  ASSERT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "GET, HEAD, POST");
  EXPECT_EQ(r.json()["status"], 405);
}

TEST_F(limits, RequestIdIsPassedThroughOrGenerated) {
  auto passed = http_request(port(), "GET", "/healthz", "", {{"X-Request-Id", "trace-abc.123"}});
  EXPECT_EQ(passed.header("x-request-id"), "trace-abc.123");
  auto hostile = http_request(port(), "GET", "/healthz", "", {{"X-Request-Id", "bad id<script>"}});
  EXPECT_EQ(hostile.header("x-request-id").size(), 16u);
  EXPECT_NE(hostile.header("x-request-id"), "bad id<script>");
}

TEST_F(limits, SlowClientIsDroppedWhileOthersAreServed) {
  raw_connection slow(port());
  slow.send("GET /healthz HTTP/1.1\r\nHost: x\r\n");  // and never finishes its headers
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) {
    auto r = req("GET", "/healthz");
    EXPECT_EQ(r.status, 200);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  EXPECT_TRUE(slow.closed_by_peer(3s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 600ms);
}

TEST_F(limits, IdleKeepAliveConnectionIsClosed) {
  raw_connection c(port());
  c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string first = c.read_response(2s);
  ASSERT_EQ(first.rfind("HTTP/1.1 200", 0), 0u);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_peer(4s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1200ms);
}

TEST_F(limits, KeepAliveServesSeveralRequestsOnOneConnection) {
  raw_connection c(port());
  for (int i = 0; i < 3; ++i) {
    c.send("GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + admin + "\r\n\r\n");
    std::string r = c.read_response(2s);
    ASSERT_EQ(r.rfind("HTTP/1.1 200", 0), 0u) << r;
  }
}

TEST_F(limits, MetricsCountRequestsByRouteTemplate) {
  req("GET", "/v1/brands/" + brand_a.id, admin);
  req("GET", "/v1/brands/" + brand_b.id, admin);
  // A request is counted once its answer is written, which can come just
  // after the client has read it: poll briefly.
  const std::string counted = "helpdesk_http_requests_total{route=\"/v1/brands/{id}\",method=\"GET\",status=\"200\"} 2";
  auto m = req("GET", "/metrics");
  for (int i = 0; i < 50 && m.body.find(counted) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    m = req("GET", "/metrics");
  }
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.body.find(counted), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("helpdesk_http_request_duration_seconds_bucket{route=\"/v1/brands/{id}\",method=\"GET\",le=\"+Inf\"} 2"),
            std::string::npos);
  EXPECT_NE(m.body.find("helpdesk_db_pool_size 4"), std::string::npos);
  EXPECT_NE(m.body.find("helpdesk_db_pool_in_use"), std::string::npos);
  EXPECT_NE(m.body.find("helpdesk_db_pool_waiting"), std::string::npos);
  EXPECT_NE(m.body.find("helpdesk_build_info{version=\""), std::string::npos);
}

TEST_F(limits, SigtermLetsAnInFlightRequestFinishThenExitsZero) {
  raw_connection idle(port());
  idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(idle.read_response(2s).rfind("HTTP/1.1 200", 0), 0u);

  const std::string body = R"({"email": "agent.a@example.com", "password": "correct horse battery"})";
  raw_connection slow(port());
  slow.send("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 10));
  std::this_thread::sleep_for(200ms);
  server->signal(SIGTERM);
  std::this_thread::sleep_for(300ms);
  // Idle keep-alive connections are closed at once; new ones are refused.
  EXPECT_TRUE(idle.closed_by_peer(1s));
  EXPECT_THROW(raw_connection refused(port()), std::runtime_error);
  // The request that was in flight completes.
  slow.send(body.substr(10));
  std::string response = slow.read_response(5s);
  EXPECT_EQ(response.rfind("HTTP/1.1 200", 0), 0u) << response;
  EXPECT_NE(response.find("Connection: close"), std::string::npos);
  EXPECT_EQ(server->wait_exit(10s), 0) << server->output();
  EXPECT_NE(server->output().find("stopped cleanly"), std::string::npos);
}

TEST_F(limits, HeadIsGetWithoutABodyAndKeepsTheConnectionUsable) {
  raw_connection c(port());
  c.send("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  // A HEAD response announces a length but carries no body: read briefly.
  std::string head = c.read_until_close(400ms);
  ASSERT_EQ(head.rfind("HTTP/1.1 200", 0), 0u) << head;
  EXPECT_NE(head.find("Content-Length: 15"), std::string::npos) << head;
  EXPECT_EQ(head.substr(head.find("\r\n\r\n") + 4), "");
  // The next response on the same connection must parse cleanly.
  c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string get = c.read_response(2s);
  ASSERT_EQ(get.rfind("HTTP/1.1 200", 0), 0u) << get;
  EXPECT_NE(get.find("{\"status\":\"ok\"}"), std::string::npos);
}

TEST_F(limits, GarbageGetsA400ProblemBeforeTheConnectionCloses) {
  raw_connection c(port());
  c.send("NOT HTTP AT ALL\r\n\r\n");
  std::string r = c.read_response(2s);
  ASSERT_EQ(r.rfind("HTTP/1.1 400", 0), 0u) << r;
  EXPECT_NE(r.find("application/problem+json"), std::string::npos);
  EXPECT_TRUE(c.closed_by_peer(2s));
}

TEST_F(limits, ExpectContinueIsAnsweredBeforeTheBodyIsSent) {
  const std::string body = R"({"email": "agent.a@example.com", "password": "correct horse battery"})";
  raw_connection c(port());
  c.send("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n");
  std::string interim = c.read_until_close(500ms);
  ASSERT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  c.send(body);
  std::string r = c.read_response(5s);
  EXPECT_EQ(r.rfind("HTTP/1.1 200", 0), 0u) << r;
}

TEST_F(limits, BodyThatStopsArrivingIsDroppedAfterTheBodyTimeout) {
  raw_connection c(port());
  c.send("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\"");
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_peer(6s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 2500ms);  // body_timeout_ms is 3000 here
  EXPECT_EQ(req("GET", "/healthz").status, 200);
}
