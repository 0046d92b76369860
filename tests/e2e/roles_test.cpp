// Every route × every role: the status each one gets. A route added to the
// router without a row here fails RoleMatrix.CoversEveryRoute.
#include <set>

#include "fixture.hpp"
#include "helpdesk/api/routes.hpp"

using namespace helpdesk;
using namespace helpdesk::testing;

namespace {

struct expectation {
  std::string method;
  std::string route;  // template, as in the router
  std::string path;   // concrete; {A} is brand A, {agentA} the agent of brand A, {none} a random id
  std::string body;
  // anonymous, admin, manager, agent, integration
  std::array<int, 5> status;
};

const std::string missing_id = "0f0e0d0c-0b0a-4909-8807-060504030201";

std::vector<expectation> matrix() {
  return {
      {"GET", "/healthz", "/healthz", "", {200, 200, 200, 200, 200}},
      {"GET", "/readyz", "/readyz", "", {200, 200, 200, 200, 200}},
      {"GET", "/metrics", "/metrics", "", {200, 200, 200, 200, 200}},
      {"POST", "/v1/auth/login", "/v1/auth/login", "{}", {422, 422, 422, 422, 422}},
      {"POST", "/v1/auth/logout", "/v1/auth/logout", "", {401, 422, 422, 422, 403}},
      {"GET", "/v1/me", "/v1/me", "", {401, 200, 200, 200, 200}},
      {"GET", "/v1/brands", "/v1/brands", "", {401, 200, 200, 200, 200}},
      {"POST", "/v1/brands", "/v1/brands", "{}", {401, 422, 403, 403, 403}},
      {"GET", "/v1/brands/{id}", "/v1/brands/{A}", "", {401, 200, 200, 200, 200}},
      {"PATCH", "/v1/brands/{id}", "/v1/brands/{A}", "{}", {401, 200, 403, 403, 403}},
      {"GET", "/v1/agents", "/v1/agents", "", {401, 200, 200, 403, 403}},
      {"POST", "/v1/agents", "/v1/agents", "{}", {401, 422, 403, 403, 403}},
      {"GET", "/v1/agents/{id}", "/v1/agents/{agentA}", "", {401, 200, 200, 403, 403}},
      {"PATCH", "/v1/agents/{id}", "/v1/agents/{agentA}", "{}", {401, 200, 200, 403, 403}},
      {"GET", "/v1/tokens", "/v1/tokens", "", {401, 200, 403, 403, 403}},
      {"POST", "/v1/tokens", "/v1/tokens", "{}", {401, 422, 403, 403, 403}},
      {"DELETE", "/v1/tokens/{id}", "/v1/tokens/{none}", "", {401, 404, 403, 403, 403}},
      {"POST", "/v1/inbound/email", "/v1/inbound/email", "{}", {401, 422, 403, 403, 422}},
      {"POST", "/v1/inbound/calls", "/v1/inbound/calls", "{}", {401, 422, 403, 403, 422}},
      {"POST", "/v1/inbound/chat", "/v1/inbound/chat", "{}", {401, 422, 403, 403, 422}},
      {"GET", "/v1/customers", "/v1/customers", "", {401, 200, 200, 200, 403}},
      {"GET", "/v1/customers/{id}", "/v1/customers/{none}", "", {401, 404, 404, 404, 403}},
      {"PATCH", "/v1/customers/{id}", "/v1/customers/{none}", "{}", {401, 422, 422, 422, 403}},
      {"GET", "/v1/customers/{id}/timeline", "/v1/customers/{none}/timeline", "", {401, 404, 404, 404, 403}},
      {"POST", "/v1/customers/{id}/merge", "/v1/customers/{none}/merge", "{}", {401, 404, 404, 404, 403}},
      {"GET", "/v1/tickets", "/v1/tickets", "", {401, 200, 200, 200, 403}},
      {"GET", "/v1/tickets/{id}", "/v1/tickets/{none}", "", {401, 404, 404, 404, 403}},
      {"PATCH", "/v1/tickets/{id}", "/v1/tickets/{none}", R"({"status": "pending"})", {401, 404, 404, 404, 403}},
      {"GET", "/v1/tickets/{id}/messages", "/v1/tickets/{none}/messages", "", {401, 404, 404, 404, 403}},
      {"GET", "/v1/attachments/{id}", "/v1/attachments/{none}", "", {401, 404, 404, 404, 403}},
      {"GET", "/v1/tickets/{id}/routing", "/v1/tickets/{none}/routing", "", {401, 404, 404, 404, 403}},
      // Claiming and pulling need a signed-in agent (these tokens have none: 403 past the role check), so an
      // unknown member shows the role check passed: the body is refused (422) before the caller is looked at.
      {"POST", "/v1/tickets/{id}/claim", "/v1/tickets/{none}/claim", R"({"x": 1})", {401, 422, 422, 422, 403}},
      {"POST", "/v1/tickets/{id}/release", "/v1/tickets/{none}/release", "", {401, 404, 404, 404, 403}},
      {"POST", "/v1/tickets/{id}/transfer", "/v1/tickets/{none}/transfer", "{}", {401, 422, 422, 422, 403}},
      {"POST", "/v1/tickets/{id}/callbacks", "/v1/tickets/{none}/callbacks", "{}", {401, 422, 422, 422, 403}},
      {"POST", "/v1/agents/me/next", "/v1/agents/me/next", R"({"x": 1})", {401, 422, 422, 422, 403}},
      {"POST", "/v1/agents/{id}/handover", "/v1/agents/{agentA}/handover", "", {401, 200, 200, 403, 403}},
      {"PUT", "/v1/agents/{id}/presence", "/v1/agents/{agentA}/presence", "{}", {401, 422, 422, 422, 403}},
      {"GET", "/v1/queues", "/v1/queues", "", {401, 200, 200, 200, 403}},
      {"POST", "/v1/queues", "/v1/queues", "{}", {401, 422, 422, 403, 403}},
      {"GET", "/v1/queues/{id}", "/v1/queues/{none}", "", {401, 404, 404, 404, 403}},
      {"PATCH", "/v1/queues/{id}", "/v1/queues/{none}", "{}", {401, 404, 404, 403, 403}},
      {"DELETE", "/v1/queues/{id}", "/v1/queues/{none}", "", {401, 404, 404, 403, 403}},
      {"GET", "/v1/queues/{id}/waiting", "/v1/queues/{none}/waiting", "", {401, 404, 404, 404, 403}},
      {"GET", "/v1/calendars", "/v1/calendars", "", {401, 200, 200, 403, 403}},
      {"POST", "/v1/calendars", "/v1/calendars", "{}", {401, 422, 422, 403, 403}},
      {"GET", "/v1/calendars/{id}", "/v1/calendars/{none}", "", {401, 404, 404, 403, 403}},
      {"PATCH", "/v1/calendars/{id}", "/v1/calendars/{none}", "{}", {401, 404, 404, 403, 403}},
      {"DELETE", "/v1/calendars/{id}", "/v1/calendars/{none}", "", {401, 404, 404, 403, 403}},
      {"GET", "/v1/calendars/{id}/deadline", "/v1/calendars/{none}/deadline?start=2026-12-04T16:30:00Z&business_seconds=60",
       "", {401, 404, 404, 403, 403}},
      {"GET", "/v1/sla-policies", "/v1/sla-policies", "", {401, 200, 200, 403, 403}},
      {"POST", "/v1/sla-policies", "/v1/sla-policies", "{}", {401, 422, 422, 403, 403}},
      {"GET", "/v1/sla-policies/{id}", "/v1/sla-policies/{none}", "", {401, 404, 404, 403, 403}},
      {"PATCH", "/v1/sla-policies/{id}", "/v1/sla-policies/{none}", "{}", {401, 404, 404, 403, 403}},
      {"DELETE", "/v1/sla-policies/{id}", "/v1/sla-policies/{none}", "", {401, 404, 404, 403, 403}},
      {"GET", "/v1/tickets/{id}/sla", "/v1/tickets/{none}/sla", "", {401, 404, 404, 404, 403}},
      {"POST", "/v1/tickets/{id}/messages/{mid}/no-response-needed", "/v1/tickets/{none}/messages/{none}/no-response-needed",
       "", {401, 404, 404, 404, 403}},
      {"POST", "/v1/tickets/{id}/replies", "/v1/tickets/{none}/replies", "{}", {401, 422, 422, 422, 403}},
      {"POST", "/v1/tickets/{id}/notes", "/v1/tickets/{none}/notes", "{}", {401, 422, 422, 422, 403}},
      {"POST", "/v1/outbound/{message_id}/status", "/v1/outbound/{none}/status", "{}", {401, 422, 403, 403, 422}},
      {"GET", "/v1/reports/sla", "/v1/reports/sla", "", {401, 200, 200, 403, 403}},
      {"GET", "/v1/reports/response-times", "/v1/reports/response-times", "", {401, 200, 200, 403, 403}},
      {"GET", "/v1/reports/volume", "/v1/reports/volume", "", {401, 200, 200, 403, 403}},
      {"GET", "/v1/reports/calls", "/v1/reports/calls", "", {401, 200, 200, 403, 403}},
      {"GET", "/v1/reports/interactions", "/v1/reports/interactions", "", {401, 200, 200, 403, 403}},
      {"GET", "/v1/reports/contact-reasons", "/v1/reports/contact-reasons", "", {401, 200, 200, 403, 403}},
      {"GET", "/v1/reports/agents", "/v1/reports/agents", "", {401, 200, 200, 403, 403}},
      {"GET", "/v1/stats/live", "/v1/stats/live", "", {401, 200, 200, 403, 403}},
      {"GET", "/v1/views", "/v1/views", "", {401, 200, 200, 200, 403}},
      {"GET", "/v1/views/{name}", "/v1/views/mine", "", {401, 200, 200, 200, 403}},
      {"GET", "/v1/stream", "/v1/stream", "", {401, 403, 403, 403, 403}},
      {"GET", "/v1/search", "/v1/search?q=parcel", "", {401, 200, 200, 200, 403}},
      {"POST", "/v1/tickets/{id}/viewing", "/v1/tickets/{none}/viewing", "", {401, 403, 403, 403, 403}},
      {"POST", "/v1/tickets/{id}/merge", "/v1/tickets/{none}/merge", "{}", {401, 422, 422, 422, 403}},
      {"GET", "/v1/canned-responses", "/v1/canned-responses", "", {401, 200, 200, 200, 403}},
      {"POST", "/v1/canned-responses", "/v1/canned-responses", "{}", {401, 422, 422, 403, 403}},
      {"GET", "/v1/canned-responses/{id}", "/v1/canned-responses/{none}", "", {401, 404, 404, 404, 403}},
      {"PATCH", "/v1/canned-responses/{id}", "/v1/canned-responses/{none}", "{}", {401, 404, 404, 403, 403}},
      {"DELETE", "/v1/canned-responses/{id}", "/v1/canned-responses/{none}", "", {401, 404, 404, 403, 403}},
      {"GET", "/v1/webhooks", "/v1/webhooks", "", {401, 200, 403, 403, 403}},
      {"POST", "/v1/webhooks", "/v1/webhooks", "{}", {401, 422, 403, 403, 403}},
      {"GET", "/v1/webhooks/{id}", "/v1/webhooks/{none}", "", {401, 404, 403, 403, 403}},
      {"PATCH", "/v1/webhooks/{id}", "/v1/webhooks/{none}", "{}", {401, 404, 403, 403, 403}},
      {"DELETE", "/v1/webhooks/{id}", "/v1/webhooks/{none}", "", {401, 404, 403, 403, 403}},
      {"POST", "/v1/webhooks/{id}/pause", "/v1/webhooks/{none}/pause", "", {401, 404, 403, 403, 403}},
      {"POST", "/v1/webhooks/{id}/resume", "/v1/webhooks/{none}/resume", "", {401, 404, 403, 403, 403}},
      {"POST", "/v1/webhooks/{id}/rotate-secret", "/v1/webhooks/{none}/rotate-secret", "", {401, 404, 403, 403, 403}},
      {"GET", "/v1/webhooks/{id}/deliveries", "/v1/webhooks/{none}/deliveries", "", {401, 404, 403, 403, 403}},
      {"POST", "/v1/webhooks/{id}/deliveries/{did}/replay", "/v1/webhooks/{none}/deliveries/{none}/replay", "",
       {401, 404, 403, 403, 403}},
  };
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
  return s;
}

}  // namespace

