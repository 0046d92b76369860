// The agent workspace end to end: replies that thread back, notes that
// never leave, delivery reports and views. Real server, real PostgreSQL.
#include <map>
#include <set>
#include <thread>

#include "fixture.hpp"
#include "support/webhook_receiver.hpp"

namespace helpdesk::testing {
namespace {

using nlohmann::json;

class workspace_e2e : public e2e {
 protected:
  std::vector<std::string> server_args() override {
    return {"--webhook-allowed-hosts=127.0.0.1", "--webhook-tick-ms=50", "--relay-tick-ms=50", "--router=false"};
  }
  void SetUp() override {
    e2e::SetUp();
    auto patched = req("PATCH", "/v1/brands/" + brand_a.id, admin,
                       R"({"name": "Obchod Žluťoučký", "inbound_addresses": ["podpora@shop-a.example"]})");
    ASSERT_EQ(patched.status, 200) << patched.body;
    auto login = req("POST", "/v1/auth/login", "",
                     json({{"email", agent_a.email}, {"password", "correct horse battery"}}).dump());
    ASSERT_EQ(login.status, 200) << login.body;
    session = login.json()["token"];
  }
  json email(json doc) {
    if (!doc.contains("from")) doc["from"] = "Jana Nováková <jana@example.cz>";
    if (!doc.contains("to")) doc["to"] = {"podpora@shop-a.example"};
    if (!doc.contains("text")) doc["text"] = "Dobrý den, kde je můj balík?";
    auto r = call(port(), "POST", "/v1/inbound/email", integration, doc.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }
  json call_event_on_a(const std::string& call_id, const std::string& from) {
    json doc = {{"call_id", call_id}, {"event", "missed"}, {"direction", "inbound"}, {"from", from},
                {"to", "+420222333444"}, {"at", "2026-12-01T10:00:00Z"}};
    auto r = call(port(), "POST", "/v1/inbound/calls?brand=" + brand_a.id, integration, doc.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }
  http_result reply(const std::string& ticket_id, json body) {
    return req("POST", "/v1/tickets/" + ticket_id + "/replies", session, body.dump());
  }
  std::string session;
};

TEST_F(workspace_e2e, AReplyThreadsBackWhenTheCustomerAnswers) {
  auto first = email({{"subject", "Where is my parcel?"}, {"message_id", "<q1@example.cz>"},
                      {"references", {"<root@example.cz>"}}});
  const std::string ticket = first["ticket_id"];
  auto r = reply(ticket, {{"body_text", "Your parcel left today."}, {"cc", {"Boss@Example.cz"}}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto out = r.json();
  const auto& mail = out["message"]["email"];
  EXPECT_EQ(out["message"]["direction"], "outbound");
  EXPECT_EQ(mail["in_reply_to"], "q1@example.cz");
  EXPECT_EQ(mail["references"], json({"root@example.cz", "q1@example.cz"}));
  EXPECT_EQ(mail["to"], json({"jana@example.cz"}));
  EXPECT_EQ(mail["cc"], json({"boss@example.cz"}));
  EXPECT_NE(mail["subject"].get<std::string>().find("[" + first["ticket_number"].get<std::string>() + "]"),
            std::string::npos);
  EXPECT_EQ(mail["headers"]["From"].get<std::string>().rfind("=?UTF-8?B?", 0), 0u) << "a non-ASCII brand name is encoded";
  EXPECT_EQ(out["message"]["delivery"]["status"], "queued");
  EXPECT_EQ(out["ticket"]["status"], "pending");
  EXPECT_FALSE(out["ticket"]["last_outbound_at"].is_null());
  EXPECT_TRUE(out["ticket"]["customer_waiting_since"].is_null());
  // The customer answers the reply: only In-Reply-To, no token in the subject.
  const std::string our_id = mail["message_id"];
  auto answer = email({{"subject", "thanks"}, {"message_id", "<a1@example.cz>"}, {"in_reply_to", "<" + our_id + ">"}});
  EXPECT_EQ(answer["ticket_id"], ticket);
  EXPECT_EQ(req("GET", "/v1/tickets/" + ticket, session).json()["status"], "open");
}

TEST_F(workspace_e2e, RepliesAreValidatedAndAClosedTicketGetsAFollowUp) {
  auto first = email({{"subject", "Broken\r\nBcc: victim@example.com"}, {"message_id", "<q2@example.cz>"}});
  const std::string ticket = first["ticket_id"];
  EXPECT_EQ(reply(ticket, json::object()).status, 422);
  EXPECT_EQ(reply(ticket, {{"body_text", "  "}}).status, 422);
  auto bad_cc = reply(ticket, {{"body_text", "x"}, {"cc", {"not an address"}}});
  EXPECT_EQ(bad_cc.status, 422);
  EXPECT_EQ(bad_cc.json()["errors"][0]["pointer"], "/cc/0");
  EXPECT_EQ(reply(ticket, {{"body_text", "x"}, {"channel", "phone"}}).status, 422);
  EXPECT_EQ(reply(ticket, {{"body_text", "x"}, {"status_after", "closed"}}).status, 422);
  EXPECT_EQ(reply("00000000-0000-7000-8000-000000000000", {{"body_text", "x"}}).status, 404);
  EXPECT_EQ(db->scalar("SELECT count(*) FROM messages WHERE direction = 'outbound'"), "0") << "a refused reply stores nothing";
  auto ok = reply(ticket, {{"body_text", "Sorry!"}, {"status_after", "solved"}});
  ASSERT_EQ(ok.status, 201) << ok.body;
  const auto headers = ok.json()["message"]["email"]["headers"];
  for (const auto& [k, v] : headers.items()) {
    EXPECT_EQ(v.get<std::string>().find('\r'), std::string::npos) << k;
    EXPECT_EQ(v.get<std::string>().find('\n'), std::string::npos) << k;
  }
  EXPECT_EQ(ok.json()["ticket"]["status"], "solved");
  db->exec("UPDATE tickets SET status = 'closed', closed_at = now() WHERE id = '" + ticket + "'");
  auto follow = reply(ticket, {{"body_text", "One more thing."}});
  ASSERT_EQ(follow.status, 201) << follow.body;
  EXPECT_TRUE(follow.json()["follow_up"].get<bool>());
  EXPECT_NE(follow.json()["ticket"]["id"], ticket);
  EXPECT_EQ(follow.json()["ticket"]["linked_ticket_id"], ticket);
}

TEST_F(workspace_e2e, NotesNeverReachIntegrations) {
  webhook_receiver rx;
  auto sub = req("POST", "/v1/webhooks", admin, json{{"url", rx.url()}, {"events", {"*"}}}.dump());
  ASSERT_EQ(sub.status, 201) << sub.body;
  auto first = email({{"subject", "Refund"}, {"message_id", "<q3@example.cz>"}});
  const std::string ticket = first["ticket_id"];
  auto note = req("POST", "/v1/tickets/" + ticket + "/notes", session,
                  json{{"body_text", "SECRET-NOTE customer is a known fraudster, @" + agent_a.email + " check"}}.dump());
  ASSERT_EQ(note.status, 201) << note.body;
  EXPECT_EQ(note.json()["mentions"], json({agent_a.id}));
  EXPECT_TRUE(note.json()["internal"].get<bool>());
  auto bad = req("POST", "/v1/tickets/" + ticket + "/notes", session,
                 json{{"body_text", "x"}, {"mentions", {agent_b.id}}}.dump());
  EXPECT_EQ(bad.status, 422) << "an agent of another brand cannot be mentioned";
  ASSERT_EQ(reply(ticket, {{"body_text", "We are on it."}}).status, 201);
  // ticket.created, message.created (inbound), status change, message.created + message.outbound (reply)
  ASSERT_TRUE(rx.wait_for(5)) << rx.hits().size();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  bool outbound = false;
  for (const auto& h : rx.hits()) {
    EXPECT_EQ(h.body.find("SECRET-NOTE"), std::string::npos) << h.body;
    auto body = json::parse(h.body);
    EXPECT_NE(body["type"], "note.created");
    if (body["type"] == "message.outbound") {
      outbound = true;
      EXPECT_EQ(body["data"]["message"]["text"], "We are on it.");
      EXPECT_FALSE(body["data"]["message"]["email"]["message_id"].get<std::string>().empty());
    }
  }
  EXPECT_TRUE(outbound);
  EXPECT_EQ(db->scalar("SELECT count(*) FROM agent_feed WHERE event_type = 'note.created' AND agent_id = '" +
                       agent_a.id + "'"),
            "1")
      << "the mentioned agent is told live";
}

TEST_F(workspace_e2e, DeliveryReportsShowOnTheMessageAndNeverStepBack) {
  auto first = email({{"subject", "Invoice"}, {"message_id", "<q4@example.cz>"}});
  auto r = reply(first["ticket_id"], {{"body_text", "Attached."}});
  ASSERT_EQ(r.status, 201);
  const std::string mid = r.json()["message"]["id"];
  auto report = [&](json body) { return req("POST", "/v1/outbound/" + mid + "/status", integration, body.dump()); };
  auto delivered = report({{"status", "delivered"}});
  ASSERT_EQ(delivered.status, 200) << delivered.body;
  EXPECT_EQ(delivered.json()["delivery"]["status"], "delivered");
  EXPECT_EQ(report({{"status", "sent"}}).json()["delivery"]["status"], "delivered") << "a late report does not step back";
  auto bounced = report({{"status", "bounced"}, {"reason", "550 mailbox full"}});
  EXPECT_EQ(bounced.json()["delivery"]["status"], "bounced");
  EXPECT_EQ(bounced.json()["delivery"]["reason"], "550 mailbox full");
  EXPECT_EQ(report({{"status", "exploded"}}).status, 422);
  EXPECT_EQ(req("POST", "/v1/outbound/" + first["message_id"].get<std::string>() + "/status", integration,
                R"({"status": "sent"})").status,
            404) << "an inbound message is not an outbound one";
  EXPECT_EQ(req("POST", "/v1/outbound/" + mid + "/status", session, R"({"status": "sent"})").status, 403);
}

TEST_F(workspace_e2e, ViewsListMyWorkByUrgencyWithCounts) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i)
    ids.push_back(email({{"subject", "T" + std::to_string(i)}, {"message_id", "<v" + std::to_string(i) + "@example.cz>"}})
                      ["ticket_id"]);
  db->exec("UPDATE tickets SET assignee_id = '" + agent_a.id + "' WHERE id IN ('" + ids[0] + "', '" + ids[1] + "')");
  db->exec("UPDATE tickets SET priority = 'urgent' WHERE id = '" + ids[1] + "'");
  db->exec("UPDATE tickets SET callback_required = true WHERE id = '" + ids[2] + "'");
  // "Unassigned" lists what the agent could take: tickets in a language it speaks.
  db->exec("UPDATE agents SET languages = '[{\"code\": \"cs\", \"level\": \"native\"}]' WHERE id = '" + agent_a.id + "'");
  auto mine = req("GET", "/v1/views/mine?limit=1", session);
  ASSERT_EQ(mine.status, 200) << mine.body;
  ASSERT_EQ(mine.json()["items"].size(), 1u);
  EXPECT_EQ(mine.json()["items"][0]["id"], ids[1]) << "urgent first";
  auto next = req("GET", "/v1/views/mine?limit=1&cursor=" + mine.json()["next_cursor"].get<std::string>(), session);
  ASSERT_EQ(next.json()["items"].size(), 1u);
  EXPECT_EQ(next.json()["items"][0]["id"], ids[0]);
  EXPECT_TRUE(next.json()["next_cursor"].is_null());
  auto counts = req("GET", "/v1/views", session).json();
  std::map<std::string, long long> by_name;
  for (const auto& v : counts["items"]) by_name[v["name"]] = v["count"];
  EXPECT_EQ(by_name["mine"], 2);
  EXPECT_EQ(by_name["unassigned"], 1);
  EXPECT_EQ(by_name["callbacks"], 1);
  EXPECT_EQ(req("GET", "/v1/views/callbacks", session).json()["items"][0]["id"], ids[2]);
  EXPECT_EQ(req("GET", "/v1/views/nope", session).status, 404);
  EXPECT_EQ(req("GET", "/v1/views/mine?cursor=garbage", session).status, 422);
}

TEST_F(workspace_e2e, UnassignedListsOnlyQueuesTheAgentIsEligibleFor) {
  db->exec("UPDATE agents SET languages = '[{\"code\": \"cs\", \"level\": \"native\"}]', skills = '{}' "
           "WHERE id = '" + agent_a.id + "'");
  auto returns = req("POST", "/v1/queues", manager,
                     json({{"brand_id", brand_a.id}, {"name", "Returns"}, {"position", 10},
                           {"conditions", {{"tags", {"returns"}}}}, {"required_skills", {"returns"}}})
                         .dump());
  ASSERT_EQ(returns.status, 201) << returns.body;
  // The default queue widens to every language after a minute of waiting.
  const std::string default_queue =
      db->scalar("SELECT id FROM queues WHERE brand_id = '" + brand_a.id + "' AND is_default");
  auto widened = req("PATCH", "/v1/queues/" + default_queue, manager,
                     R"({"overflow": [{"after_seconds": 60, "fallback_languages": ["*"]}]})");
  ASSERT_EQ(widened.status, 200) << widened.body;
  const std::string plain = email({{"subject", "Dotaz"}, {"message_id", "<u1@example.cz>"}, {"language", "cs"}})["ticket_id"];
  const std::string refund = email({{"subject", "Vrácení"}, {"message_id", "<u2@example.cz>"}, {"language", "cs"},
                                    {"tags", {"returns"}}})["ticket_id"];
  const std::string german = email({{"subject", "Frage"}, {"message_id", "<u3@example.cz>"}, {"language", "de"},
                                    {"text", "Wo ist mein Paket?"}})["ticket_id"];
  auto listed = [&] {
    auto r = req("GET", "/v1/views/unassigned", session);
    EXPECT_EQ(r.status, 200) << r.body;
    std::set<std::string> ids;
    const auto page = r.json();
    for (const auto& t : page["items"]) ids.insert(t["id"]);
    std::map<std::string, long long> counts;
    const auto views = req("GET", "/v1/views", session).json();
    for (const auto& v : views["items"]) counts[v["name"]] = v["count"];
    EXPECT_EQ(counts["unassigned"], static_cast<long long>(ids.size())) << "the count agrees with the list";
    return ids;
  };
  EXPECT_EQ(listed(), (std::set<std::string>{plain}))
      << "Returns needs a skill she lacks; the German ticket has not waited a minute for the widening";
  EXPECT_EQ(req("GET", "/v1/views/unassigned", admin).json()["items"].size(), 3u) << "without an agent: everything";
  db->exec("UPDATE tickets SET queued_at = now() - interval '2 minutes' WHERE id = '" + german + "'");
  EXPECT_EQ(listed(), (std::set<std::string>{plain, german}));

  db->exec("UPDATE agents SET skills = '{returns}' WHERE id = '" + agent_a.id + "'");
  EXPECT_EQ(listed(), (std::set<std::string>{plain, german, refund}));
  db->exec("UPDATE tickets SET queue_id = NULL WHERE id = '" + german + "'");
  EXPECT_EQ(listed(), (std::set<std::string>{plain, refund})) << "out of a queue, her languages decide";
}

TEST_F(workspace_e2e, CannedResponsesFillInTheTicketAndAgent) {
  auto made = req("POST", "/v1/canned-responses", manager,
                  json{{"brand_id", brand_a.id}, {"language", "cs"}, {"name", "Where is my parcel"},
                       {"body", "Dobrý den {{customer.first_name}}, k {{ticket.number}}: balík je na cestě. {{agent.name}}"}}
                      .dump());
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string canned = made.json()["id"];
  auto unknown = req("POST", "/v1/canned-responses", manager,
                     json{{"brand_id", brand_a.id}, {"name", "Bad"}, {"body", "{{order.id}}"}}.dump());
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(unknown.json()["errors"][0]["pointer"], "/body");
  EXPECT_EQ(req("POST", "/v1/canned-responses", manager,
                json{{"brand_id", brand_a.id}, {"language", "cs"}, {"name", "Where is my parcel"}, {"body", "x"}}.dump())
                .status,
            409) << "one name per brand and language";
  EXPECT_EQ(req("GET", "/v1/canned-responses?language=cs", session).json()["items"].size(), 1u);
  EXPECT_EQ(req("GET", "/v1/canned-responses?language=de", session).json()["items"].size(), 0u);
  auto first = email({{"subject", "Balík"}, {"message_id", "<c1@example.cz>"}});
  auto r = reply(first["ticket_id"], {{"canned_response_id", canned}});
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string text = r.json()["message"]["text"];
  EXPECT_EQ(text.rfind("Dobrý den Jana, k " + first["ticket_number"].get<std::string>() + ":", 0), 0u) << text;
  EXPECT_NE(text.find("agent.a"), std::string::npos) << text;
  EXPECT_EQ(reply(first["ticket_id"], {{"canned_response_id", canned}, {"body_text", "x"}}).status, 422);
  auto patched = req("PATCH", "/v1/canned-responses/" + canned, manager, R"({"language": null})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_TRUE(patched.json()["language"].is_null());
  EXPECT_EQ(req("DELETE", "/v1/canned-responses/" + canned, session).status, 403);
  EXPECT_EQ(req("DELETE", "/v1/canned-responses/" + canned, manager).status, 204);
  EXPECT_EQ(reply(first["ticket_id"], {{"canned_response_id", canned}}).status, 422);
}

}  // namespace
}  // namespace helpdesk::testing

namespace helpdesk::testing {
namespace {

TEST_F(workspace_e2e, AgentsSeeWhoElseIsViewingOrComposing) {
  auto first = email({{"subject", "Collision"}, {"message_id", "<w1@example.cz>"}});
  const std::string ticket = first["ticket_id"];
  auto other = db->add_agent("agent.c@example.com", role::agent, {brand_a.id});
  auto login = req("POST", "/v1/auth/login", "", json({{"email", other.email}, {"password", "correct horse battery"}}).dump());
  ASSERT_EQ(login.status, 200);
  const std::string other_session = login.json()["token"];
  auto mine = req("POST", "/v1/tickets/" + ticket + "/viewing", session, R"({"composing": true})");
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_TRUE(mine.json()["viewers"].empty());
  auto theirs = req("POST", "/v1/tickets/" + ticket + "/viewing", other_session);
  ASSERT_EQ(theirs.status, 200) << theirs.body;
  ASSERT_EQ(theirs.json()["viewers"].size(), 1u);
  EXPECT_EQ(theirs.json()["viewers"][0]["agent_id"], agent_a.id);
  EXPECT_TRUE(theirs.json()["viewers"][0]["composing"].get<bool>());
  auto shown = req("GET", "/v1/tickets/" + ticket, other_session).json();
  ASSERT_EQ(shown["viewers"].size(), 1u) << "the ticket shows the others, not oneself";
  EXPECT_EQ(shown["viewers"][0]["agent_id"], agent_a.id);
  EXPECT_EQ(req("POST", "/v1/tickets/" + ticket + "/viewing", agent).status, 403) << "a token is nobody to see";
  EXPECT_EQ(req("POST", "/v1/tickets/" + ticket + "/viewing", session, R"({"composing": "yes"})").status, 422);
}

TEST_F(workspace_e2e, MergingMovesTheHistoryAndRedirects) {
  auto a = email({{"subject", "Order 1"}, {"message_id", "<m1@example.cz>"}});
  auto b = email({{"from", "jana.other@example.cz"}, {"subject", "Same order"}, {"message_id", "<m2@example.cz>"}});
  const std::string source = b["ticket_id"], target = a["ticket_id"];
  ASSERT_EQ(req("POST", "/v1/tickets/" + source + "/notes", session, R"({"body_text": "dup"})").status, 201);
  auto r = req("POST", "/v1/tickets/" + source + "/merge", session, json{{"into", target}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["moved_messages"], 2);
  EXPECT_EQ(r.json()["ticket"]["id"], target);
  auto messages = req("GET", "/v1/tickets/" + target + "/messages", session).json()["items"];
  EXPECT_EQ(messages.size(), 3u);
  auto merged = req("GET", "/v1/tickets/" + source, session);
  EXPECT_EQ(merged.status, 308);
  EXPECT_EQ(merged.header("location"), "/v1/tickets/" + target);
  EXPECT_EQ(merged.json()["merged_into"], target);
  EXPECT_EQ(merged.json()["status"], "closed");
  EXPECT_EQ(db->scalar("SELECT string_agg(kind, ',' ORDER BY ticket_id = '" + source +
                       "' DESC) FROM ticket_events WHERE kind = 'merged'"),
            "merged,merged");
  EXPECT_EQ(req("POST", "/v1/tickets/" + source + "/merge", session, json{{"into", target}}.dump()).status, 409);
  EXPECT_EQ(req("POST", "/v1/tickets/" + target + "/merge", session, json{{"into", target}}.dump()).status, 422);
  EXPECT_EQ(req("POST", "/v1/tickets/" + target + "/merge", session, json{{"into", source}}.dump()).status, 422)
      << "a merged ticket takes nothing in";
  EXPECT_EQ(req("POST", "/v1/tickets/" + target + "/merge", session, R"({})").status, 422);
}

// What the customer writes about a merged ticket lands on the ticket it went
// into, whether it names the old ticket by its subject token or answers one
// of our messages on it, and even when that ticket was merged again.
TEST_F(workspace_e2e, MailAboutAMergedTicketLandsOnTheSurvivor) {
  auto a = email({{"subject", "Order 7"}, {"message_id", "<s1@example.cz>"}});
  auto b = email({{"from", "jana.other@example.cz"}, {"subject", "Order 7 again"}, {"message_id", "<s2@example.cz>"}});
  auto c = email({{"from", "jana.third@example.cz"}, {"subject", "Order 7, third"}, {"message_id", "<s3@example.cz>"}});
  const std::string first = a["ticket_id"], second = b["ticket_id"], last = c["ticket_id"];
  const std::string second_number = b["ticket_number"];
  ASSERT_EQ(req("POST", "/v1/tickets/" + second + "/merge", session, json{{"into", first}}.dump()).status, 200);

  auto by_token = email({{"from", "jana.other@example.cz"}, {"subject", "Re: [" + second_number + "] Order 7 again"},
                         {"message_id", "<s4@example.cz>"}});
  EXPECT_EQ(by_token["ticket_id"], first) << by_token;
  EXPECT_EQ(by_token["ticket_number"], a["ticket_number"]);

  // The survivor goes on into a third ticket: both old tokens follow it.
  ASSERT_EQ(req("POST", "/v1/tickets/" + first + "/merge", session, json{{"into", last}}.dump()).status, 200);
  auto twice = email({{"from", "jana.other@example.cz"}, {"subject", "[" + second_number + "] still waiting"},
                      {"message_id", "<s5@example.cz>"}});
  EXPECT_EQ(twice["ticket_id"], last) << twice;
  // An answer to one of our messages on the merged ticket, by In-Reply-To alone.
  auto answer = email({{"subject", "thanks"}, {"message_id", "<s6@example.cz>"},
                       {"in_reply_to", "<" + second + ".0190a0a0-0000-7000-8000-000000000000@helpdesk.invalid>"}});
  EXPECT_EQ(answer["ticket_id"], last) << answer;
  EXPECT_EQ(db->scalar("SELECT count(*) FROM tickets WHERE linked_ticket_id IS NOT NULL"), "0")
      << "no follow-up ticket was opened for the merged ones";
  EXPECT_EQ(db->scalar("SELECT count(*) FROM messages WHERE ticket_id = '" + last + "'"), "6");
}

}  // namespace
}  // namespace helpdesk::testing

namespace helpdesk::testing {
namespace {

TEST_F(workspace_e2e, SearchFindsSubjectsTextNamesAndPhonesRankedAndScoped) {
  ASSERT_EQ(req("PATCH", "/v1/brands/" + brand_a.id, admin, R"({"default_phone_region": "CZ"})").status, 200);
  auto a = email({{"subject", "Reklamace objednávky 1042"}, {"message_id", "<f1@example.cz>"},
                  {"text", "Dobrý den, zboží dorazilo poškozené."}});
  auto b = email({{"from", "Petr Dvořák <petr@example.cz>"}, {"subject", "Dotaz"}, {"message_id", "<f2@example.cz>"},
                  {"text", "Kdy dorazí objednávka 1042? Reklamace prosím."}});
  auto c = email({{"from", "Eva <eva@example.cz>"}, {"subject", "Faktura"}, {"message_id", "<f3@example.cz>"},
                  {"text", "Prosím o fakturu."}});
  auto phoned = call_event_on_a("c1", "+420 777 123 456");
  auto search = [&](const std::string& q, const std::string& extra = "") {
    std::string enc;
    for (unsigned char ch : q) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", ch);
      enc += std::isalnum(ch) ? std::string(1, static_cast<char>(ch)) : std::string(buf);
    }
    return req("GET", "/v1/search?q=" + enc + extra, session);
  };
  auto r = search("reklamace");
  ASSERT_EQ(r.status, 200) << r.body;
  auto items = r.json()["items"];
  ASSERT_EQ(items.size(), 2u) << r.body;
  EXPECT_EQ(items[0]["ticket"]["id"], a["ticket_id"]) << "a subject match ranks first";
  EXPECT_EQ(items[1]["ticket"]["id"], b["ticket_id"]);
  EXPECT_NE(items[1]["snippet"].get<std::string>().find("<b>Reklamace</b>"), std::string::npos) << items[1];
  // Accents do not matter either way.
  EXPECT_EQ(search("objednavky").json()["items"].size(), 1u);
  EXPECT_EQ(search("dvorak").json()["items"][0]["ticket"]["id"], b["ticket_id"]);
  auto by_mail = search("eva@example.cz").json()["items"];
  ASSERT_EQ(by_mail.size(), 1u);
  EXPECT_EQ(by_mail[0]["matched"], json({"customer"}));
  auto by_phone = search("777123456").json()["items"];
  ASSERT_EQ(by_phone.size(), 1u) << "any spelling of the number";
  EXPECT_EQ(by_phone[0]["ticket"]["id"], phoned["ticket_id"]);
  auto paged = search("prosím", "&limit=1");
  ASSERT_EQ(paged.json()["items"].size(), 1u);
  auto next = search("prosím", "&limit=1&cursor=" + paged.json()["next_cursor"].get<std::string>());
  ASSERT_EQ(next.json()["items"].size(), 1u);
  EXPECT_NE(next.json()["items"][0]["ticket"]["id"], paged.json()["items"][0]["ticket"]["id"]);
  EXPECT_TRUE(search("zzzznothing").json()["items"].empty());
  EXPECT_EQ(req("GET", "/v1/search", session).status, 422);
  EXPECT_EQ(req("GET", "/v1/search?q=x&cursor=bad", session).status, 422);
  // Another brand's agent finds nothing of brand A.
  auto login = req("POST", "/v1/auth/login", "",
                   json({{"email", agent_b.email}, {"password", "correct horse battery"}}).dump());
  EXPECT_TRUE(req("GET", "/v1/search?q=reklamace", login.json()["token"]).json()["items"].empty());
}

// A word in more than 1,000 rows of a source ranks 1,000 of them: the newest,
// not the first the index yields (the oldest rows of the heap).
TEST_F(workspace_e2e, SearchForACommonWordRanksItsNewestMatches) {
  // 1,500 tickets of the past year, each with its customer and a message,
  // laid out as production writes them: the oldest first, ids UUIDv7 of
  // their time. Ticket i was created 2 days + (1500 - i) * 6 hours ago.
  const std::string at = "('" + db->scalar("SELECT now()") + "'::timestamptz - interval '2 days' - (1500 - i) * "
                         "interval '6 hours')";
  const auto id_at = [&](const std::string& tag) {
    return "(lpad(to_hex(floor(extract(epoch FROM " + at + ") * 1000)::bigint), 12, '0') || '7' || "
           "substr(md5('" + tag + "' || i), 1, 19))::uuid";
  };
  db->exec("INSERT INTO customers (id, brand_id, name, created_at) SELECT " + id_at("c") + ", '" + brand_a.id +
           "', 'Jana Nováková', " + at + " FROM generate_series(1, 1500) i ORDER BY i");
  db->exec("INSERT INTO tickets (id, brand_id, number, customer_id, subject, origin_channel, status, created_at, "
           "updated_at) SELECT " + id_at("t") + ", '" + brand_a.id + "', 500000 + i, " + id_at("c") +
           ", 'Reklamace ' || i, 'email', 'open', " + at + ", " + at + " FROM generate_series(1, 1500) i ORDER BY i");
  db->exec("INSERT INTO messages (id, ticket_id, brand_id, customer_id, channel, direction, sender, subject, "
           "body_text, occurred_at) SELECT " + id_at("m") + ", " + id_at("t") + ", '" + brand_a.id + "', " +
           id_at("c") + ", 'email', 'inbound', 'jana@example.cz', 'Reklamace ' || i, 'Dobrý den, kde je můj balík?', " +
           at + " FROM generate_series(1, 1500) i ORDER BY i");
  const auto newest_old = db->scalar("SELECT id FROM tickets WHERE number = 501500");
  auto fresh = email({{"from", "Jana Nováková <jana.new@example.cz>"}, {"subject", "Reklamace zboží"},
                      {"message_id", "<n1@example.cz>"}});
  // Every candidate ranks the same (one subject word of two, one message),
  // so the newest come first: the new ticket, then the newest of the old.
  auto by_word = req("GET", "/v1/search?q=reklamace&limit=3", session);
  ASSERT_EQ(by_word.status, 200) << by_word.body;
  auto items = by_word.json()["items"];
  ASSERT_EQ(items.size(), 3u) << by_word.body;
  EXPECT_EQ(items[0]["ticket"]["id"], fresh["ticket_id"]) << items[0];
  EXPECT_EQ(items[0]["matched"], json({"subject", "messages"}));
  EXPECT_EQ(items[1]["ticket"]["id"], newest_old) << items[1];
  EXPECT_EQ(items[2]["ticket"]["id"], db->scalar("SELECT id FROM tickets WHERE number = 501499")) << items[2];
  // The same for customers: the new Jana Nováková among 1,500 older ones.
  auto by_name = req("GET", "/v1/search?q=novakova&limit=2", session).json()["items"];
  ASSERT_EQ(by_name.size(), 2u) << by_name;
  EXPECT_EQ(by_name[0]["ticket"]["id"], fresh["ticket_id"]) << by_name[0];
  EXPECT_EQ(by_name[0]["matched"], json({"customer"}));
  EXPECT_EQ(by_name[1]["ticket"]["id"], newest_old) << by_name[1];
  // All of them, page by page: exactly the 1,000 newest of 1,501 matching
  // messages (and subjects), read through every window back to a year:
  // the new ticket and old tickets 502 to 1500, not 501.
  std::set<std::string> listed;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    auto r = req("GET", "/v1/search?q=reklamace&limit=200" + (cursor.empty() ? "" : "&cursor=" + cursor), session);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto body = r.json();
    for (const auto& item : body["items"]) listed.insert(item["ticket"]["id"].get<std::string>());
    if (body["next_cursor"].is_null()) break;
    cursor = body["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(listed.size(), 1000u);
  EXPECT_TRUE(listed.count(fresh["ticket_id"].get<std::string>()));
  EXPECT_TRUE(listed.count(db->scalar("SELECT id FROM tickets WHERE number = 500502")));
  EXPECT_FALSE(listed.count(db->scalar("SELECT id FROM tickets WHERE number = 500501")));
  // A rare word whose only matches are a year old: found by the probe
  // behind the empty last week.
  auto rare = req("GET", "/v1/search?q=7", session).json()["items"];
  ASSERT_EQ(rare.size(), 1u) << rare;
  EXPECT_EQ(rare[0]["ticket"]["id"], db->scalar("SELECT id FROM tickets WHERE number = 500007"));
}

}  // namespace
}  // namespace helpdesk::testing
