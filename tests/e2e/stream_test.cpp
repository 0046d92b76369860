// Live updates over real sockets from two server processes on one
// database: an assignment made on one process reaches a stream held by the
// other, and a reconnect with Last-Event-ID loses nothing.
#include <regex>
#include <thread>

#include "fixture.hpp"

namespace helpdesk::testing {
namespace {

using nlohmann::json;

std::vector<std::string> args() {
  return {"--relay-tick-ms=50", "--router=false", "--sla=false", "--stream-heartbeat-s=1"};
}

class stream_e2e : public e2e {
 protected:
  std::vector<std::string> server_args() override { return args(); }
  void SetUp() override {
    e2e::SetUp();
    other = std::make_unique<server_process>(db->url(), args());
    auto login = req("POST", "/v1/auth/login", "",
                     json({{"email", agent_a.email}, {"password", "correct horse battery"}}).dump());
    ASSERT_EQ(login.status, 200) << login.body;
    session = login.json()["token"];
  }
  void TearDown() override {
    other->signal(SIGTERM);
    EXPECT_EQ(other->wait_exit(std::chrono::seconds(10)), 0) << other->output();
    e2e::TearDown();
  }
  std::unique_ptr<raw_connection> open_stream(const std::string& last_event_id = "") {
    auto c = std::make_unique<raw_connection>(port());
    std::string head = "GET /v1/stream HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\nAuthorization: Bearer " +
                       session + "\r\n";
    if (!last_event_id.empty()) head += "Last-Event-ID: " + last_event_id + "\r\n";
    c->send(head + "\r\n");
    return c;
  }
  json email_on_other(const std::string& message_id) {
    json doc = {{"from", "jana@example.cz"}, {"subject", "Parcel"}, {"text", "Kde je balík?"}, {"message_id", message_id}};
    auto r = call(other->port(), "POST", "/v1/inbound/email?brand=" + brand_a.id, integration, doc.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }
  static std::vector<long long> ids_in(const std::string& text) {
    std::vector<long long> out;
    static const std::regex id("(^|\n)id: ([0-9]+)\n");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), id); it != std::sregex_iterator(); ++it)
      out.push_back(std::stoll((*it)[2]));
    return out;
  }
  std::unique_ptr<server_process> other;
  std::string session;
};

TEST_F(stream_e2e, AnAssignmentOnAnotherProcessReachesTheStream) {
  auto stream = open_stream();
  auto hello = stream->read_until("event: views", std::chrono::seconds(5));
  EXPECT_NE(hello.find("200 OK"), std::string::npos) << hello;
  EXPECT_NE(hello.find("text/event-stream"), std::string::npos) << hello;
  EXPECT_NE(hello.find("event: ready"), std::string::npos) << hello;
  auto made = email_on_other("<s1@example.cz>");
  const std::string ticket = made["ticket_id"];
  auto claim = call(other->port(), "POST", "/v1/tickets/" + ticket + "/claim", session);
  ASSERT_EQ(claim.status, 200) << claim.body;
  auto got = stream->read_until("event: ticket.assigned", std::chrono::seconds(10));
  ASSERT_NE(got.find("event: ticket.assigned"), std::string::npos) << got;
  auto rest = stream->read_until("\n\n", std::chrono::seconds(2));
  EXPECT_NE(rest.find(ticket), std::string::npos) << rest;
  // An idle stream keeps talking, so proxies do not close it.
  auto idle = stream->read_until(": keep-alive", std::chrono::seconds(4));
  EXPECT_NE(idle.find(": keep-alive"), std::string::npos);
}

