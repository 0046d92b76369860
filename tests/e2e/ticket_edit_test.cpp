// PATCH /v1/tickets/{id}: status, priority and tags, with optimistic
// concurrency and the status rules; every change lands in the event log.
#include "fixture.hpp"

namespace helpdesk::testing {
namespace {

using nlohmann::json;

class ticket_edit_e2e : public e2e {
 protected:
  std::vector<std::string> server_args() override { return {"--router=false"}; }
  std::string ticket() {
    auto r = call(port(), "POST", "/v1/inbound/email?brand=" + brand_a.id, integration,
                  json({{"from", "jan@example.cz"}, {"subject", "Objednávka"}, {"text", "Kde je?"},
                        {"message_id", "<e" + std::to_string(++sent_) + "@example.cz>"}}).dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("ticket_id", "");
  }
  http_result patch(const std::string& id, const std::string& body, const std::string& if_match = "") {
    std::map<std::string, std::string> headers = {{"Authorization", "Bearer " + agent}, {"Content-Type", "application/json"}};
    if (!if_match.empty()) headers["If-Match"] = if_match;
    return http_request(port(), "PATCH", "/v1/tickets/" + id, body, headers);
  }
  int sent_ = 0;
};

TEST_F(ticket_edit_e2e, StatusPriorityAndTagsChangeAndAreLogged) {
  const auto id = ticket();
  auto r = patch(id, R"({"status": "pending", "priority": "high", "tags": ["Returns", "returns", "amazon"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "pending");
  EXPECT_EQ(r.json()["priority"], "high");
  EXPECT_EQ(r.json()["tags"], json::array({"returns", "amazon"}));
  EXPECT_EQ(r.header("etag"), "\"" + std::to_string(r.json()["version"].get<int>()) + "\"");
  EXPECT_EQ(db->scalar("SELECT string_agg(kind, ',' ORDER BY id) FROM ticket_events WHERE ticket_id = '" + id +
                       "' AND kind IN ('status_changed', 'priority_changed', 'tags_changed')"),
            "status_changed,priority_changed,tags_changed");
  auto solved = patch(id, R"({"status": "solved"})");
  ASSERT_EQ(solved.status, 200) << solved.body;
  EXPECT_FALSE(solved.json()["solved_at"].is_null());
}

TEST_F(ticket_edit_e2e, AStaleVersionIs412AndChangesNothing) {
  const auto id = ticket();
  const int version = req("GET", "/v1/tickets/" + id, agent).json()["version"];
  ASSERT_EQ(patch(id, R"({"priority": "high"})", "\"" + std::to_string(version) + "\"").status, 200);
  auto stale = patch(id, R"({"priority": "low"})", "\"" + std::to_string(version) + "\"");
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(stale.header("content-type"), "application/problem+json");
  auto stale_body = patch(id, json({{"priority", "low"}, {"version", version}}).dump());
  EXPECT_EQ(stale_body.status, 412);
  EXPECT_EQ(req("GET", "/v1/tickets/" + id, agent).json()["priority"], "high") << "nothing changed";
}

TEST_F(ticket_edit_e2e, ClosedIsFinalAndBadInputIsAPreciseProblem) {
  const auto id = ticket();
  ASSERT_EQ(patch(id, R"({"status": "closed"})").status, 200);
  auto reopen = patch(id, R"({"status": "open"})");
  EXPECT_EQ(reopen.status, 409) << reopen.body;
  auto bad = patch(id, R"({"status": "done", "priority": "asap", "tags": ["ok", "not ok"]})");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json()["errors"].size(), 3u) << bad.body;
  EXPECT_EQ(patch(id, "{}").status, 422) << "nothing to change";
  EXPECT_EQ(patch(id, R"({"priority": "high"})", "7").status, 422) << "If-Match must be an ETag";
  EXPECT_EQ(call(port(), "PATCH", "/v1/tickets/" + id, integration, R"({"priority": "high"})").status, 403);
}

}  // namespace
}  // namespace helpdesk::testing

namespace helpdesk::testing {
namespace {

TEST_F(ticket_edit_e2e, SubjectAndQueueChangeAndAreLogged) {
  const auto id = ticket();
  auto q = call(port(), "POST", "/v1/queues", admin,
                json({{"brand_id", brand_a.id}, {"name", "Returns"}}).dump());
  ASSERT_EQ(q.status, 201) << q.body;
  const std::string queue = q.json()["id"];
  auto r = patch(id, json({{"subject", "Return of order 1042\r\n"}, {"queue_id", queue}}).dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["subject"], "Return of order 1042  ");
  EXPECT_EQ(r.json()["queue_id"], queue);
  EXPECT_FALSE(r.json()["queued_at"].is_null());
  EXPECT_EQ(db->scalar("SELECT string_agg(kind, ',' ORDER BY id) FROM ticket_events WHERE ticket_id = '" + id +
                       "' AND kind IN ('subject_changed', 'queue_changed')"),
            "subject_changed,queue_changed");
  auto other = call(port(), "POST", "/v1/queues", admin, json({{"brand_id", brand_b.id}, {"name", "B"}}).dump());
  ASSERT_EQ(other.status, 201);
  auto bad = patch(id, json({{"queue_id", other.json()["id"]}}).dump());
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json()["errors"][0]["pointer"], "/queue_id");
  EXPECT_EQ(patch(id, R"({"subject": "   "})").status, 422);
  EXPECT_EQ(patch(id, R"({"queue_id": "nope"})").status, 422);
}

}  // namespace
}  // namespace helpdesk::testing
