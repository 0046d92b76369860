// Ingest under concurrency, where events are decided set-at-a-time in
// group-committed batches: every event still lands exactly once on the right
// ticket, ticket numbers stay gap-free, and an event the batch cannot plan
// (a replay, a bad event) gets the same answer it would get alone.
#include <atomic>
#include <set>
#include <thread>

#include "fixture.hpp"

namespace helpdesk::testing {
namespace {

using nlohmann::json;

class ingest_batch : public e2e {
 protected:
  void SetUp() override {
    e2e::SetUp();
    auto patched = req("PATCH", "/v1/brands/" + brand_a.id, admin,
                       R"({"default_phone_region": "CZ", "inbound_addresses": ["podpora@shop-a.example"]})");
    ASSERT_EQ(patched.status, 200) << patched.body;
  }
  // One writer and room for everything: the events queue up behind the
  // first batch and are planned together.
  std::vector<std::string> server_args() override { return {"--ingest-writers=1", "--ingest-batch=64"}; }

  http_result post(const std::string& path, const json& body, std::map<std::string, std::string> extra = {}) {
    extra["Authorization"] = "Bearer " + integration;
    extra["Content-Type"] = "application/json";
    return http_request(port(), "POST", path, body.dump(), extra);
  }
  json get(const std::string& path) {
    auto r = req("GET", path, agent);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.json();
  }
  double metric(const std::string& name) {
    auto body = req("GET", "/metrics").body;
    auto at = body.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::stod(body.substr(at + name.size() + 2));
  }
  // Posts all at once, one thread each; the answers in the order given.
  std::vector<http_result> post_all(const std::vector<std::pair<std::string, json>>& events,
                                    const std::vector<std::string>& idempotency_keys = {}) {
    std::vector<http_result> out(events.size());
    std::vector<std::thread> threads;
    std::atomic<int> ready{0};
    for (std::size_t i = 0; i < events.size(); ++i)
      threads.emplace_back([&, i] {
        std::map<std::string, std::string> extra;
        if (i < idempotency_keys.size() && !idempotency_keys[i].empty()) extra["Idempotency-Key"] = idempotency_keys[i];
        ++ready;
        while (ready.load() < static_cast<int>(events.size())) std::this_thread::yield();
        out[i] = post(events[i].first, events[i].second, extra);
      });
    for (auto& t : threads) t.join();
    return out;
  }
};

json mail(int n, const std::string& from, const std::string& in_reply_to = "") {
  json m = {{"from", from},
            {"to", {"podpora@shop-a.example"}},
            {"subject", "Question " + std::to_string(n)},
            {"text", "Message " + std::to_string(n)},
            {"message_id", "<batch-" + std::to_string(n) + "@example.cz>"}};
  if (!in_reply_to.empty()) m["in_reply_to"] = in_reply_to;
  return m;
}

json chat(const std::string& session, const std::string& id, const std::string& handle) {
  return {{"session_id", session}, {"message_id", id},   {"sender", "visitor"},
          {"visitor", {{"handle", handle}}}, {"text", "hi"}, {"at", "2026-11-23T10:00:00Z"}};
}

json call(const std::string& id, const std::string& event, const std::string& from, const std::string& at) {
  return {{"call_id", id}, {"event", event}, {"direction", "inbound"}, {"from", from}, {"to", "+420222333444"},
          {"at", at}};
}

TEST_F(ingest_batch, concurrent_events_of_every_channel_land_once_with_gap_free_numbers) {
  // Earlier state the batch must read: a thread to reply to, a known caller.
  auto first = post("/v1/inbound/email", mail(0, "Eva <eva@example.cz>"));
  ASSERT_EQ(first.status, 201) << first.body;
  auto known_call = post("/v1/inbound/calls", call("CA-known", "missed", "777 000 111", "2026-11-23T08:00:00Z"));
  ASSERT_EQ(known_call.status, 201) << known_call.body;

  std::vector<std::pair<std::string, json>> events;
  for (int i = 1; i <= 12; ++i)
    events.push_back({"/v1/inbound/email", mail(i, "customer" + std::to_string(i) + "@example.cz")});
  events.push_back({"/v1/inbound/email", mail(13, "eva@example.cz", "<batch-0@example.cz>")});
  for (int i = 0; i < 6; ++i)
    events.push_back({"/v1/inbound/chat", chat("S" + std::to_string(i), "c" + std::to_string(i), "v-" + std::to_string(i))});
  for (int i = 0; i < 6; ++i)
    events.push_back({"/v1/inbound/calls",
                      call("CA" + std::to_string(i), "ringing", "+420 777 555 00" + std::to_string(i), "2026-11-23T10:00:00Z")});
  // The known caller again: joins the ticket that waits for a callback.
  events.push_back({"/v1/inbound/calls", call("CA-again", "missed", "00420777000111", "2026-11-23T10:05:00Z")});

  auto answers = post_all(events);
  std::set<std::string> numbers, tickets, messages;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    ASSERT_EQ(answers[i].status, 201) << i << ": " << answers[i].body;
    auto a = answers[i].json();
    numbers.insert(a["ticket_number"].get<std::string>());
    tickets.insert(a["ticket_id"].get<std::string>());
    messages.insert(a["message_id"].get<std::string>());
  }
  EXPECT_EQ(messages.size(), events.size());
  // The reply and the repeated caller joined existing tickets; the rest are new.
  EXPECT_EQ(answers[12].json()["ticket_id"], first.json()["ticket_id"]);
  EXPECT_EQ(answers[12].json()["customer_id"], first.json()["customer_id"]);
  EXPECT_EQ(answers.back().json()["ticket_id"], known_call.json()["ticket_id"]);
  EXPECT_EQ(answers.back().json()["customer_id"], known_call.json()["customer_id"]);
  EXPECT_EQ(tickets.size(), events.size());  // 24 new tickets and the 2 they joined
  // Numbers are drawn only for tickets that were created: 1000.. without gaps.
  std::set<std::string> expected;
  for (int n = 1000; n < 1000 + static_cast<int>(events.size()); ++n) expected.insert("BRANDA-" + std::to_string(n));
  numbers.insert(first.json()["ticket_number"].get<std::string>());
  numbers.insert(known_call.json()["ticket_number"].get<std::string>());
  EXPECT_EQ(numbers, expected);