TEST(RoleMatrix, CoversEveryRoute) {
  std::set<std::pair<std::string, std::string>> covered;
  for (const auto& e : matrix()) covered.insert({e.method, e.route});
  for (const auto& r : api::route_table())
    EXPECT_TRUE(covered.count({std::string(bhttp::to_string(r.method)), r.path}))
        << "no role-matrix row for " << bhttp::to_string(r.method) << " " << r.path;
}

class roles : public e2e {};

TEST_F(roles, EveryRoleGetsTheExpectedStatusOnEveryRoute) {
  const std::array<std::string, 5> who = {"", admin, manager, agent, integration};
  const std::array<std::string, 5> names = {"anonymous", "admin", "manager", "agent", "integration"};
  for (const auto& e : matrix()) {
    std::string path = replace_all(replace_all(replace_all(e.path, "{A}", brand_a.id), "{agentA}", agent_a.id), "{none}", missing_id);
    for (std::size_t i = 0; i < who.size(); ++i) {
      auto r = req(e.method, path, who[i], e.body);
      EXPECT_EQ(r.status, e.status[i]) << e.method << " " << path << " as " << names[i] << ": " << r.body;
      if (r.status >= 400) EXPECT_EQ(r.header("content-type"), "application/problem+json") << e.method << " " << path;
      EXPECT_FALSE(r.header("x-request-id").empty());
    }
  }
}

