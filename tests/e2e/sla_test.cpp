// The SLA engine end to end: calendars, policies, clocks kept by the worker,
// warnings and breaches fired by the scanner. Real server, real PostgreSQL.
#include <thread>

#include "fixture.hpp"

namespace helpdesk::testing {
namespace {

using nlohmann::json;

const std::string prague_hours = R"({"time_zone": "Europe/Prague", "weekly": {
    "mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]],
    "thu": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]], "sat": [], "sun": []}})";

timestamp instant(const json& v) { return parse_rfc3339(v.get<std::string>()).value_or(timestamp{}); }

class sla_e2e : public e2e {
 protected:
  std::vector<std::string> server_args() override { return {"--sla-tick-ms=50", "--router=false"}; }

  std::string make_calendar(const std::string& brand_id, json extra = json::object()) {
    json body = json::parse(prague_hours);
    body["name"] = "Prague office";
    body["brand_id"] = brand_id;
    body.update(extra);
    auto r = req("POST", "/v1/calendars", manager, body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("id", "");
  }
  std::string make_policy(json body) {
    if (!body.contains("brand_id")) body["brand_id"] = brand_a.id;
    if (!body.contains("name")) body["name"] = "Policy";
    auto r = req("POST", "/v1/sla-policies", manager, body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("id", "");
  }
  json chat(const std::string& session, const std::string& id, const std::string& sender, const std::string& at) {
    json body = {{"session_id", session}, {"message_id", id}, {"sender", sender}, {"text", "Dobrý den, kde je balík?"},
                 {"at", at}, {"visitor", {{"handle", "visitor-" + session}}}};
    auto r = call(port(), "POST", "/v1/inbound/chat?brand=" + brand_a.id, integration, body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }
  // Polls the ticket until its clock of `target` satisfies `ok`.
  json wait_clock(const std::string& ticket_id, const std::string& target, const std::function<bool(const json&)>& ok) {
    json last;
    for (int i = 0; i < 200; ++i) {
      last = req("GET", "/v1/tickets/" + ticket_id, agent).json();
      for (const auto& c : last["sla"])
        if (c["target"] == target && ok(c)) return c;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ADD_FAILURE() << "no " << target << " clock as expected: " << last.dump(2);
    return json::object();
  }
  std::string sla_events(const std::string& ticket_id) {
    return db->scalar("SELECT string_agg(target || ':' || kind, ',' ORDER BY id) FROM sla_events WHERE ticket_id = '" +
                      ticket_id + "' AND target IS NOT NULL");
  }
};

TEST_F(sla_e2e, TheDeadlinePreviewCountsBusinessHoursAndHolidays) {
  const auto id = make_calendar(brand_a.id);
  auto preview = [&](const std::string& start, long long seconds) {
    auto r = req("GET", "/v1/calendars/" + id + "/deadline?start=" + start + "&business_seconds=" + std::to_string(seconds),
                 manager);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()["due_at"];
  };
  // Friday 16:30 in Prague plus 16 business hours: Tuesday 16:30.
  EXPECT_EQ(preview("2026-12-04T16:30:00%2B01:00", 16 * 3600), "2026-12-08T15:30:00.000Z");
  EXPECT_EQ(preview("2026-12-05T10:00:00Z", 0), "2026-12-07T08:00:00.000Z") << "outside hours: the next opening";
  auto patched = req("PATCH", "/v1/calendars/" + id, manager, R"({"holidays": [{"date": "2026-12-07", "name": "Closed"}]})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json()["version"], 2);
  EXPECT_EQ(preview("2026-12-04T16:30:00%2B01:00", 16 * 3600), "2026-12-09T15:30:00.000Z") << "Monday is a holiday";
  EXPECT_EQ(db->scalar("SELECT count(*) FROM calendar_versions WHERE calendar_id = '" + id + "'"), "2");

  // The clocks use the same arithmetic: a chat on that Friday at 16:30 has
  // its 2-business-day resolution due on Wednesday (Monday is closed).
  make_policy({{"targets", {{{"target", "resolution"}, {"seconds", 16 * 3600}, {"calendar_id", id}}}}});
  const std::string ticket = chat("friday", "f1", "visitor", "2026-12-04T15:30:00Z")["ticket_id"];
  auto c = wait_clock(ticket, "resolution", [](const json& c) { return c["state"] == "running"; });
  EXPECT_EQ(c["due_at"], "2026-12-09T15:30:00.000Z");
  EXPECT_EQ(c["business_hours"], true);
  EXPECT_EQ(c["calendar_id"], id);
  EXPECT_EQ(db->scalar("SELECT calendar_version FROM sla_clocks WHERE ticket_id = '" + ticket + "'"), "2");
}

TEST_F(sla_e2e, BadCalendarsAndPoliciesGetPreciseProblems) {
  auto bad_zone = req("POST", "/v1/calendars", manager,
                      json({{"name", "x"}, {"brand_id", brand_a.id}, {"time_zone", "Mars/Olympus"}, {"weekly", json::object()}}).dump());
  EXPECT_EQ(bad_zone.status, 422);
  EXPECT_EQ(bad_zone.json()["errors"][0]["pointer"], "/time_zone") << bad_zone.body;
  json weekly = json::parse(R"({"mon": [["17:00", "09:00"]], "tue": [["09:00", "12:00"], ["11:00", "13:00"]]})");
  auto backwards = req("POST", "/v1/calendars", manager,
                       json({{"name", "x"}, {"brand_id", brand_a.id}, {"time_zone", "UTC"}, {"weekly", weekly}}).dump());
  EXPECT_EQ(backwards.status, 422);
  ASSERT_EQ(backwards.json()["errors"].size(), 2u) << backwards.body;
  EXPECT_EQ(backwards.json()["errors"][0]["pointer"], "/weekly/mon/0") << backwards.body;
  EXPECT_EQ(backwards.json()["errors"][1]["pointer"], "/weekly/tue/1") << "overlap";
  auto bad_day = req("POST", "/v1/calendars", manager,
                     json({{"name", "x"}, {"brand_id", brand_a.id}, {"time_zone", "UTC"}, {"weekly", json::object()},
                           {"holidays", {{{"date", "2026-02-30"}}}}}).dump());
  EXPECT_EQ(bad_day.status, 422);
  EXPECT_EQ(bad_day.json()["errors"][0]["pointer"], "/holidays/0/date") << bad_day.body;
  auto shared = req("POST", "/v1/calendars", manager, json({{"name", "x"}, {"time_zone", "UTC"}, {"weekly", json::object()}}).dump());
  EXPECT_EQ(shared.status, 403) << "shared calendars are the admin's";
  EXPECT_EQ(req("GET", "/v1/calendars", agent).status, 403);
  EXPECT_EQ(db->scalar("SELECT count(*) FROM calendars"), "0") << "nothing half-written";

  const auto other = req("POST", "/v1/calendars", admin,
                         json({{"name", "B"}, {"brand_id", brand_b.id}, {"time_zone", "UTC"}, {"weekly", json::object()}}).dump());
  ASSERT_EQ(other.status, 201) << other.body;
  auto bad_policy = req("POST", "/v1/sla-policies", manager,
                        json({{"brand_id", brand_a.id}, {"name", "P"},
                              {"targets", {{{"target", "first_reply"}, {"seconds", 60}},
                                           {{"target", "resolution"}, {"seconds", 60}, {"calendar_id", other.json()["id"]}}}}})
                            .dump());
  EXPECT_EQ(bad_policy.status, 422) << bad_policy.body;
  EXPECT_EQ(bad_policy.json()["errors"][0]["pointer"], "/targets/0/target") << bad_policy.body;
  auto foreign_calendar = req("POST", "/v1/sla-policies", manager,
                              json({{"brand_id", brand_a.id}, {"name", "P"},
                                    {"targets", {{{"target", "resolution"}, {"seconds", 60}, {"calendar_id", other.json()["id"]}}}}})
                                  .dump());
  EXPECT_EQ(foreign_calendar.status, 422);
  EXPECT_EQ(foreign_calendar.json()["errors"][0]["pointer"], "/targets/0/calendar_id") << foreign_calendar.body;
  auto warn = req("POST", "/v1/sla-policies", manager,
                  json({{"brand_id", brand_a.id}, {"name", "P"}, {"targets", {{{"target", "resolution"}, {"seconds", 60}, {"warn_at", 1.5}}}}}).dump());
  EXPECT_EQ(warn.status, 422);
  EXPECT_EQ(warn.json()["errors"][0]["pointer"], "/targets/0/warn_at") << warn.body;
  EXPECT_EQ(db->scalar("SELECT count(*) FROM sla_policies"), "0");
}

TEST_F(sla_e2e, AnAmazonReplyIsDueIn24CalendarHoursAndAHumanReplyMeetsIt) {
  make_policy({{"name", "Amazon"}, {"targets", {{{"target", "first_response"}, {"seconds", 86400}},
                                                {{"target", "next_response"}, {"seconds", 86400}}}}});
  const auto at = format_rfc3339(now_utc());
  const std::string ticket = chat("s1", "m1", "visitor", at)["ticket_id"];
  auto running = wait_clock(ticket, "first_response", [](const json& c) { return c["state"] == "running"; });
  EXPECT_EQ(running["business_hours"], false);
  EXPECT_EQ(running["due_at"], format_rfc3339(*parse_rfc3339(at) + std::chrono::hours(24)));
  EXPECT_GT(running["remaining_seconds"].get<long long>(), 86400 - 30);
  EXPECT_FALSE(req("GET", "/v1/tickets/" + ticket, agent).json()["sla_due_at"].is_null());
  // A bot's answer is automatic: it fulfils nothing.
  chat("s1", "m2", "bot", format_rfc3339(now_utc()));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(wait_clock(ticket, "first_response", [](const json&) { return true; })["state"], "running");
  chat("s1", "m3", "agent", format_rfc3339(now_utc()));
  auto met = wait_clock(ticket, "first_response", [](const json& c) { return c["state"] == "met"; });
  EXPECT_FALSE(met["stopped_at"].is_null());
  // The customer writes again: the next response clock starts.
  chat("s1", "m4", "visitor", format_rfc3339(now_utc()));
  auto next = wait_clock(ticket, "next_response", [](const json& c) { return c["state"] == "running"; });
  EXPECT_EQ(next["cycle"], 1);
  EXPECT_EQ(sla_events(ticket), "first_response:started,first_response:met,next_response:started");

  // A buyer who wrote on a Friday at 23:00 gets an answer by Saturday 23:00.
  const std::string friday = chat("s-fri", "f1", "visitor", "2026-12-04T23:00:00Z")["ticket_id"];
  EXPECT_EQ(wait_clock(friday, "first_response", [](const json&) { return true; })["due_at"], "2026-12-05T23:00:00.000Z");
}

TEST_F(sla_e2e, NoResponseNeededStopsTheClockWithoutABreach) {
  make_policy({{"targets", {{{"target", "first_response"}, {"seconds", 3600}}}}});
  const json first = chat("s2", "m1", "visitor", format_rfc3339(now_utc()));
  const std::string ticket = first["ticket_id"], message = first["message_id"];
  wait_clock(ticket, "first_response", [](const json& c) { return c["state"] == "running"; });
  auto waived = req("POST", "/v1/tickets/" + ticket + "/messages/" + message + "/no-response-needed", agent);
  ASSERT_EQ(waived.status, 204) << waived.body;
  auto c = wait_clock(ticket, "first_response", [](const json& c) { return c["state"] == "cancelled"; });
  EXPECT_TRUE(c["breached_at"].is_null());
  EXPECT_EQ(req("POST", "/v1/tickets/" + ticket + "/messages/" + message + "/no-response-needed", agent).status, 204);
  EXPECT_EQ(db->scalar("SELECT count(*) FROM ticket_events WHERE kind = 'response_waived'"), "1") << "marked once";
  EXPECT_EQ(req("POST", "/v1/tickets/" + ticket + "/messages/" + std::string(40, 'x') + "/no-response-needed", agent).status, 404);
}

TEST_F(sla_e2e, PendingPausesTheResolutionClockAndTheCustomersReplyResumesIt) {
  make_policy({{"targets", {{{"target", "resolution"}, {"seconds", 7200}}}}});
  auto first = call(port(), "POST", "/v1/inbound/email?brand=" + brand_a.id, integration,
                    json({{"from", "jan@example.cz"}, {"subject", "Objednávka"}, {"text", "Kde je?"}, {"message_id", "<p1@example.cz>"}}).dump());
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string ticket = first.json()["ticket_id"];
  auto running = wait_clock(ticket, "resolution", [](const json& c) { return c["state"] == "running"; });
  // Waiting on the customer.
  auto pending = req("PATCH", "/v1/tickets/" + ticket, agent, R"({"status": "pending"})");
  ASSERT_EQ(pending.status, 200) << pending.body;
  auto paused = wait_clock(ticket, "resolution", [](const json& c) { return c["state"] == "paused"; });
  EXPECT_TRUE(paused["due_at"].is_null());
  const long long left = paused["remaining_seconds"];
  EXPECT_LE(left, 7200);
  EXPECT_GT(left, 7000);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  // An auto-reply from the customer's side does not resume it.
  auto autoreply = call(port(), "POST", "/v1/inbound/email?brand=" + brand_a.id, integration,
                        json({{"from", "jan@example.cz"}, {"subject", "Re: Objednávka"}, {"text", "Jsem mimo kancelář."},
                              {"message_id", "<p2@example.cz>"}, {"in_reply_to", "<p1@example.cz>"},
                              {"headers", {{"Auto-Submitted", "auto-replied"}}}}).dump());
  ASSERT_EQ(autoreply.status, 201) << autoreply.body;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(wait_clock(ticket, "resolution", [](const json&) { return true; })["state"], "paused");
  auto reply = call(port(), "POST", "/v1/inbound/email?brand=" + brand_a.id, integration,
                    json({{"from", "jan@example.cz"}, {"subject", "Re: Objednávka"}, {"text", "Pořád nic."},
                          {"message_id", "<p3@example.cz>"}, {"in_reply_to", "<p1@example.cz>"}}).dump());
  ASSERT_EQ(reply.status, 201) << reply.body;
  auto resumed = wait_clock(ticket, "resolution", [](const json& c) { return c["state"] == "running"; });
  // The due time moved by the paused time: later than it was.
  EXPECT_GT(instant(resumed["due_at"]), instant(running["due_at"]) + std::chrono::seconds(1));
  EXPECT_EQ(sla_events(ticket), "resolution:started,resolution:paused,resolution:resumed");
}

TEST_F(sla_e2e, ABreachIsFiredOnceWithItsWarningAndEscalates) {
  make_policy({{"targets", {{{"target", "first_response"}, {"seconds", 2}, {"warn_at", 0.5}}}},
               {"escalation", {{{"on", "breach"}, {"action", "raise_priority"}}, {{"on", "warning"}, {"action", "notify"}}}}});
  const std::string ticket = chat("s3", "m1", "visitor", format_rfc3339(now_utc()))["ticket_id"];
  auto breached = wait_clock(ticket, "first_response", [](const json& c) { return c["state"] == "breached"; });
  EXPECT_FALSE(breached["breached_at"].is_null());
  EXPECT_LT(breached["remaining_seconds"].get<long long>(), 1);
  // Fired within a second of the due time.
  const auto lag = instant(breached["breached_at"]) - instant(breached["due_at"]);
  EXPECT_LT(lag, std::chrono::seconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(sla_events(ticket), "first_response:started,first_response:warned,first_response:breached");
  EXPECT_EQ(db->scalar("SELECT string_agg(event_type, ',' ORDER BY id) FROM outbox WHERE payload->>'ticket_id' = '" + ticket + "'"),
            "sla.warning,sla.escalated,sla.breached");
  EXPECT_EQ(req("GET", "/v1/tickets/" + ticket, agent).json()["priority"], "high") << "raised one step on breach";
  auto history = req("GET", "/v1/tickets/" + ticket + "/sla", agent);
  ASSERT_EQ(history.status, 200) << history.body;
  EXPECT_EQ(history.json()["events"].size(), 3u + 1u) << "plus the policy it started under";
  // A late reply ends the clock; the breach stays.
  chat("s3", "m2", "agent", format_rfc3339(now_utc()));
  auto ended = wait_clock(ticket, "first_response", [](const json& c) { return !c["stopped_at"].is_null(); });
  EXPECT_EQ(ended["state"], "breached");
  EXPECT_EQ(db->scalar("SELECT count(*) FROM sla_events WHERE ticket_id = '" + ticket + "' AND kind = 'breached'"), "1");
}

TEST_F(sla_e2e, TicketsSortBySlaDueAndFilterByBreachingWithin) {
  make_policy({{"targets", {{{"target", "first_response"}, {"seconds", 3600}}}}});
  const auto now = now_utc();
  const std::string soon = chat("a", "a1", "visitor", format_rfc3339(now - std::chrono::minutes(30)))["ticket_id"];
  const std::string later = chat("b", "b1", "visitor", format_rfc3339(now))["ticket_id"];
  const std::string middle = chat("c", "c1", "visitor", format_rfc3339(now - std::chrono::minutes(10)))["ticket_id"];
  for (const auto& t : {soon, later, middle}) wait_clock(t, "first_response", [](const json& c) { return c["state"] == "running"; });
  auto first = req("GET", "/v1/tickets?sort=sla_due&limit=2", agent);
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(first.json()["items"].size(), 2u);
  EXPECT_EQ(first.json()["items"][0]["id"], soon);
  EXPECT_EQ(first.json()["items"][1]["id"], middle);
  auto rest = req("GET", "/v1/tickets?sort=sla_due&limit=2&cursor=" + first.json()["next_cursor"].get<std::string>(), agent);
  ASSERT_EQ(rest.status, 200) << rest.body;
  ASSERT_EQ(rest.json()["items"].size(), 1u);
  EXPECT_EQ(rest.json()["items"][0]["id"], later);
  EXPECT_TRUE(rest.json()["next_cursor"].is_null());
  auto breaching = req("GET", "/v1/tickets?breaching_within=2400", agent).json();
  ASSERT_EQ(breaching["items"].size(), 1u) << breaching.dump();
  EXPECT_EQ(breaching["items"][0]["id"], soon);
  auto bad = req("GET", "/v1/tickets?sort=due&breaching_within=-1", agent);
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json()["errors"].size(), 2u) << bad.body;
  EXPECT_EQ(req("GET", "/v1/tickets?sort=sla_due&cursor=" + first.json()["next_cursor"].get<std::string>().substr(2), agent).status, 422);
}

TEST_F(sla_e2e, EditingAPolicyMovesTheRunningClocksOfOpenTickets) {
  const auto policy = make_policy({{"targets", {{{"target", "first_response"}, {"seconds", 3600}},
                                                {{"target", "resolution"}, {"seconds", 7200}}}}});
  const std::string ticket = chat("e1", "e1m", "visitor", format_rfc3339(now_utc()))["ticket_id"];
  const auto before = wait_clock(ticket, "resolution", [](const json& c) { return c["state"] == "running"; });
  auto patched = req("PATCH", "/v1/sla-policies/" + policy, manager,
                     R"({"targets": [{"target": "resolution", "seconds": 14400}]})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json()["version"], 2);
  // No new event on the ticket: the edit itself sends it back to the worker.
  wait_clock(ticket, "first_response", [](const json& c) { return c["state"] == "cancelled"; });
  auto after = wait_clock(ticket, "resolution", [](const json& c) { return c["state"] == "running"; });
  for (int i = 0; i < 100 && after["due_at"] == before["due_at"]; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    after = wait_clock(ticket, "resolution", [](const json&) { return true; });
  }
  EXPECT_EQ(instant(after["due_at"]) - instant(before["due_at"]), std::chrono::hours(2));
  EXPECT_EQ(db->scalar("SELECT policy_version FROM sla_clocks WHERE ticket_id = '" + ticket + "' AND target = 'resolution'"), "2");
}

TEST_F(sla_e2e, AVipFlagOnTheCustomerSwitchesTheirOpenTicketsToTheVipPolicy) {
  make_policy({{"name", "VIP"}, {"position", 1}, {"conditions", {{"customer_flags", {"vip"}}}},
               {"targets", {{{"target", "first_response"}, {"seconds", 600}}}}});
  make_policy({{"name", "Everyone"}, {"position", 9}, {"targets", {{{"target", "first_response"}, {"seconds", 3600}}}}});
  const json first = chat("v1", "v1m", "visitor", format_rfc3339(now_utc()));
  const std::string ticket = first["ticket_id"], customer = first["customer_id"];
  const auto normal = wait_clock(ticket, "first_response", [](const json& c) { return c["state"] == "running"; });
  auto flagged = req("PATCH", "/v1/customers/" + customer, agent, R"({"flags": ["VIP"]})");
  ASSERT_EQ(flagged.status, 200) << flagged.body;
  EXPECT_EQ(flagged.json()["flags"], json::array({"vip"}));
  json vip;
  for (int i = 0; i < 100; ++i) {
    vip = wait_clock(ticket, "first_response", [](const json&) { return true; });
    if (vip["due_at"] != normal["due_at"]) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_EQ(instant(normal["due_at"]) - instant(vip["due_at"]), std::chrono::minutes(50)) << "600 s instead of 3600 s";
  EXPECT_EQ(db->scalar("SELECT count(*) FROM sla_events WHERE ticket_id = '" + ticket + "' AND kind = 'policy_changed'"), "2");
  auto bad = req("PATCH", "/v1/customers/" + customer, agent, R"({"flags": ["not a flag!"]})");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json()["errors"][0]["pointer"], "/flags/0") << bad.body;
}

TEST_F(sla_e2e, AFailingEscalationDoesNotStopTheScanner) {
  auto made = req("POST", "/v1/queues", manager, json({{"brand_id", brand_a.id}, {"name", "Escalated"}}).dump());
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string queue = made.json()["id"];
  make_policy({{"targets", {{{"target", "first_response"}, {"seconds", 1}}}},
               {"escalation", {{{"on", "breach"}, {"action", "move_to_queue"}, {"queue_id", queue}}}}});
  EXPECT_EQ(req("DELETE", "/v1/queues/" + queue, manager).status, 409) << "a policy names it";
  db->exec("DELETE FROM queues WHERE id = '" + queue + "'");  // gone behind the API's back
  const std::string one = chat("x1", "x1m", "visitor", format_rfc3339(now_utc()))["ticket_id"];
  const std::string two = chat("x2", "x2m", "visitor", format_rfc3339(now_utc()))["ticket_id"];
  for (const auto& t : {one, two}) wait_clock(t, "first_response", [](const json& c) { return c["state"] == "breached"; });
  EXPECT_EQ(db->scalar("SELECT count(*) FROM sla_events WHERE kind = 'breached'"), "2") << server->output();
  EXPECT_EQ(db->scalar("SELECT count(*) FROM outbox WHERE event_type = 'sla.breached'"), "2");
}

class sla_routing_e2e : public sla_e2e {
 protected:
  std::vector<std::string> server_args() override { return {"--sla-tick-ms=50", "--router-tick-ms=50"}; }
};

TEST_F(sla_routing_e2e, TheRouterServesTheNearestSlaDeadlineFirst) {
  make_policy({{"targets", {{{"target", "first_response"}, {"seconds", 3600}}}}});
  // Posted first, due last; nobody is online, so both wait in Default.
  const std::string relaxed = chat("r1", "r1m", "visitor", format_rfc3339(now_utc()))["ticket_id"];
  const std::string pressing = chat("r2", "r2m", "visitor", format_rfc3339(now_utc() - std::chrono::minutes(50)))["ticket_id"];
  for (const auto& t : {relaxed, pressing}) wait_clock(t, "first_response", [](const json& c) { return c["state"] == "running"; });
  const auto queues = req("GET", "/v1/queues?brand_id=" + brand_a.id, manager).json();
  std::string default_queue;
  for (const auto& q : queues["items"])
    if (q["name"] == "Default") default_queue = q["id"];
  json waiting;
  for (int i = 0; i < 100; ++i) {
    waiting = req("GET", "/v1/queues/" + default_queue + "/waiting", manager).json();
    if (waiting["items"].size() == 2 && !waiting["items"][0]["sla_due_at"].is_null() &&
        !waiting["items"][1]["sla_due_at"].is_null())
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(waiting["items"].size(), 2u) << waiting.dump();
  EXPECT_EQ(waiting["items"][0]["id"], pressing) << "due in 10 minutes, before the one due in an hour";
  EXPECT_EQ(waiting["items"][1]["id"], relaxed);
}

TEST_F(sla_e2e, TwoServerProcessesFireOneWarningAndOneBreachPerClock) {
  server_process second(db->url(), server_args());
  make_policy({{"targets", {{{"target", "first_response"}, {"seconds", 1}, {"warn_at", 0.5}},
                            {{"target", "resolution"}, {"seconds", 2}}}}});
  constexpr int tickets = 30;
  const unsigned short ports[2] = {port(), second.port()};
  for (int i = 0; i < tickets; ++i) {
    json body = {{"session_id", "two-" + std::to_string(i)}, {"message_id", "two-m" + std::to_string(i)}, {"sender", "visitor"}, {"text", "Ahoj"},
                 {"at", format_rfc3339(now_utc())}, {"visitor", {{"handle", "v" + std::to_string(i)}}}};
    auto r = call(ports[i % 2], "POST", "/v1/inbound/chat?brand=" + brand_a.id, integration, body.dump());
    ASSERT_EQ(r.status, 201) << r.body;
  }
  const std::string breaches = std::to_string(2 * tickets);
  for (int i = 0; i < 200 && db->scalar("SELECT count(*) FROM sla_clocks WHERE breached_at IS NOT NULL") != breaches; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // time for a duplicate to show up
  EXPECT_EQ(db->scalar("SELECT count(*) FROM sla_events WHERE kind = 'breached'"), breaches);
  EXPECT_EQ(db->scalar("SELECT count(*) FROM sla_events WHERE kind = 'warned'"), breaches);
  EXPECT_EQ(db->scalar("SELECT count(*) FROM (SELECT 1 FROM sla_events WHERE kind IN ('breached', 'warned') "
                       "GROUP BY ticket_id, target, cycle, kind HAVING count(*) > 1) d"),
            "0");
  EXPECT_EQ(db->scalar("SELECT count(*) FROM outbox WHERE event_type = 'sla.breached'"), breaches);
  second.signal(SIGTERM);
  EXPECT_EQ(second.wait_exit(std::chrono::seconds(10)), 0) << second.output();
}

}  // namespace
}  // namespace helpdesk::testing
