// PostgreSQL goes away and comes back: the server answers 503 quickly while
// it is gone and recovers by itself. This test runs its own cluster so that
// stopping it disturbs no other test.
#include <gtest/gtest.h>

#include <cstdio>
#include <thread>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

using namespace helpdesk::testing;
using namespace std::chrono_literals;

namespace {

std::string capture(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  char buf[256];
  while (p && std::fgets(buf, sizeof buf, p)) out += buf;
  if (p) ::pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string lib() { return "source " + std::string(HELPDESK_SOURCE_DIR) + "/scripts/lib/common.sh; "; }

class private_cluster {
 public:
  private_cluster() {
    dir_ = capture("mktemp -d /tmp/helpdesk-outage.XXXXXX");
    shell("chmod 755 " + dir_);  // the postgres user must reach the cluster inside
    // Below the kernel's ephemeral range (32768-60999): the cluster is
    // stopped and started again on this port mid-test, and in between the
    // outgoing connection of a test running beside it could take a port
    // from that range (seen in CI: "Address already in use").
    port_ = capture("bash -c '" + lib() + "pick_port 28432'");
    start();
    EXPECT_EQ(shell("bash -c '" + lib() + "pg_create_db " + port_ + " helpdesk'"), 0);
  }
  ~private_cluster() {
    stop();
    shell("rm -rf " + dir_);
  }
  void start() { ASSERT_EQ(shell("bash -c '" + lib() + "pg_cluster_start " + dir_ + "/pg " + port_ + " fast'"), 0); }
  void stop() { shell("bash -c '" + lib() + "pg_cluster_stop " + dir_ + "/pg'"); }
  std::string url() const { return "postgresql://helpdesk@127.0.0.1:" + port_ + "/helpdesk"; }

 private:
  std::string dir_, port_;
};

}  // namespace

TEST(DatabaseOutage, ReadyzAndApiAnswer503ThenRecover) {
  private_cluster pg;
  ASSERT_EQ(run_helpdesk({"migrate", "--database-url", pg.url()}).exit_code, 0);
  auto created = run_helpdesk({"token", "create", "--role", "admin", "--name", "t", "--database-url", pg.url()});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  std::string token = created.output.substr(created.output.rfind("hdk_"), 47);

  server_process server(pg.url(), {"--auth-cache-ms", "0"});
  ASSERT_EQ(http_request(server.port(), "GET", "/readyz").status, 200);
  ASSERT_EQ(call(server.port(), "GET", "/v1/brands", token).status, 200);

  pg.stop();
  auto t0 = std::chrono::steady_clock::now();
  auto ready = http_request(server.port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.json()["type"], "/problems/unavailable");
  auto api = call(server.port(), "GET", "/v1/brands", token);
  EXPECT_EQ(api.status, 503) << api.body;
  EXPECT_FALSE(api.header("retry-after").empty());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s) << "503s must come fast, not after a hang";
  // Liveness does not depend on the database.
  EXPECT_EQ(http_request(server.port(), "GET", "/healthz").status, 200);

  pg.start();
  int status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {
    std::this_thread::sleep_for(100ms);
    status = http_request(server.port(), "GET", "/readyz").status;
  }
  EXPECT_EQ(status, 200) << "the server did not recover by itself";
  EXPECT_EQ(call(server.port(), "GET", "/v1/brands", token).status, 200);
}