TEST_F(roles, OtherBrandsObjectsAreNotFoundExactlyLikeMissingOnes) {
  auto missing = req("GET", "/v1/brands/" + missing_id, manager);
  auto foreign = req("GET", "/v1/brands/" + brand_b.id, manager);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(foreign.status, 404);
  EXPECT_EQ(missing.json()["detail"], foreign.json()["detail"]);
  EXPECT_EQ(req("GET", "/v1/agents/" + agent_b.id, manager).status, 404);

  // A brand-limited admin cannot touch brand B with any verb, and B is unchanged.
  EXPECT_EQ(req("GET", "/v1/brands/" + brand_b.id, admin_a).status, 404);
  EXPECT_EQ(req("PATCH", "/v1/brands/" + brand_b.id, admin_a, R"({"name": "Hijacked"})").status, 404);
  EXPECT_EQ(req("PATCH", "/v1/agents/" + agent_b.id, admin_a, R"({"name": "Hijacked"})").status, 404);
  EXPECT_EQ(req("GET", "/v1/brands/" + brand_b.id, admin).json()["name"], "Brand brand-b");
  EXPECT_EQ(req("GET", "/v1/agents/" + agent_b.id, admin).json()["name"], "Agent agent.b@example.com");

  auto listed_page = req("GET", "/v1/brands", manager).json();
  auto listed = listed_page["items"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["id"], brand_a.id);
  // Not a UUID at all: still a plain 404.
  EXPECT_EQ(req("GET", "/v1/brands/not-an-id", admin).status, 404);
}