  auto reply_thread = get("/v1/tickets/" + first.json()["ticket_id"].get<std::string>() + "/messages")["items"];
  EXPECT_EQ(reply_thread.size(), 2u);
  auto callback = get("/v1/tickets/" + known_call.json()["ticket_id"].get<std::string>());
  EXPECT_EQ(callback["callback_required"], true);
  auto chat_ticket = get("/v1/tickets/" + answers[13].json()["ticket_id"].get<std::string>());
  EXPECT_EQ(chat_ticket["origin_channel"], "chat");
  EXPECT_EQ(chat_ticket["subject"], "Chat with v-0");
  auto card = get("/v1/customers/" + answers[0].json()["customer_id"].get<std::string>());
  EXPECT_EQ(card["identities"], json::array({{{"kind", "email"}, {"value", "customer1@example.cz"}}}));
  // The answers stored for replays carry the numbers drawn at the write.
  for (std::size_t i : {std::size_t{0}, std::size_t{13}, std::size_t{19}}) {
    auto again = post(events[i].first, events[i].second);
    EXPECT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(again.json(), answers[i].json()) << i;
  }
  // Each new ticket was placed in its queue by the transaction that created
  // it (one `queued` event, the same transaction id), the waiting caller's
  // in Callbacks, the others in Default.
  EXPECT_EQ(db->scalar("SELECT count(*) FROM ticket_events c JOIN ticket_events q ON q.ticket_id = c.ticket_id "
                       "AND q.kind = 'queued' AND q.actor = 'router' AND q.tx = c.tx WHERE c.kind = 'created'"),
            std::to_string(tickets.size()));
  EXPECT_EQ(db->scalar("SELECT count(*) FROM ticket_events WHERE kind = 'queued'"), std::to_string(tickets.size()));
  EXPECT_EQ(db->scalar("SELECT q.name FROM tickets t JOIN queues q ON q.id = t.queue_id WHERE t.id = '" +
                       known_call.json()["ticket_id"].get<std::string>() + "'"),
            "Callbacks");
  EXPECT_EQ(db->scalar("SELECT count(*) FROM tickets t JOIN queues q ON q.id = t.queue_id AND q.name = 'Default'"),
            std::to_string(tickets.size() - 1));
  EXPECT_GT(metric("helpdesk_ingest_planned_batches"), 0) << "the events were expected to be planned as a batch";
  EXPECT_EQ(metric("helpdesk_ingest_fallbacks"), 0);
}

TEST_F(ingest_batch, events_of_one_customer_or_session_in_one_burst_see_each_other) {
  // Same new sender twice, same chat session three times, a call's events:
  // each must see what the one before wrote, so they go to later batches.
  std::vector<std::pair<std::string, json>> events = {
      {"/v1/inbound/email", mail(1, "new@example.cz")},
      {"/v1/inbound/email", mail(2, "NEW@example.cz")},
      {"/v1/inbound/chat", chat("S1", "c1", "v-1")},
      {"/v1/inbound/chat", chat("S1", "c2", "v-1")},
      {"/v1/inbound/chat", chat("S1", "c3", "v-1")},
      {"/v1/inbound/calls", call("CA1", "ringing", "777 123 456", "2026-11-23T10:00:00Z")},
      {"/v1/inbound/calls", call("CA1", "answered", "777 123 456", "2026-11-23T10:00:05Z")},
      {"/v1/inbound/calls", call("CA1", "completed", "777 123 456", "2026-11-23T10:03:00Z")},
  };
  for (int i = 3; i < 20; ++i) events.push_back({"/v1/inbound/email", mail(i, "other" + std::to_string(i) + "@example.cz")});
  auto answers = post_all(events);
  for (std::size_t i = 0; i < answers.size(); ++i) ASSERT_EQ(answers[i].status, 201) << i << ": " << answers[i].body;
  EXPECT_EQ(answers[0].json()["customer_id"], answers[1].json()["customer_id"]);
  EXPECT_NE(answers[0].json()["ticket_id"], answers[1].json()["ticket_id"]);  // two new threads, one customer
  EXPECT_EQ(answers[2].json()["ticket_id"], answers[3].json()["ticket_id"]);
  EXPECT_EQ(answers[3].json()["ticket_id"], answers[4].json()["ticket_id"]);
  EXPECT_EQ(get("/v1/tickets/" + answers[2].json()["ticket_id"].get<std::string>() + "/messages")["items"].size(), 3u);
  EXPECT_EQ(answers[5].json()["message_id"], answers[7].json()["message_id"]);
  auto msgs = get("/v1/tickets/" + answers[5].json()["ticket_id"].get<std::string>() + "/messages")["items"];
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0]["call"]["outcome"], "answered");
  EXPECT_EQ(msgs[0]["call"]["started_at"], "2026-11-23T10:00:00.000Z");
}