TEST_F(stream_e2e, AReconnectWithLastEventIdResumesWithoutGaps) {
  auto made = email_on_other("<s2@example.cz>");
  const std::string ticket = made["ticket_id"];
  ASSERT_EQ(call(other->port(), "POST", "/v1/tickets/" + ticket + "/claim", session).status, 200);
  auto stream = open_stream();
  auto hello = stream->read_until("event: views", std::chrono::seconds(5));
  const auto start = ids_in(hello);
  ASSERT_EQ(start.size(), 1u) << hello;
  // One event while connected...
  auto note = call(other->port(), "POST", "/v1/tickets/" + ticket + "/notes", session,
                   json{{"body_text", "first note"}}.dump());
  ASSERT_EQ(note.status, 201) << note.body;
  auto first = stream->read_until("event: note.created", std::chrono::seconds(10));
  first += stream->read_until("\n\n", std::chrono::seconds(2));
  // Events of the claim just before may come first: a stream starts where its
  // process's hub stands, which can be a moment behind.
  const auto seen = ids_in(first);
  ASSERT_FALSE(seen.empty()) << first;
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  stream.reset();
  // ...three while away...
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(call(other->port(), "POST", "/v1/tickets/" + ticket + "/notes", session,
                   json{{"body_text", "missed note " + std::to_string(i)}}.dump())
                  .status,
              201);
  // (the relay runs every 50 ms)
  for (int i = 0; i < 100; ++i) {
    if (db->scalar("SELECT count(*) FROM agent_feed WHERE event_type = 'note.created'") == "4") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // ...and the reconnect gets exactly those, in order, then live ones.
  auto again = open_stream(std::to_string(seen.back()));
  auto replay = again->read_until("event: views", std::chrono::seconds(5));
  const auto replayed = ids_in(replay);
  ASSERT_EQ(replayed.size(), 3u) << replay;
  EXPECT_TRUE(std::is_sorted(replayed.begin(), replayed.end()));
  EXPECT_GT(replayed.front(), seen.back());
  EXPECT_EQ(replay.find("missed note"), std::string::npos) << "the feed names the note, not its text: " << replay;
  ASSERT_EQ(call(port(), "POST", "/v1/tickets/" + ticket + "/notes", session, json{{"body_text", "live"}}.dump()).status,
            201);
  auto live = again->read_until("event: note.created", std::chrono::seconds(10));
  live += again->read_until("\n\n", std::chrono::seconds(2));
  const auto live_ids = ids_in(live);
  ASSERT_EQ(live_ids.size(), 1u) << live;
  EXPECT_GT(live_ids[0], replayed.back());
}

// The streams of one agent share one count (the others wait for it and are
// woken when it lands); every stream still gets it, and the new count after
// the agent's next event.
TEST_F(stream_e2e, ManyStreamsOfOneAgentAllGetTheirCounts) {
  constexpr int streams = 40;
  std::vector<std::unique_ptr<raw_connection>> open;
  for (int i = 0; i < streams; ++i) open.push_back(open_stream());
  for (auto& s : open) {
    auto hello = s->read_until("event: views", std::chrono::seconds(5));
    hello += s->read_until("\n\n", std::chrono::seconds(2));
    EXPECT_NE(hello.find("\"mine\":0"), std::string::npos) << hello;
  }
  auto made = email_on_other("<s3@example.cz>");
  ASSERT_EQ(call(other->port(), "POST", "/v1/tickets/" + std::string(made["ticket_id"]) + "/claim", session).status, 200);
  for (auto& s : open) {
    // The claim's events come first, then the counts half a second later.
    auto update = s->read_until("\"mine\":1", std::chrono::seconds(10));
    EXPECT_NE(update.find("\"mine\":1"), std::string::npos) << update;
  }
}

TEST_F(stream_e2e, OnlySignedInAgentsGetAStream) {
  auto r = req("GET", "/v1/stream", agent);
  EXPECT_EQ(r.status, 403) << r.body;
  auto c = std::make_unique<raw_connection>(port());
  c->send("GET /v1/stream HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + session + "\r\nLast-Event-ID: nope\r\n\r\n");
  auto res = c->read_response(std::chrono::seconds(5));
  EXPECT_NE(res.find("422"), std::string::npos) << res;
}

}  // namespace
}  // namespace helpdesk::testing