TEST_F(roles, AdminManagesBrandsAndAgents) {
  auto created = req("POST", "/v1/brands", admin,
                     R"({"name": "Kavárna", "slug": "kavarna", "default_language": "cs", "default_phone_region": "CZ",
                         "time_zone": "Europe/Prague", "inbound_addresses": ["Podpora@Kavarna.example"]})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto b = created.json();
  EXPECT_EQ(b["ticket_prefix"], "KAVARNA");
  EXPECT_EQ(b["inbound_addresses"], nlohmann::json::array({"podpora@kavarna.example"}));
  EXPECT_EQ(created.header("location"), "/v1/brands/" + b["id"].get<std::string>());

  auto dup = req("POST", "/v1/brands", admin, R"({"name": "Other", "slug": "kavarna"})");
  ASSERT_EQ(dup.status, 422);
  EXPECT_EQ(dup.json()["errors"][0]["pointer"], "/slug");
  auto taken = req("POST", "/v1/brands", admin,
                   R"({"name": "Other", "slug": "other", "inbound_addresses": ["podpora@kavarna.example"]})");
  ASSERT_EQ(taken.status, 422);
  EXPECT_EQ(taken.json()["errors"][0]["pointer"], "/inbound_addresses");
  // The brand row written before the address clash was rolled back with it.
  auto all = req("GET", "/v1/brands?limit=200", admin).json();
  for (const auto& item : all["items"]) EXPECT_NE(item["slug"], "other") << "half-written brand left behind";

  auto bad = req("POST", "/v1/brands", admin, R"({"name": "X", "slug": "x", "time_zone": "Europe/Atlantis", "default_language": "cz", "default_phone_region": "XX"})");
  ASSERT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json()["errors"].size(), 3u);

  auto patched = req("PATCH", "/v1/brands/" + b["id"].get<std::string>(), admin, R"({"time_zone": "Europe/Bratislava"})");
  ASSERT_EQ(patched.status, 200);
  EXPECT_EQ(patched.json()["time_zone"], "Europe/Bratislava");
  EXPECT_EQ(patched.json()["slug"], "kavarna");

  auto agent_created = req("POST", "/v1/agents", admin,
                           R"({"name": "Zofia", "email": "zofia@example.com", "role": "agent", "password": "long enough password",
                               "brands": [{"brand_id": ")" + brand_a.id + R"(", "role": "backup"}]})");
  ASSERT_EQ(agent_created.status, 201) << agent_created.body;
  EXPECT_EQ(agent_created.json()["brands"][0]["role"], "backup");
  EXPECT_FALSE(agent_created.json().contains("password"));
  EXPECT_FALSE(agent_created.json().contains("password_hash"));
  auto login = req("POST", "/v1/auth/login", "", R"({"email": "zofia@example.com", "password": "long enough password"})");
  EXPECT_EQ(login.status, 200);

  auto unknown_brand = req("POST", "/v1/agents", admin,
                           R"({"name": "Y", "email": "y@example.com", "role": "agent", "password": "long enough password",
                               "brands": [{"brand_id": "0f0e0d0c-0b0a-4909-8807-060504030201"}]})");
  ASSERT_EQ(unknown_brand.status, 422);
  EXPECT_EQ(unknown_brand.json()["errors"][0]["pointer"], "/brands/0/brand_id");

  // Deactivating an agent ends their sessions at once.
  std::string session = login.json()["token"];
  const std::string zofia = agent_created.json()["id"];
  ASSERT_EQ(req("PATCH", "/v1/agents/" + zofia, admin, R"({"active": false})").status, 200);
  EXPECT_EQ(req("GET", "/v1/me", session).status, 401);
}

