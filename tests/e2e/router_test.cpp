// The queue router end to end: real server, real PostgreSQL, real sockets.
#include <atomic>
#include <set>

#include "router_fixture.hpp"

namespace helpdesk::testing {
namespace {

const std::string polish_mail =
    "Dzień dobry, chciałbym zwrócić zamówione buty, ponieważ są za małe. Proszę o informację, jak mam to zrobić "
    "i kiedy otrzymam zwrot pieniędzy na moje konto.";
const std::string czech_mail =
    "Dobrý den, objednané boty jsou mi malé a rád bych je vrátil. Napište mi prosím, jak mám postupovat a kdy "
    "dostanu peníze zpět na účet.";

TEST_F(router_e2e, PolishEmailGoesToThePolishSpeakingAgentOfTheBrand) {
  auto petr = add_agent("petr@shop.example", primary(brand_a), speaks("cs"));
  auto ola = add_agent("ola@shop.example", primary(brand_a), speaks("pl"));
  auto marta = add_agent("marta@shop.example", primary(brand_b), speaks("pl"));
  const auto id = email("jan@example.pl", "Zwrot towaru", polish_mail);
  EXPECT_EQ(wait_for_assignee(id), ola.id);
  auto t = ticket(id);
  EXPECT_EQ(t["language"], "pl");
  EXPECT_GT(t["language_confidence"].get<double>(), 0.5);
  EXPECT_EQ(t["queue_id"], queue_named("Default")["id"]);

  auto why = req("GET", "/v1/tickets/" + id + "/routing", manager).json();
  EXPECT_EQ(why["queue"]["name"], "Default");
  std::map<std::string, std::string> reasons;
  for (const auto& c : why["candidates"]) reasons[c["agent_id"]] = c["reason"];
  EXPECT_EQ(reasons[petr.id], "does not speak pl");
  EXPECT_EQ(reasons.count(marta.id), 0u) << "an agent of another brand is no candidate";
  bool assigned_logged = false;
  for (const auto& h : why["history"])
    assigned_logged = assigned_logged || (h["kind"] == "assigned" && h["data"]["agent_id"] == ola.id);
  EXPECT_TRUE(assigned_logged) << why.dump(2);
}

TEST_F(router_e2e, GivenLanguageWinsOverDetection) {
  auto petr = add_agent("petr@shop.example", primary(brand_a), speaks("cs"));
  auto ola = add_agent("ola@shop.example", primary(brand_a), speaks("pl"));
  const auto id = email("jan@example.pl", "Zwrot", polish_mail, {{"language", "cs-CZ"}});
  EXPECT_EQ(wait_for_assignee(id), petr.id);
  auto t = ticket(id);
  EXPECT_EQ(t["language"], "cs");
  EXPECT_TRUE(t["language_confidence"].is_null()) << "given, not detected";
}

TEST_F(router_e2e, TooLittleTextTakesTheBrandsDefaultLanguage) {
  auto petr = add_agent("petr@shop.example", primary(brand_a), speaks("cs"));
  const auto id = email("jan@example.com", "?", "OK 123");
  auto t = ticket(id);
  EXPECT_EQ(t["language"], "cs") << "brand A's default language";
  EXPECT_TRUE(t["language_confidence"].is_null()) << "assumed, not detected";
  EXPECT_EQ(wait_for_assignee(id), petr.id);
}

TEST_F(router_e2e, WithHerAwayOverflowSendsItToTheBackupAfterTheWait) {
  auto ola = add_agent("ola@shop.example", primary(brand_a), speaks("pl"), json::array(), json::object(), "away");
  auto bogdan = add_agent("bogdan@shop.example", backup(brand_a), speaks("pl", "fluent"));
  const auto queue = queue_named("Default");
  auto patched = req("PATCH", "/v1/queues/" + queue["id"].get<std::string>(), manager,
                     R"({"overflow": [{"after_seconds": 2, "allow_backup_agents": true}]})");
  ASSERT_EQ(patched.status, 200) << patched.body;

  const auto id = email("jan@example.pl", "Zwrot towaru", polish_mail);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  auto early = req("GET", "/v1/tickets/" + id + "/routing", manager).json();
  EXPECT_TRUE(early["assignee_id"].is_null()) << "the backup waits for the overflow";
  for (const auto& c : early["candidates"]) {
    if (c["agent_id"] == ola.id) EXPECT_EQ(c["reason"], "away");
    if (c["agent_id"] == bogdan.id) EXPECT_FALSE(c["eligible"]);
  }
  EXPECT_EQ(wait_for_assignee(id), bogdan.id);
  auto why = req("GET", "/v1/tickets/" + id + "/routing", manager).json();
  bool widened = false;
  for (const auto& h : why["history"])
    widened = widened || (h["kind"] == "queue_widened" && h["data"]["allow_backup_agents"] == true);
  EXPECT_TRUE(widened) << why.dump(2);
}

TEST_F(router_e2e, ReturnsTaggedTicketGoesToTheReturnsSpecialist) {
  auto generalist = add_agent("eva@shop.example", primary(brand_a), speaks("cs"));
  auto specialist = add_agent("karel@shop.example", primary(brand_a), speaks("cs", "fluent"), {"returns"});
  auto made = req("POST", "/v1/queues", manager,
                  json({{"brand_id", brand_a.id},
                        {"name", "Returns"},
                        {"position", 10},
                        {"conditions", {{"tags", {"returns"}}}},
                        {"required_skills", {"returns"}}})
                      .dump());
  ASSERT_EQ(made.status, 201) << made.body;
  const auto returns_id = email("jana@example.cz", "Vrácení", czech_mail, {{"tags", {"Returns"}}});
  EXPECT_EQ(wait_for_assignee(returns_id), specialist.id);
  auto t = ticket(returns_id);
  EXPECT_EQ(t["queue_id"], made.json()["id"]);
  EXPECT_EQ(t["tags"], json::array({"returns"}));
  // Placed by the ingest that created it, with the reason the router gives.
  EXPECT_EQ(db->scalar("SELECT q.data->>'reason' FROM ticket_events q JOIN ticket_events c ON c.ticket_id = "
                       "q.ticket_id AND c.kind = 'created' AND c.tx = q.tx WHERE q.kind = 'queued' AND q.actor = "
                       "'router' AND q.ticket_id = '" + returns_id + "'"),
            "every condition met");

  const auto other_id = email("josef@example.cz", "Dotaz", czech_mail);
  EXPECT_EQ(wait_for_assignee(other_id), generalist.id) << "native Czech beats fluent for untagged work";
}

TEST_F(router_e2e, AMissedCallShowsUpInTheCallbackQueue) {
  const json missed = {{"call_id", "c-1"}, {"event", "missed"}, {"direction", "inbound"}, {"from", "+420777123456"},
                       {"to", "+420222333444"}, {"at", "2026-11-23T09:00:00Z"}};
  auto r = call(port(), "POST", "/v1/inbound/calls", integration, missed.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = r.json()["ticket_id"];
  const auto callbacks = queue_named("Callbacks");
  json waiting;
  for (int i = 0; i < 100; ++i) {
    waiting = req("GET", "/v1/queues/" + callbacks["id"].get<std::string>() + "/waiting", agent).json();
    if (!waiting["items"].empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(waiting["items"].size(), 1u) << waiting.dump();
  EXPECT_EQ(waiting["items"][0]["id"], id);
  EXPECT_TRUE(waiting["items"][0]["callback_required"]);

  auto caller = add_agent("iva@shop.example", primary(brand_a), speaks("cs"));
  EXPECT_EQ(wait_for_assignee(id), caller.id) << "phone capacity 1, online: the callback goes to her";
  auto dial = req("POST", "/v1/tickets/" + id + "/callbacks", caller.token, R"({"dial": true})");
  ASSERT_EQ(dial.status, 201) << dial.body;
  EXPECT_TRUE(dial.json()["dial_requested"]);
  EXPECT_EQ(db->scalar("SELECT payload->>'to' FROM outbox WHERE event_type = 'callback.requested'"), "+420777123456");
  auto no_answer = req("POST", "/v1/tickets/" + id + "/callbacks", caller.token, R"({"outcome": "no_answer"})");
  ASSERT_EQ(no_answer.status, 201) << no_answer.body;
  EXPECT_TRUE(no_answer.json()["ticket"]["callback_required"]);
  auto reached = req("POST", "/v1/tickets/" + id + "/callbacks", caller.token,
                     R"({"outcome": "reached", "note": "Sent a new parcel."})");
  ASSERT_EQ(reached.status, 201) << reached.body;
  EXPECT_FALSE(reached.json()["ticket"]["callback_required"]);
  EXPECT_TRUE(reached.json()["ticket"]["callback_due_at"].is_null());
  EXPECT_EQ(db->scalar("SELECT count(*) FROM callback_attempts WHERE ticket_id = '" + id + "'"), "2");
  // Called back: it leaves the Callbacks queue; given back, it waits where
  // its other facts send it.
  EXPECT_TRUE(ticket(id)["queue_id"].is_null());
  ASSERT_EQ(req("POST", "/v1/tickets/" + id + "/release", caller.token).status, 200);
  for (int i = 0; i < 100 && ticket(id)["queue_id"] != queue_named("Default")["id"]; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(ticket(id)["queue_id"], queue_named("Default")["id"]);
  EXPECT_TRUE(ticket(id)["assignee_id"].is_null()) << "not pushed back to the agent who released it";
}

TEST_F(router_e2e, CallbacksWaitInTheOrderOfTheirDeadlines) {
  auto missed = [&](const std::string& call_id, const std::string& from, const std::string& at) {
    const json body = {{"call_id", call_id}, {"event", "missed"}, {"direction", "inbound"}, {"from", from},
                       {"to", "+420222333444"}, {"at", at}};
    auto r = call(port(), "POST", "/v1/inbound/calls", integration, body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("ticket_id", "");
  };
  // Posted out of order: the later call first.
  const auto late = missed("c-late", "+420777000002", "2026-11-23T10:00:00Z");
  const auto early = missed("c-early", "+420777000001", "2026-11-23T09:00:00Z");
  EXPECT_EQ(ticket(early)["callback_due_at"], "2026-11-23T09:30:00.000Z") << "the call's time plus callback_due_s";
  EXPECT_EQ(ticket(late)["callback_due_at"], "2026-11-23T10:30:00.000Z");
  // A second missed call from the same customer keeps the first deadline.
  const auto again = missed("c-early-2", "+420777000001", "2026-11-23T09:20:00Z");
  EXPECT_EQ(again, early);
  EXPECT_EQ(ticket(early)["callback_due_at"], "2026-11-23T09:30:00.000Z");
  const auto callbacks = queue_named("Callbacks")["id"].get<std::string>();
  json waiting;
  for (int i = 0; i < 100; ++i) {
    waiting = req("GET", "/v1/queues/" + callbacks + "/waiting", agent).json();
    if (waiting["items"].size() == 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(waiting["items"].size(), 2u) << waiting.dump();
  EXPECT_EQ(waiting["items"][0]["id"], early) << "the nearest deadline first, whatever the order of arrival";
  EXPECT_EQ(waiting["items"][1]["id"], late);
  // Answered after all: the flag and its deadline go.
  const json answered = {{"call_id", "c-late"}, {"event", "answered"}, {"direction", "inbound"},
                         {"from", "+420777000002"}, {"to", "+420222333444"}, {"at", "2026-11-23T10:05:00Z"}};
  ASSERT_EQ(call(port(), "POST", "/v1/inbound/calls", integration, answered.dump()).status, 201);
  EXPECT_TRUE(ticket(late)["callback_due_at"].is_null());
}

TEST_F(router_e2e, AReleasedTicketIsNotPushedBackToTheAgentWhoGaveItUp) {
  auto eva = add_agent("eva@shop.example", primary(brand_a), speaks("cs"));
  const auto older = email("a@example.cz", "Starší", czech_mail);
  ASSERT_EQ(wait_for_assignee(older), eva.id);
  const auto id = email("b@example.cz", "Dotaz", czech_mail);
  ASSERT_EQ(wait_for_assignee(id), eva.id);
  auto released = req("POST", "/v1/tickets/" + id + "/release", eva.token);
  ASSERT_EQ(released.status, 200) << released.body;
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // several router passes
  EXPECT_TRUE(ticket(id)["assignee_id"].is_null()) << "Eva is online with room, but she gave it back";
  auto why = req("GET", "/v1/tickets/" + id + "/routing", manager).json();
  std::map<std::string, std::string> reasons;
  for (const auto& c : why["candidates"]) reasons[c["agent_id"]] = c["reason"];
  EXPECT_EQ(reasons[eva.id], "gave this ticket back");
  auto karel = add_agent("karel@shop.example", primary(brand_a), speaks("cs"));
  EXPECT_EQ(wait_for_assignee(id), karel.id);
  // Hand-overs keep the older ticket ahead of newer work in line.
  set_presence(eva, "away");
  const auto newer = email("c@example.cz", "Novější", czech_mail);
  ASSERT_EQ(wait_for_assignee(newer), karel.id);
  ASSERT_EQ(req("POST", "/v1/agents/" + karel.id + "/handover", manager).status, 200);
  ASSERT_EQ(req("POST", "/v1/agents/" + eva.id + "/handover", manager).status, 200);
  const auto queue = queue_named("Default")["id"].get<std::string>();
  json waiting;
  for (int i = 0; i < 100; ++i) {
    waiting = req("GET", "/v1/queues/" + queue + "/waiting", manager).json();
    if (waiting["items"].size() == 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(waiting["items"].size(), 3u) << waiting.dump();
  EXPECT_EQ(waiting["items"][0]["id"], older) << "handed over, still first in line";
  EXPECT_EQ(waiting["items"][1]["id"], id);
  EXPECT_EQ(waiting["items"][2]["id"], newer);
}

TEST_F(router_e2e, ClaimRacesHaveExactlyOneWinner) {
  // Away: the router leaves the ticket alone, so only the claims compete.
  std::vector<signed_in_agent> agents;
  for (int i = 0; i < 4; ++i)
    agents.push_back(add_agent("a" + std::to_string(i) + "@shop.example", primary(brand_a), speaks("cs"),
                               json::array(), json::object(), "away"));
  const auto id = email("jana@example.cz", "Dotaz", czech_mail);
  std::vector<http_result> results(agents.size() * 3);
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  for (std::size_t i = 0; i < results.size(); ++i)
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < static_cast<int>(results.size())) std::this_thread::yield();
      results[i] = req("POST", "/v1/tickets/" + id + "/claim", agents[i % agents.size()].token);
    });
  for (auto& t : threads) t.join();
  const std::string holder = ticket(id)["assignee_id"];
  std::set<std::string> winners;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& who = agents[i % agents.size()].id;
    if (results[i].status == 200) winners.insert(who);
    else {
      EXPECT_EQ(results[i].status, 409) << results[i].body;
      EXPECT_EQ(results[i].json()["holder_id"], holder);
    }
  }
  ASSERT_EQ(winners.size(), 1u);
  EXPECT_EQ(*winners.begin(), holder);
  EXPECT_EQ(db->scalar("SELECT count(*) FROM ticket_events WHERE ticket_id = '" + id + "' AND kind = 'assigned'"), "1");
}

TEST_F(router_e2e, PullHandsTheMostUrgentEligibleTicketThenNothing) {
  auto eva = add_agent("eva@shop.example", primary(brand_a), speaks("cs"), json::array(), json::object(), "away");
  const auto queue = queue_named("Default");
  ASSERT_EQ(req("PATCH", "/v1/queues/" + queue["id"].get<std::string>(), manager, R"({"mode": "pull"})").status, 200);
  const auto first = email("a@example.cz", "První", czech_mail);
  const auto second = email("b@example.cz", "Druhý", czech_mail);
  db->exec("UPDATE tickets SET priority = 'urgent' WHERE id = '" + second + "'");
  for (int i = 0; i < 100 && (ticket(first)["queue_id"].is_null() || ticket(second)["queue_id"].is_null()); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto a = req("POST", "/v1/agents/me/next", eva.token);
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.json()["id"], second) << "urgent first";
  auto b = req("POST", "/v1/agents/me/next", eva.token);
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(b.json()["id"], first);
  EXPECT_EQ(b.json()["assignee_id"], eva.id);
  EXPECT_EQ(req("POST", "/v1/agents/me/next", eva.token).status, 204);
  EXPECT_EQ(req("POST", "/v1/agents/me/next", admin).status, 403) << "a token has no agent to hand work to";
}

TEST_F(router_e2e, HandoverMovesASickAgentsTicketsWithTheirHistory) {
  auto eva = add_agent("eva@shop.example", primary(brand_a), speaks("cs"));
  const auto one = email("a@example.cz", "Jedna", czech_mail);
  const auto two = email("b@example.cz", "Dva", czech_mail);
  ASSERT_EQ(wait_for_assignee(one), eva.id);
  ASSERT_EQ(wait_for_assignee(two), eva.id);
  auto karel = add_agent("karel@shop.example", primary(brand_a), speaks("cs"), json::array(), json::object(), "away");
  auto moved = req("POST", "/v1/agents/" + eva.id + "/handover", manager, R"({"note": "Eva is ill this week."})");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json()["moved"], 2);
  EXPECT_EQ(req("GET", "/v1/agents/" + eva.id, manager).json()["presence"]["status"], "offline");
  set_presence(karel, "online");
  EXPECT_EQ(wait_for_assignee(one), karel.id);
  EXPECT_EQ(wait_for_assignee(two), karel.id);
  auto messages = req("GET", "/v1/tickets/" + one + "/messages", karel.token).json();
  bool note = false;
  for (const auto& m : messages["items"]) note = note || (m["direction"] == "internal" && m["text"] == "Eva is ill this week.");
  EXPECT_TRUE(note) << messages.dump(2);
  EXPECT_EQ(db->scalar("SELECT count(*) FROM ticket_events WHERE ticket_id = '" + one + "' AND kind = 'unassigned'"),
            "1");
  EXPECT_EQ(db->scalar("SELECT count(*) FROM agent_presence_intervals WHERE agent_id = '" + eva.id + "'"), "2");
}

TEST_F(router_e2e, TransferAndReleaseMoveTheTicketAndLogIt) {
  auto eva = add_agent("eva@shop.example", primary(brand_a), speaks("cs"));
  const auto id = email("a@example.cz", "Dotaz", czech_mail);
  ASSERT_EQ(wait_for_assignee(id), eva.id);
  set_presence(eva, "away");
  auto karel = add_agent("karel@shop.example", primary(brand_a), speaks("cs"), json::array(), json::object(), "away");
  auto to_karel = req("POST", "/v1/tickets/" + id + "/transfer", eva.token,
                      json({{"agent_id", karel.id}, {"note", "Karel knows this order."}}).dump());
  ASSERT_EQ(to_karel.status, 200) << to_karel.body;
  EXPECT_EQ(to_karel.json()["assignee_id"], karel.id);
  auto stolen = req("POST", "/v1/tickets/" + id + "/release", eva.token);
  EXPECT_EQ(stolen.status, 403) << "only the holder or a manager releases";
  auto released = req("POST", "/v1/tickets/" + id + "/release", karel.token);
  ASSERT_EQ(released.status, 200) << released.body;
  EXPECT_TRUE(released.json()["assignee_id"].is_null());
  auto elsewhere = req("POST", "/v1/tickets/" + id + "/transfer", manager, json({{"agent_id", agent_b.id}}).dump());
  EXPECT_EQ(elsewhere.status, 404) << "an agent of another brand is not confirmed to exist";
  auto both = req("POST", "/v1/tickets/" + id + "/transfer", manager,
                  json({{"agent_id", karel.id}, {"queue_id", queue_named("Default")["id"]}}).dump());
  EXPECT_EQ(both.status, 422) << both.body;
  EXPECT_EQ(db->scalar("SELECT count(*) FROM ticket_events WHERE ticket_id = '" + id + "' AND kind = 'transferred'"),
            "1");
}

TEST_F(router_e2e, BadRoutingInputGetsAPreciseProblem) {
  auto bad_queue = req("POST", "/v1/queues", manager,
                       json({{"brand_id", brand_a.id}, {"name", "X"}, {"conditions", {{"language", "polish"}}}}).dump());
  ASSERT_EQ(bad_queue.status, 422) << bad_queue.body;
  EXPECT_EQ(bad_queue.json()["errors"][0]["pointer"], "/conditions/language");
  auto other_brand = req("POST", "/v1/queues", manager, json({{"brand_id", brand_b.id}, {"name", "X"}}).dump());
  EXPECT_EQ(other_brand.status, 422) << other_brand.body;
  auto bad_presence = req("PUT", "/v1/agents/" + agent_a.id + "/presence", manager, R"({"status": "busy"})");
  EXPECT_EQ(bad_presence.status, 422) << bad_presence.body;
  auto bad_capacity = req("PATCH", "/v1/agents/" + agent_a.id, manager, R"({"capacity": {"email": -3}})");
  EXPECT_EQ(bad_capacity.status, 422) << bad_capacity.body;
  auto manager_renames = req("PATCH", "/v1/agents/" + agent_a.id, manager, R"({"name": "Someone else"})");
  EXPECT_EQ(manager_renames.status, 403) << manager_renames.body;
  auto bad_language = call(port(), "POST", "/v1/inbound/email", integration,
                           R"({"from": "a@example.cz", "to": ["podpora@shop-a.example"], "language": "klingon"})");
  EXPECT_EQ(bad_language.status, 422) << bad_language.body;
  // Another brand's agent is "not found" to brand A's manager, whatever the action.
  EXPECT_EQ(req("POST", "/v1/agents/" + agent_b.id + "/handover", manager).status, 404);
  EXPECT_EQ(req("PUT", "/v1/agents/" + agent_b.id + "/presence", manager, R"({"status": "online"})").status, 404);
  const auto default_queue = queue_named("Default")["id"].get<std::string>();
  EXPECT_EQ(req("DELETE", "/v1/queues/" + default_queue, manager).status, 409);
  EXPECT_EQ(db->scalar("SELECT count(*) FROM tickets"), "0");
}

}  // namespace
}  // namespace helpdesk::testing