TEST_F(ingest_batch, a_replay_or_a_bad_event_in_a_burst_gets_the_answer_it_would_get_alone) {
  auto original = post("/v1/inbound/email", mail(1, "eva@example.cz"));
  ASSERT_EQ(original.status, 201);
  std::vector<std::pair<std::string, json>> events;
  for (int i = 2; i < 14; ++i) events.push_back({"/v1/inbound/email", mail(i, "p" + std::to_string(i) + "@example.cz")});
  events.push_back({"/v1/inbound/email", mail(1, "eva@example.cz")});  // a redelivery
  events.push_back({"/v1/inbound/chat",
                    {{"session_id", "never-opened"}, {"event", "ended"}, {"at", "2026-11-23T10:00:00Z"}}});
  for (int i = 14; i < 20; ++i) events.push_back({"/v1/inbound/email", mail(i, "q" + std::to_string(i) + "@example.cz")});
  auto answers = post_all(events);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    if (i == 12) {
      EXPECT_EQ(answers[i].status, 200) << answers[i].body;
      EXPECT_EQ(answers[i].header("idempotent-replayed"), "true");
      EXPECT_EQ(answers[i].json(), original.json());
    } else if (i == 13) {
      EXPECT_EQ(answers[i].status, 422) << answers[i].body;
      EXPECT_EQ(answers[i].header("content-type"), "application/problem+json");
    } else {
      EXPECT_EQ(answers[i].status, 201) << i << ": " << answers[i].body;
    }
  }
  EXPECT_EQ(get("/v1/tickets?limit=200")["items"].size(), 19u);  // 1 + 18 new, no duplicate
  // Each created ticket has a number of its own.
  std::set<std::string> numbers;
  for (auto& a : answers)
    if (a.status == 201) numbers.insert(a.json()["ticket_number"].get<std::string>());
  EXPECT_EQ(numbers.size(), 18u);
}

}  // namespace
}  // namespace helpdesk::testing
