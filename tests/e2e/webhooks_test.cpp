// Outbound webhooks end to end: a real server relays real ingests to a
// receiver in the test; signatures are checked with the test's own
// implementation of the Standard Webhooks rule.
#include <set>
#include <thread>

#include "fixture.hpp"
#include "support/webhook_receiver.hpp"

namespace helpdesk::testing {
namespace {

using nlohmann::json;

class webhooks_e2e : public e2e {
 protected:
  std::vector<std::string> server_args() override {
    return {"--webhook-allowed-hosts=127.0.0.1", "--webhook-tick-ms=50", "--relay-tick-ms=50",
            "--webhook-first-retry-ms=100", "--webhook-timeout-ms=2000", "--router=false", "--sla=false"};
  }
  json subscribe(const std::string& url, json events = json::array({"*"})) {
    auto r = req("POST", "/v1/webhooks", admin, json{{"url", url}, {"events", events}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }
  json email(const std::string& message_id, const std::string& subject = "Where is my parcel?") {
    json doc = {{"from", "Jana Nováková <jana@example.cz>"}, {"to", {"podpora@shop-a.example"}},
                {"subject", subject}, {"text", "Dobrý den, kde je můj balík?"}, {"message_id", message_id}};
    auto r = call(port(), "POST", "/v1/inbound/email?brand=" + brand_a.id, integration, doc.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }
  json deliveries(const std::string& webhook_id) {
    auto r = req("GET", "/v1/webhooks/" + webhook_id + "/deliveries", admin);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()["items"];
  }
  // Polls the subscription's deliveries until `ok` holds.
  json wait_deliveries(const std::string& webhook_id, const std::function<bool(const json&)>& ok) {
    json items;
    for (int i = 0; i < 300; ++i) {
      items = deliveries(webhook_id);
      if (ok(items)) return items;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "deliveries never as expected: " << items.dump(2);
    return items;
  }
};

class webhooks_guarded : public e2e {};

TEST_F(webhooks_guarded, PrivateAndNumericTargetsAreRefusedWithoutTheAllowList) {
  for (const char* url : {"http://127.0.0.1:5432/", "http://[::1]/", "http://169.254.169.254/latest",
                          "http://2130706433/", "http://10.0.0.8/hook", "http://localhost:8080/",
                          "http://[::ffff:127.0.0.1]/", "ftp://example.com/"}) {
    auto r = req("POST", "/v1/webhooks", admin, json{{"url", url}, {"events", {"ticket.created"}}}.dump());
    EXPECT_EQ(r.status, 422) << url << " " << r.body;
    EXPECT_EQ(r.json()["errors"][0]["pointer"], "/url") << r.body;
  }
  EXPECT_EQ(db->scalar("SELECT count(*) FROM webhook_subscriptions"), "0");
}

TEST_F(webhooks_guarded, BadSubscriptionsAreRefusedPrecisely) {
  auto r = req("POST", "/v1/webhooks", admin, R"({"url": "https://hooks.example.com/x", "events": ["ticket.exploded"]})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["errors"][0]["pointer"], "/events/0") << r.body;
  r = req("POST", "/v1/webhooks", admin, R"({"url": "https://hooks.example.com/x", "events": ["*"], "brands": ["nope"]})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["errors"][0]["pointer"], "/brands/0") << r.body;
  r = req("POST", "/v1/webhooks", admin, R"({"events": ["*"]})");
  EXPECT_EQ(r.status, 422);
  r = req("POST", "/v1/webhooks", manager, R"({"url": "https://hooks.example.com/x", "events": ["*"]})");
  EXPECT_EQ(r.status, 403);
  auto made = req("POST", "/v1/webhooks", admin, R"({"url": "https://hooks.example.com/x", "events": ["sla.breached"]})");
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json()["secret"].get<std::string>().rfind("whsec_", 0), 0u);
  auto shown = req("GET", "/v1/webhooks/" + made.json()["id"].get<std::string>(), admin).json();
  EXPECT_FALSE(shown.contains("secret")) << "the secret is shown once only";
}

TEST_F(webhooks_e2e, IngestedMailIsDeliveredSignedWithOneIdPerEvent) {
  webhook_receiver rx;
  auto sub = subscribe(rx.url(), {"ticket.created", "message.created"});
  const std::string secret = sub["secret"];
  auto made = email("<order-1@example.cz>");
  ASSERT_TRUE(rx.wait_for(2)) << "got " << rx.hits().size();
  auto hits = rx.hits();
  std::set<std::string> types, ids;
  for (const auto& h : hits) {
    EXPECT_TRUE(verify_standard_webhook(secret, h)) << h.body;
    auto body = json::parse(h.body);
    types.insert(body["type"]);
    ids.insert(h.headers.at("webhook-id"));
    EXPECT_EQ(body["data"]["ticket"]["id"], made["ticket_id"]);
    EXPECT_EQ(h.headers.at("content-type"), "application/json");
  }
  EXPECT_EQ(types, (std::set<std::string>{"ticket.created", "message.created"}));
  EXPECT_EQ(ids.size(), 2u);
  auto tampered = hits[0];
  tampered.body += " ";
  EXPECT_FALSE(verify_standard_webhook(secret, tampered));
  auto items = wait_deliveries(sub["id"], [](const json& d) {
    return d.size() == 2 && d[0]["state"] == "succeeded" && d[1]["state"] == "succeeded";
  });
  EXPECT_EQ(items[0]["attempts"], 1);
  EXPECT_EQ(items[0]["history"][0]["status_code"], 200);
}

TEST_F(webhooks_e2e, AFailedAttemptIsRetriedUnderTheSameId) {
  webhook_receiver rx({500, 200});
  auto sub = subscribe(rx.url(), {"ticket.created"});
  email("<retry-1@example.cz>");
  ASSERT_TRUE(rx.wait_for(2)) << "got " << rx.hits().size();
  auto hits = rx.hits();
  EXPECT_EQ(hits[0].headers.at("webhook-id"), hits[1].headers.at("webhook-id"));
  EXPECT_EQ(hits[0].body, hits[1].body);
  EXPECT_TRUE(verify_standard_webhook(sub["secret"], hits[1]));
  auto items = wait_deliveries(sub["id"], [](const json& d) { return d.size() == 1 && d[0]["state"] == "succeeded"; });
  ASSERT_EQ(items[0]["history"].size(), 2u);
  EXPECT_EQ(items[0]["history"][0]["status_code"], 500);
  EXPECT_EQ(items[0]["history"][1]["status_code"], 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(rx.hits().size(), 2u) << "a success is not delivered again";
}

TEST_F(webhooks_e2e, GoneDisablesTheSubscription) {
  webhook_receiver rx({410});
  auto sub = subscribe(rx.url(), {"ticket.created"});
  email("<gone-1@example.cz>");
  ASSERT_TRUE(rx.wait_for(1));
  json shown;
  for (int i = 0; i < 200; ++i) {
    shown = req("GET", "/v1/webhooks/" + sub["id"].get<std::string>(), admin).json();
    if (shown["state"] == "disabled") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(shown["state"], "disabled") << shown.dump();
  email("<gone-2@example.cz>");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(rx.hits().size(), 1u) << "a disabled endpoint gets nothing more";
  auto items = deliveries(sub["id"]);
  EXPECT_EQ(items.size(), 1u) << "nothing is queued for a disabled endpoint";
}

TEST_F(webhooks_e2e, ARedirectIsNotFollowed) {
  webhook_receiver target;
  webhook_receiver rx({302}, target.url("/elsewhere"));
  auto sub = subscribe(rx.url(), {"ticket.created"});
  email("<redirect-1@example.cz>");
  ASSERT_TRUE(rx.wait_for(1));
  auto items = wait_deliveries(sub["id"], [](const json& d) { return d.size() == 1 && d[0]["attempts"] >= 1; });
  EXPECT_EQ(items[0]["history"][0]["status_code"], 302);
  EXPECT_NE(items[0]["last_error"].get<std::string>().find("not followed"), std::string::npos) << items.dump();
  EXPECT_EQ(items[0]["state"], "pending") << "a redirect counts as a failure and is retried";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(target.hits().empty());
}

TEST_F(webhooks_e2e, PauseHoldsDeliveriesAndResumeSendsThem) {
  webhook_receiver rx;
  auto sub = subscribe(rx.url(), {"ticket.created"});
  const std::string id = sub["id"];
  ASSERT_EQ(req("POST", "/v1/webhooks/" + id + "/pause", admin).status, 200);
  email("<paused-1@example.cz>");
  wait_deliveries(id, [](const json& d) { return d.size() == 1; });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(rx.hits().empty());
  auto resumed = req("POST", "/v1/webhooks/" + id + "/resume", admin);
  EXPECT_EQ(resumed.json()["state"], "active");
  EXPECT_TRUE(rx.wait_for(1));
}

TEST_F(webhooks_e2e, ReplaySendsTheSameMessageAgain) {
  webhook_receiver rx;
  auto sub = subscribe(rx.url(), {"ticket.created"});
  const std::string id = sub["id"];
  email("<replay-1@example.cz>");
  auto items = wait_deliveries(id, [](const json& d) { return d.size() == 1 && d[0]["state"] == "succeeded"; });
  const std::string did = items[0]["id"];
  auto r = req("POST", "/v1/webhooks/" + id + "/deliveries/" + did + "/replay", admin);
  EXPECT_EQ(r.status, 202) << r.body;
  ASSERT_TRUE(rx.wait_for(2));
  auto hits = rx.hits();
  EXPECT_EQ(hits[0].headers.at("webhook-id"), hits[1].headers.at("webhook-id"));
  EXPECT_EQ(req("POST", "/v1/webhooks/" + id + "/deliveries/00000000-0000-7000-8000-000000000000/replay", admin).status,
            404);
}

TEST_F(webhooks_e2e, RotationSignsWithTheNewAndTheOldSecret) {
  webhook_receiver rx;
  auto sub = subscribe(rx.url(), {"ticket.created"});
  const std::string id = sub["id"];
  auto rotated = req("POST", "/v1/webhooks/" + id + "/rotate-secret", admin);
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string fresh = rotated.json()["secret"];
  EXPECT_NE(fresh, sub["secret"].get<std::string>());
  email("<rotate-1@example.cz>");
  ASSERT_TRUE(rx.wait_for(1));
  const auto h = rx.hits()[0];
  EXPECT_TRUE(verify_standard_webhook(fresh, h));
  EXPECT_TRUE(verify_standard_webhook(sub["secret"], h));
  EXPECT_NE(h.headers.at("webhook-signature").find(' '), std::string::npos);
}

TEST_F(webhooks_e2e, ACustomerMergeIsAnEvent) {
  webhook_receiver rx;
  subscribe(rx.url(), {"customer.merged"});
  auto a = email("<cm-1@example.cz>");
  json other = {{"from", "jana.work@example.cz"}, {"to", {"podpora@shop-a.example"}}, {"subject", "x"},
                {"text", "y"}, {"message_id", "<cm-2@example.cz>"}};
  auto b = call(port(), "POST", "/v1/inbound/email?brand=" + brand_a.id, integration, other.dump()).json();
  auto r = req("POST", "/v1/customers/" + a["customer_id"].get<std::string>() + "/merge", admin,
               json{{"customer_id", b["customer_id"]}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(rx.wait_for(1));
  auto body = json::parse(rx.hits()[0].body);
  EXPECT_EQ(body["type"], "customer.merged");
  EXPECT_EQ(body["data"]["customer_id"], a["customer_id"]);
  EXPECT_EQ(body["data"]["merged_customer_id"], b["customer_id"]);
}

class webhooks_failover : public webhooks_e2e {
 protected:
  std::vector<std::string> server_args() override {
    auto a = webhooks_e2e::server_args();
    a.push_back("--webhook-timeout-ms=1000");  // lease: 2 x 1 s + 5 s
    return a;
  }
};

TEST_F(webhooks_failover, ADeliveryInFlightOnAKilledProcessIsSentByAnother) {
  webhook_receiver rx({0, 200});  // the first attempt never gets an answer
  auto sub = subscribe(rx.url(), {"ticket.created"});
  email("<killed-1@example.cz>");
  ASSERT_TRUE(rx.wait_for(1));
  server->signal(SIGKILL);
  server->wait_exit(std::chrono::seconds(5));
  server.reset();  // nothing to drain: it was killed
  server_process other(db->url(), server_args());
  ASSERT_TRUE(rx.wait_for(2, std::chrono::seconds(20))) << "the lease ran out and another process sent it";
  auto hits = rx.hits();
  EXPECT_EQ(hits[0].headers.at("webhook-id"), hits[1].headers.at("webhook-id"));
  EXPECT_TRUE(verify_standard_webhook(sub["secret"], hits[1]));
  json items;
  for (int i = 0; i < 200; ++i) {
    items = json::parse(call(other.port(), "GET", "/v1/webhooks/" + sub["id"].get<std::string>() + "/deliveries", admin).body)["items"];
    if (items.size() == 1 && items[0]["state"] == "succeeded") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["state"], "succeeded") << items.dump();
  other.signal(SIGTERM);
  EXPECT_EQ(other.wait_exit(std::chrono::seconds(10)), 0);
}

TEST_F(webhooks_e2e, BrandFilterKeepsOtherBrandsEventsAway) {
  webhook_receiver rx;
  auto r = req("POST", "/v1/webhooks", admin,
               json{{"url", rx.url()}, {"events", {"ticket.created"}}, {"brands", {brand_b.id}}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  email("<brand-a-1@example.cz>");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_TRUE(rx.hits().empty());
}

}  // namespace
}  // namespace helpdesk::testing
