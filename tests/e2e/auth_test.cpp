#include "fixture.hpp"

#include <thread>

using namespace helpdesk;
using namespace helpdesk::testing;

namespace {
std::string login_body(const std::string& email, const std::string& password) {
  return nlohmann::json{{"email", email}, {"password", password}}.dump();
}
}  // namespace

class auth : public e2e {};

TEST_F(auth, LoginMeLogout) {
  auto login = req("POST", "/v1/auth/login", "", login_body("Agent.A@example.com", "correct horse battery"));
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string token = login.json()["token"];
  EXPECT_EQ(token.rfind("hds_", 0), 0u);
  EXPECT_TRUE(login.json()["expires_at"].is_string());

  auto me = req("GET", "/v1/me", token);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json()["kind"], "agent");
  EXPECT_EQ(me.json()["id"], agent_a.id);
  EXPECT_EQ(me.json()["email"], "agent.a@example.com");
  EXPECT_EQ(me.json()["role"], "agent");
  EXPECT_EQ(me.json()["all_brands"], false);
  EXPECT_EQ(me.json()["brand_ids"], nlohmann::json::array({brand_a.id}));

  EXPECT_EQ(req("POST", "/v1/auth/logout", token).status, 204);
  auto after = req("GET", "/v1/me", token);
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.header("content-type"), "application/problem+json");
  EXPECT_EQ(after.header("www-authenticate"), "Bearer realm=\"helpdesk\"");
}

TEST_F(auth, WrongPasswordAndUnknownAccountLookTheSame) {
  auto wrong = req("POST", "/v1/auth/login", "", login_body("agent.a@example.com", "not the password"));
  auto unknown = req("POST", "/v1/auth/login", "", login_body("nobody@example.com", "not the password"));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.json()["detail"], unknown.json()["detail"]);
}

TEST_F(auth, FailedLoginsAreThrottled) {
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(req("POST", "/v1/auth/login", "", login_body("agent.a@example.com", "wrong password " + std::to_string(i))).status, 401);
  // Even the right password is refused while the account is throttled.
  auto blocked = req("POST", "/v1/auth/login", "", login_body("agent.a@example.com", "correct horse battery"));
  EXPECT_EQ(blocked.status, 429) << blocked.body;
  EXPECT_EQ(blocked.header("retry-after"), "900");
  EXPECT_EQ(blocked.json()["type"], "/problems/too-many-requests");
}

TEST_F(auth, LoginValidatesItsBody) {
  auto r = req("POST", "/v1/auth/login", "", R"({"email": 1})");
  ASSERT_EQ(r.status, 422);
  auto body = r.json();
  auto errors = body["errors"];
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0]["pointer"], "/password");
  EXPECT_EQ(errors[1]["pointer"], "/email");
}

TEST_F(auth, ApiTokenIdentityAndRevocation) {
  auto me = req("GET", "/v1/me", integration);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.json()["kind"], "api_token");
  EXPECT_EQ(me.json()["role"], "integration");
  const std::string id = me.json()["id"];

  EXPECT_EQ(req("DELETE", "/v1/tokens/" + id, admin).status, 204);
  // Revocation on this node takes effect at once.
  EXPECT_EQ(req("GET", "/v1/me", integration).status, 401);
  EXPECT_EQ(req("DELETE", "/v1/tokens/" + id, admin).status, 404);
}

TEST_F(auth, TokensAreShownOnceAndListedWithoutSecret) {
  auto created = req("POST", "/v1/tokens", admin, R"({"name": "shop sync", "role": "integration", "brand_ids": [")" + brand_b.id + R"("]})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string secret = created.json()["token"];
  EXPECT_EQ(secret.rfind("hdk_", 0), 0u);
  EXPECT_EQ(created.header("location"), "/v1/tokens/" + created.json()["id"].get<std::string>());
  auto me = req("GET", "/v1/me", secret);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.json()["brand_ids"], nlohmann::json::array({brand_b.id}));
  auto list = req("GET", "/v1/tokens", admin);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find(secret), std::string::npos);
  EXPECT_EQ(list.json()["items"].size(), 6u);
}

TEST_F(auth, GarbageCredentialsAre401) {
  EXPECT_EQ(req("GET", "/v1/me", "hdk_" + std::string(43, 'A')).status, 401);
  EXPECT_EQ(req("GET", "/v1/me", "not-a-token").status, 401);
  auto basic = http_request(port(), "GET", "/v1/me", "", {{"Authorization", "Basic YTpi"}});
  EXPECT_EQ(basic.status, 401);
}

TEST_F(auth, ParallelGuessesCannotSlipUnderTheThrottle) {
  std::vector<std::thread> threads;
  std::vector<int> statuses(12);
  for (std::size_t i = 0; i < statuses.size(); ++i)
    threads.emplace_back([&, i] {
      statuses[i] = req("POST", "/v1/auth/login", "", login_body("agent.a@example.com", "guess number " + std::to_string(i))).status;
    });
  for (auto& t : threads) t.join();
  int wrong = 0, throttled = 0;
  for (int s : statuses) s == 401 ? ++wrong : s == 429 ? ++throttled : 0;
  EXPECT_EQ(wrong, 5) << "exactly the allowed number of guesses is checked";
  EXPECT_EQ(throttled, 7);
}
