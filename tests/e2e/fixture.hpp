#pragma once
// One database and one running server per test, seeded with two brands and
// a credential for every role (limited to brand A unless it says otherwise).
#include <gtest/gtest.h>

#include <csignal>
#include <memory>

#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/test_database.hpp"

namespace helpdesk::testing {

class e2e : public ::testing::Test {
 protected:
  void SetUp() override {
    db = std::make_unique<test_database>();
    brand_a = db->add_brand("brand-a");
    brand_b = db->add_brand("brand-b");
    agent_a = db->add_agent("agent.a@example.com", role::agent, {brand_a.id});
    agent_b = db->add_agent("agent.b@example.com", role::agent, {brand_b.id});
    admin = db->add_token(role::admin);
    admin_a = db->add_token(role::admin, {brand_a.id});
    manager = db->add_token(role::manager, {brand_a.id});
    agent = db->add_token(role::agent, {brand_a.id});
    integration = db->add_token(role::integration, {brand_a.id});
    server = std::make_unique<server_process>(db->url(), server_args());
  }
  // Every test ends with a graceful stop: SIGTERM must drain and exit 0
  // promptly (this once caught a shutdown race that hung one stop in four).
  void TearDown() override {
    if (!server) return;
    server->signal(SIGTERM);
    EXPECT_EQ(server->wait_exit(std::chrono::seconds(10)), 0) << server->output();
  }
  virtual std::vector<std::string> server_args() { return {}; }
  unsigned short port() const { return server->port(); }
  http_result req(const std::string& method, const std::string& path, const std::string& token = "",
                  const std::string& body = "") {
    return call(port(), method, path, token, body);
  }

  std::unique_ptr<test_database> db;
  std::unique_ptr<server_process> server;
  helpdesk::brand brand_a, brand_b;
  helpdesk::agent agent_a, agent_b;
  std::string admin, admin_a, manager, agent, integration;
};

}  // namespace helpdesk::testing