TEST_F(roles, ListsPaginateWithCursors) {
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto r = req("GET", "/v1/agents?limit=1" + (cursor.empty() ? "" : "&cursor=" + cursor), admin);
    ASSERT_EQ(r.status, 200);
    auto page = r.json();
    for (const auto& item : page["items"]) seen.insert(item["id"]);
    cursor = page["next_cursor"].is_null() ? "" : page["next_cursor"].get<std::string>();
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(seen.size(), 2u);
  auto bad = req("GET", "/v1/agents?limit=0&cursor=zzz!", admin);
  ASSERT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json()["errors"][0]["pointer"], "/query/limit");
  EXPECT_EQ(bad.json()["errors"][1]["pointer"], "/query/cursor");
}

TEST_F(roles, BrandLimitedCredentialsCannotWidenTheirReach) {
  // An admin token limited to brand A must not mint a wider credential.
  auto all_brands_token = req("POST", "/v1/tokens", admin_a, R"({"name": "wide", "role": "admin"})");
  ASSERT_EQ(all_brands_token.status, 422) << all_brands_token.body;
  EXPECT_EQ(all_brands_token.json()["errors"][0]["pointer"], "/brand_ids");
  auto other_brand_token =
      req("POST", "/v1/tokens", admin_a, R"({"name": "b", "role": "integration", "brand_ids": [")" + brand_b.id + R"("]})");
  ASSERT_EQ(other_brand_token.status, 422);
  EXPECT_EQ(other_brand_token.json()["errors"][0]["pointer"], "/brand_ids/0");
  EXPECT_EQ(req("POST", "/v1/tokens", admin_a, R"({"name": "a", "role": "integration", "brand_ids": [")" + brand_a.id + R"("]})").status, 201);

  auto admin_agent = req("POST", "/v1/agents", admin_a,
                         R"({"name": "Root", "email": "root@example.com", "role": "admin", "password": "long enough password",
                             "brands": [{"brand_id": ")" + brand_a.id + R"("}]})");
  ASSERT_EQ(admin_agent.status, 422);
  EXPECT_EQ(admin_agent.json()["errors"][0]["pointer"], "/role");
  EXPECT_EQ(req("PATCH", "/v1/agents/" + agent_a.id, admin_a, R"({"role": "admin"})").status, 422);
  EXPECT_EQ(req("POST", "/v1/brands", admin_a, R"({"name": "New", "slug": "new"})").status, 403);

  // It sees and revokes only tokens confined to its brands.
  auto listed = req("GET", "/v1/tokens?limit=200", admin_a).json();
  for (const auto& t : listed["items"]) {
    ASSERT_EQ(t["brand_ids"].size(), 1u) << t.dump();
    EXPECT_EQ(t["brand_ids"][0], brand_a.id);
  }
  const std::string unlimited_id = req("GET", "/v1/me", admin).json()["id"];
  EXPECT_EQ(req("DELETE", "/v1/tokens/" + unlimited_id, admin_a).status, 404);
  EXPECT_EQ(req("GET", "/v1/me", admin).status, 200);
}

TEST_F(roles, PasswordChangeEndsExistingSessions) {
  auto login = req("POST", "/v1/auth/login", "", R"({"email": "agent.a@example.com", "password": "correct horse battery"})");
  ASSERT_EQ(login.status, 200);
  const std::string session = login.json()["token"];
  ASSERT_EQ(req("PATCH", "/v1/agents/" + agent_a.id, admin, R"({"password": "a brand new password"})").status, 200);
  EXPECT_EQ(req("GET", "/v1/me", session).status, 401);
  EXPECT_EQ(req("POST", "/v1/auth/login", "", R"({"email": "agent.a@example.com", "password": "a brand new password"})").status, 200);
}

TEST_F(roles, BrandLimitedAdminCannotCreateAnUnboundManagerOrTouchSharedAgents) {
  auto unbound = req("POST", "/v1/agents", admin_a,
                     R"({"name": "M", "email": "m@example.com", "role": "manager", "password": "long enough password"})");
  ASSERT_EQ(unbound.status, 422) << unbound.body;
  EXPECT_EQ(unbound.json()["errors"][0]["pointer"], "/brands");

  auto shared = db->add_agent("shared@example.com", role::agent, {brand_a.id, brand_b.id});
  auto takeover = req("PATCH", "/v1/agents/" + shared.id, admin_a, R"({"password": "now i know it"})");
  EXPECT_EQ(takeover.status, 403) << takeover.body;
  auto fetched = req("GET", "/v1/agents/" + shared.id, admin).json();
  EXPECT_EQ(fetched["brands"].size(), 2u);
}
