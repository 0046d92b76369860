// Reports end to end: real traffic through the API, the reports over HTTP,
// and every figure reconciled with the tables it came from.
#include <map>
#include <sstream>
#include <thread>

#include "fixture.hpp"

namespace helpdesk::testing {
namespace {

using nlohmann::json;

class reports_e2e : public e2e {
 protected:
  std::vector<std::string> server_args() override {
    // The tests fold the hourly counts themselves, to read them both ways.
    return {"--sla-tick-ms=50", "--router=false", "--live-stats-cache-ms=400", "--report-fold-ms=0"};
  }
  void SetUp() override {
    e2e::SetUp();
    auto patched = req("PATCH", "/v1/brands/" + brand_a.id, admin, R"({"inbound_addresses": ["support@a.example"]})");
    ASSERT_EQ(patched.status, 200) << patched.body;
    auto login = req("POST", "/v1/auth/login", "",
                     json({{"email", agent_a.email}, {"password", "correct horse battery"}}).dump());
    ASSERT_EQ(login.status, 200) << login.body;
    session = login.json()["token"];
  }
  json chat(const std::string& brand_id, const std::string& session_id, const std::string& id,
            const std::string& sender, const std::string& at) {
    json body = {{"session_id", session_id}, {"message_id", id}, {"sender", sender}, {"text", "Dobrý den, kde je balík?"},
                 {"at", at}, {"visitor", {{"handle", "visitor-" + session_id}}}};
    auto r = call(port(), "POST", "/v1/inbound/chat?brand=" + brand_id, brand_id == brand_a.id ? integration : integration_b(),
                  body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }
  json email(const std::string& from, const std::string& subject, json extra = json::object()) {
    json doc = {{"from", from}, {"to", {"support@a.example"}}, {"subject", subject}, {"text", "Dobrý den, kde je balík?"}};
    doc.update(extra);
    auto r = call(port(), "POST", "/v1/inbound/email?brand=" + brand_a.id, integration, doc.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }
  json phone(const std::string& call_id, const std::string& event, const std::string& at, json extra = json::object()) {
    json doc = {{"call_id", call_id}, {"event", event}, {"direction", "inbound"}, {"from", "+420777123456"},
                {"to", "+420222333444"}, {"at", at}};
    doc.update(extra);
    auto r = call(port(), "POST", "/v1/inbound/calls?brand=" + brand_a.id, integration, doc.dump());
    EXPECT_TRUE(r.status == 201 || r.status == 200) << r.body;
    return r.json();
  }
  http_result reply(const std::string& ticket_id, const std::string& text = "Your parcel left today.") {
    auto r = req("POST", "/v1/tickets/" + ticket_id + "/replies", session, json({{"body_text", text}}).dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r;
  }
  json report(const std::string& path, const std::string& token = "") {
    auto r = req("GET", path, token.empty() ? manager : token);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body << (r.status == 500 ? server->output() : std::string());
    return r.json();
  }
  const std::string& integration_b() {
    if (token_b.empty()) token_b = db->add_token(role::integration, {brand_b.id});
    return token_b;
  }
  // Waits until the SLA log holds `n` events of `kind`.
  void wait_sla_events(const std::string& kind, int n) {
    for (int i = 0; i < 400; ++i) {
      if (std::stoi(db->scalar("SELECT count(*) FROM sla_events WHERE kind = '" + kind + "'")) >= n) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ADD_FAILURE() << "fewer than " << n << " '" << kind << "' SLA events";
  }
  static long long sum(const json& rows, const std::string& key) {
    long long s = 0;
    for (const auto& r : rows) s += r[key].get<long long>();
    return s;
  }
  std::string session, token_b;
};

TEST_F(reports_e2e, InteractionsCountOnTheLocalDayAndReconcileWithTheMessages) {
  // 23:30 UTC on 30 November is 00:30 on 1 December in Prague; 22:30 UTC is still 30 November there.
  chat(brand_a.id, "s1", "m1", "visitor", "2026-11-30T23:30:00Z");
  chat(brand_a.id, "s2", "m2", "visitor", "2026-11-30T22:30:00Z");
  chat(brand_a.id, "s2", "m3", "agent", "2026-12-01T08:00:00Z");
  chat(brand_b.id, "s3", "m4", "visitor", "2026-11-30T23:30:00Z");  // another brand: never in brand A's report

  auto prague = report("/v1/reports/interactions?from=2026-11-30&to=2026-12-01&tz=Europe/Prague&group_by=day");
  EXPECT_EQ(prague["from"], "2026-11-29T23:00:00.000Z");
  EXPECT_EQ(prague["to"], "2026-12-01T23:00:00.000Z") << "a date as `to` includes that whole local day";
  EXPECT_EQ(prague["group_by"], "day");
  EXPECT_EQ(prague["rows"], json::parse(R"([
    {"group": "2026-11-30", "group_name": "2026-11-30", "channel": "chat", "direction": "inbound", "count": 1},
    {"group": "2026-12-01", "group_name": "2026-12-01", "channel": "chat", "direction": "inbound", "count": 1},
    {"group": "2026-12-01", "group_name": "2026-12-01", "channel": "chat", "direction": "outbound", "count": 1}])"));
  EXPECT_EQ(prague["total"]["count"], 3);

  auto utc = report("/v1/reports/interactions?from=2026-11-30&to=2026-12-01&group_by=day");
  ASSERT_GE(utc["rows"].size(), 1u);
  EXPECT_EQ(utc["rows"][0]["group"], "2026-11-30");
  EXPECT_EQ(utc["rows"][0]["count"], 2) << "in UTC both evening chats are on 30 November";

  // Email, a reply and a note today; the note is never an interaction.
  auto e1 = email("jana@example.cz", "Parcel");
  reply(e1["ticket_id"]);
  auto note = req("POST", "/v1/tickets/" + e1["ticket_id"].get<std::string>() + "/notes", session,
                  R"({"body_text": "internal only"})");
  ASSERT_EQ(note.status, 201) << note.body;
  auto all = report("/v1/reports/interactions?from=2026-11-01T00:00:00Z&to=2026-12-31T00:00:00Z");
  EXPECT_EQ(sum(all["rows"], "count"), all["total"]["count"].get<long long>());
  EXPECT_EQ(std::to_string(all["total"]["count"].get<long long>()),
            db->scalar("SELECT count(*) FROM messages WHERE brand_id = '" + brand_a.id +
                       "' AND occurred_at >= '2026-11-01' AND occurred_at < '2026-12-31' AND direction <> 'internal' "
                       "AND channel <> 'note' AND NOT automatic"));
  EXPECT_EQ(all["total"]["count"], 5);
  EXPECT_EQ(all["total"]["by_channel"]["email"], 2);
  EXPECT_EQ(all["rows"][0]["group"], brand_a.id);
  EXPECT_EQ(all["rows"][0]["group_name"], brand_a.name);

  // The billing export: one line per counted message, behind the same total.
  auto csv = req("GET", "/v1/reports/interactions?from=2026-11-01T00:00:00Z&to=2026-12-31T00:00:00Z&format=csv&detail=true",
                 manager);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.headers["content-type"], "text/csv; charset=utf-8");
  const auto lines = std::count(csv.body.begin(), csv.body.end(), '\n');
  EXPECT_EQ(lines, 1 + 5) << csv.body;
  EXPECT_EQ(csv.body.rfind("brand_id,brand,ticket_id,ticket_number,message_id,channel,direction,agent_id,", 0), 0u);
  EXPECT_NE(csv.body.find(e1["message_id"].get<std::string>()), std::string::npos);

  auto as_csv = http_request(port(), "GET", "/v1/reports/interactions?from=2026-11-30&to=2026-12-01&tz=Europe/Prague&group_by=day",
                             "", {{"Authorization", "Bearer " + manager}, {"Accept", "text/csv"}});
  ASSERT_EQ(as_csv.status, 200) << as_csv.body;
  EXPECT_EQ(as_csv.body,
            "group,group_name,channel,direction,count\r\n2026-11-30,2026-11-30,chat,inbound,1\r\n"
            "2026-12-01,2026-12-01,chat,inbound,1\r\n2026-12-01,2026-12-01,chat,outbound,1\r\n");
}

TEST_F(reports_e2e, SlaClocksAreMetBreachedOrRunningAndAddUpToTheClocksStarted) {
  std::vector<std::string> policies;
  auto policy = [&](json body) {
    body["brand_id"] = brand_a.id;
    auto r = req("POST", "/v1/sla-policies", manager, body.dump());
    ASSERT_EQ(r.status, 201) << r.body;
    policies.push_back(r.json()["id"]);
  };
  policy({{"name", "Chat"}, {"position", 1}, {"conditions", {{"channel", "chat"}}},
          {"targets", {{{"target", "first_response"}, {"seconds", 1}}}}});
  policy({{"name", "Email"}, {"position", 2},
          {"targets", {{{"target", "first_response"}, {"seconds", 3600}}, {{"target", "resolution"}, {"seconds", 7200}}}}});
  const auto before_any = format_rfc3339(now_utc());
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto answered = email("jana@example.cz", "Parcel");
  email("petr@example.cz", "Refund");  // left waiting
  auto late = chat(brand_a.id, "s9", "c1", "visitor", format_rfc3339(now_utc()));
  ASSERT_EQ(req("POST", "/v1/tickets/" + answered["ticket_id"].get<std::string>() + "/claim", session).status, 200);
  wait_sla_events("started", 5);
  reply(answered["ticket_id"]);
  wait_sla_events("breached", 1);  // the chat's 1 s went by
  ASSERT_EQ(req("POST", "/v1/tickets/" + late["ticket_id"].get<std::string>() + "/replies", session,
                R"({"body_text": "Sorry for the wait", "channel": "chat"})").status, 201);
  wait_sla_events("met", 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the worker has seen everything

  auto r = report("/v1/reports/sla");
  ASSERT_EQ(r["rows"].size(), 2u) << r.dump(2);
  const auto log = db->scalar("SELECT string_agg(ticket_id || ' ' || target || ':' || cycle || ':' || kind, E'\\n' ORDER BY id) "
                              "FROM sla_events WHERE target IS NOT NULL");
  for (const auto& row : r["rows"]) {
    EXPECT_EQ(row["met"].get<long long>() + row["breached"].get<long long>() + row["running"].get<long long>(),
              row["started"].get<long long>()) << row.dump();
    EXPECT_EQ(row["group"], brand_a.id);
  }
  const auto& first = r["rows"][0];
  EXPECT_EQ(first["target"], "first_response");
  EXPECT_EQ(first["started"], 3);
  EXPECT_EQ(first["met"], 1);
  EXPECT_EQ(first["breached"], 1) << "met late is a breach";
  EXPECT_EQ(first["running"], 1);
  EXPECT_EQ(first["compliance"], 50.0);
  EXPECT_EQ(r["rows"][1]["target"], "resolution");
  EXPECT_EQ(r["rows"][1]["started"], 2);
  EXPECT_EQ(r["total"]["started"], 5) << log;
  EXPECT_EQ(std::to_string(r["total"]["started"].get<long long>() + r["total"]["cancelled"].get<long long>()),
            db->scalar("SELECT count(*) FROM (SELECT DISTINCT ticket_id, target, cycle FROM sla_events WHERE kind = "
                       "'started' AND brand_id = '" + brand_a.id + "') c"));

  // By agent: the one who held the ticket when its clock was decided.
  auto by_agent = report("/v1/reports/sla?group_by=agent");
  bool found = false;
  for (const auto& row : by_agent["rows"])
    if (row["group"] == agent_a.id && row["target"] == "first_response") {
      found = true;
      EXPECT_EQ(row["met"], 1);
      EXPECT_EQ(row["group_name"], agent_a.name);
    }
  EXPECT_TRUE(found) << by_agent.dump(2);
  EXPECT_EQ(sum(by_agent["rows"], "started"), r["total"]["started"].get<long long>()) << "groups add up to the total";
  auto by_channel = report("/v1/reports/sla?group_by=channel");
  EXPECT_EQ(sum(by_channel["rows"], "met") + sum(by_channel["rows"], "breached"), 2);

  auto times = report("/v1/reports/response-times");
  const auto& fr = times["total"]["first_response"];
  EXPECT_EQ(fr["count"], 2);
  EXPECT_GE(fr["calendar"]["median"].get<double>(), 0.0);
  EXPECT_LE(fr["business"]["avg"].get<double>(), fr["calendar"]["avg"].get<double>() + 1.0);
  EXPECT_EQ(times["rows"][0]["metric"], "first_response");

  EXPECT_EQ(report("/v1/reports/sla?to=" + before_any)["total"]["started"], 0)
      << "clocks started after the period's end are not in it";
  // Removing the policies ends the running clocks; the period before that is
  // read as it was.
  const auto to = format_rfc3339(now_utc());
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  for (const auto& id : policies) ASSERT_EQ(req("DELETE", "/v1/sla-policies/" + id, manager).status, 204);
  wait_sla_events("cancelled", 3);
  auto then = report("/v1/reports/sla?to=" + to);
  EXPECT_EQ(then["total"], r["total"]) << "the chat's clocks under the second policy were logged after `to`";
  auto now = report("/v1/reports/sla");
  EXPECT_EQ(now["total"]["started"], 2);
  EXPECT_EQ(now["total"]["running"], 0);
  EXPECT_GE(now["total"]["cancelled"], 3);
  EXPECT_EQ(now["total"]["compliance"], 50.0);
}

TEST_F(reports_e2e, BadParametersAreRejectedWithPointers) {
  auto problem = [&](const std::string& path, const std::string& pointer, const std::string& token = "") {
    auto r = req("GET", path, token.empty() ? manager : token);
    EXPECT_EQ(r.status, 422) << path << ": " << r.body;
    EXPECT_EQ(r.headers["content-type"], "application/problem+json");
    EXPECT_EQ(r.json()["errors"][0]["pointer"], pointer) << r.body;
    return r.json();
  };
  problem("/v1/reports/sla?group_by=weather", "/query/group_by");
  problem("/v1/reports/sla?from=2026-12-01&to=2026-11-01", "/query/from");
  problem("/v1/reports/volume?from=2025-01-01&to=2026-06-01", "/query/to");
  problem("/v1/reports/calls?tz=Mars/Olympus", "/query/tz");
  problem("/v1/reports/volume?queue=" + brand_a.id, "/query/queue");
  problem("/v1/reports/interactions?from=yesterday", "/query/from");
  problem("/v1/reports/sla?brand=" + brand_b.slug, "/query/brand") ;  // outside the manager's brands
  problem("/v1/reports/sla?colour=red", "/query/colour");
  problem("/v1/reports/interactions?detail=true", "/query/detail");
  problem("/v1/stats/live?colour=red", "/query/colour");
  EXPECT_EQ(req("GET", "/v1/reports/sla", agent).status, 403);
  EXPECT_EQ(req("GET", "/v1/stats/live", integration).status, 403);
  EXPECT_EQ(req("GET", "/v1/reports/sla?brand=" + brand_b.slug, admin).status, 200);
}

TEST_F(reports_e2e, VolumeReplaysCreatedSolvedReopenedAndTheBacklog) {
  auto a = email("jana@example.cz", "Parcel", {{"message_id", "<v1@example.cz>"}});
  email("petr@example.cz", "Refund");
  email("eva@example.cz", "Invoice");
  const std::string id = a["ticket_id"];
  auto t = req("GET", "/v1/tickets/" + id, manager).json();
  auto solved = req("PATCH", "/v1/tickets/" + id, manager, json({{"status", "solved"}, {"version", t["version"]}}).dump());
  ASSERT_EQ(solved.status, 200) << solved.body;
  email("jana@example.cz", "Re: Parcel", {{"in_reply_to", "<v1@example.cz>"}});  // reopens it

  const auto today = format_rfc3339(now_utc()).substr(0, 10);
  auto v = report("/v1/reports/volume?from=" + today + "&to=" + today);
  ASSERT_EQ(v["rows"].size(), 1u) << v.dump(2);
  EXPECT_EQ(v["rows"][0]["day"], today);
  EXPECT_EQ(v["rows"][0]["created"], 3);
  EXPECT_EQ(v["rows"][0]["solved"], 1);
  EXPECT_EQ(v["rows"][0]["reopened"], 1);
  EXPECT_EQ(v["total"]["backlog_start"], 0);
  EXPECT_EQ(v["total"]["backlog_end"], 3);
  EXPECT_EQ(std::to_string(v["total"]["backlog_end"].get<long long>()),
            db->scalar("SELECT count(*) FROM tickets WHERE brand_id = '" + brand_a.id + "' AND status NOT IN ('solved', 'closed')"));
  EXPECT_EQ(v["total"]["inbound"], 4);
  long long grid = 0;
  for (const auto& cell : v["grid"]) {
    EXPECT_EQ(cell["channel"], "email");
    grid += cell["count"].get<long long>();
  }
  EXPECT_EQ(grid, 4);

  // A past week: nothing happened, and the backlog then was empty.
  auto past = report("/v1/reports/volume?from=2026-11-01&to=2026-11-07");
  EXPECT_EQ(past["rows"].size(), 7u);
  EXPECT_EQ(past["total"]["created"], 0);
  EXPECT_EQ(past["total"]["backlog_end"], 0);
  auto monthly = report("/v1/reports/volume?from=2026-10-01&to=2026-12-31&group_by=month");
  EXPECT_EQ(monthly["rows"].size(), 3u);
  EXPECT_EQ(monthly["total"]["created"], 3);
}

// The hourly counts answer whole hours in whole-hour zones; the logs answer
// the rest. Either way, and before and after a fold, the figures are the
// messages' and the ticket log's own.
TEST_F(reports_e2e, HourlyCountsAgreeWithTheLogsInEveryZoneAndPeriod) {
  for (const auto& [id, at] : std::vector<std::pair<std::string, std::string>>{
           {"h1", "2026-11-20T09:05:00Z"}, {"h2", "2026-11-20T09:59:59Z"}, {"h3", "2026-11-20T10:00:00Z"},
           {"h4", "2026-11-20T10:35:00Z"}, {"h5", "2026-11-20T13:59:00Z"}, {"h6", "2026-11-20T18:40:00Z"},
           {"h7", "2026-11-21T00:10:00Z"}})
    chat(brand_a.id, "hs-" + id, id, "visitor", at);
  chat(brand_a.id, "hs-h4", "h4r", "agent", "2026-11-20T10:40:00Z");
  // The answered event comes first; the ringing one moves the call to the hour before.
  phone("hk", "answered", "2026-11-20T11:02:00Z", {{"wait_seconds", 30}});
  phone("hk", "ringing", "2026-11-20T10:58:00Z");
  const auto e = email("hana@example.cz", "Hours");
  reply(e["ticket_id"]);

  const std::string brand = "m.brand_id = '" + brand_a.id + "'";
  const std::string counted = brand + " AND m.direction <> 'internal' AND m.channel <> 'note' AND NOT m.automatic";
  auto by_group = [](const json& rows) {
    std::map<std::string, long long> out;
    for (const auto& r : rows) out[r["group"].is_null() ? "" : r["group"].get<std::string>()] += r["count"].get<long long>();
    return out;
  };
  auto truth_by_day = [&](const json& rep, const std::string& tz) {
    std::map<std::string, long long> out;
    const auto text = db->scalar("SELECT string_agg(d || '=' || n, ',') FROM (SELECT to_char(m.occurred_at AT TIME ZONE '" +
                                 tz + "', 'YYYY-MM-DD') AS d, count(*) AS n FROM messages m WHERE " + counted +
                                 " AND m.occurred_at >= '" + rep["from"].get<std::string>() + "' AND m.occurred_at < '" +
                                 rep["to"].get<std::string>() + "' GROUP BY 1) x");
    std::stringstream in(text);
    for (std::string kv; std::getline(in, kv, ',');) out[kv.substr(0, kv.find('='))] = std::stoll(kv.substr(kv.find('=') + 1));
    return out;
  };
  const std::vector<std::pair<std::string, std::string>> periods = {
      {"from=2026-11-20T09:30:00Z&to=2026-11-20T13:59:30Z", "UTC"},  // off the hour at both ends
      {"from=2026-11-20T10:10:00Z&to=2026-11-20T10:50:00Z", "UTC"},  // inside one hour
      {"from=2026-11-19&to=2026-11-21", "Europe/Prague"},
      {"from=2026-11-19&to=2026-11-21", "Asia/Kolkata"},              // +5:30: from the logs alone
      {"from=2026-11-19&to=2026-11-21", "America/St_Johns"}};
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& [period, tz] : periods) {
      const auto what = period + " " + tz + (pass ? " after the fold" : " before the fold");
      auto days = report("/v1/reports/interactions?" + period + "&tz=" + tz + "&group_by=day");
      EXPECT_EQ(by_group(days["rows"]), truth_by_day(days, tz)) << what;
      auto brands = report("/v1/reports/interactions?" + period + "&tz=" + tz);
      EXPECT_EQ(brands["total"]["count"], days["total"]["count"]) << what;
      auto agents = report("/v1/reports/interactions?" + period + "&tz=" + tz + "&group_by=agent");
      EXPECT_EQ(std::to_string(by_group(agents["rows"])[agent_a.id]),
                db->scalar("SELECT count(*) FROM messages m WHERE " + counted + " AND m.author_agent_id = '" + agent_a.id +
                           "' AND m.occurred_at >= '" + days["from"].get<std::string>() + "' AND m.occurred_at < '" +
                           days["to"].get<std::string>() + "'"))
          << what;
      // The shift-planning grid, cell by cell.
      auto volume = report("/v1/reports/volume?" + period + "&tz=" + tz);
      std::string cells;
      for (const auto& c : volume["grid"])
        cells += (cells.empty() ? "" : ",") + c["channel"].get<std::string>() + "/" + std::to_string(c["weekday"].get<int>()) +
                 "/" + std::to_string(c["hour"].get<int>()) + "=" + std::to_string(c["count"].get<long long>());
      EXPECT_EQ(cells, db->scalar("SELECT coalesce(string_agg(k, ',' ORDER BY ch, d, h), '') FROM (SELECT m.channel AS ch, "
                                  "extract(isodow FROM m.occurred_at AT TIME ZONE '" + tz + "')::int AS d, extract(hour FROM "
                                  "m.occurred_at AT TIME ZONE '" + tz + "')::int AS h, m.channel || '/' || extract(isodow FROM "
                                  "m.occurred_at AT TIME ZONE '" + tz + "')::int || '/' || extract(hour FROM m.occurred_at AT "
                                  "TIME ZONE '" + tz + "')::int || '=' || count(*) AS k FROM messages m WHERE " + brand +
                                  " AND m.direction = 'inbound' AND NOT m.automatic AND m.channel <> 'note' AND m.occurred_at "
                                  ">= '" + volume["from"].get<std::string>() + "' AND m.occurred_at < '" +
                                  volume["to"].get<std::string>() + "' GROUP BY 1, 2, 3) x"))
          << what;
    }
    // Tickets were created now: a period starting mid-hour and one of whole hours agree with the log.
    const auto now = now_utc();
    const auto since = format_rfc3339(std::chrono::floor<std::chrono::hours>(now) - std::chrono::minutes(90));
    const auto until = format_rfc3339(now + std::chrono::hours(2));
    for (const auto& from : {since, format_rfc3339(std::chrono::floor<std::chrono::hours>(now) - std::chrono::hours(3))}) {
      auto v = report("/v1/reports/volume?from=" + from + "&to=" + until);
      EXPECT_EQ(std::to_string(v["total"]["created"].get<long long>()),
                db->scalar("SELECT count(*) FROM ticket_events WHERE brand_id = '" + brand_a.id +
                           "' AND kind = 'created' AND at >= '" + from + "' AND at < '" + until + "'"))
          << from;
      EXPECT_EQ(v["total"]["backlog_start"], 0) << from;
    }
    if (pass == 0) {
      EXPECT_NE(db->scalar("SELECT count(*) FROM report_counts_delta"), "0") << "nothing folded yet";
      db->exec("SELECT report_counts_fold(1000000)");
      EXPECT_EQ(db->scalar("SELECT count(*) FROM report_counts_delta"), "0");
    }
  }
}

TEST_F(reports_e2e, CallsCountAnsweredMissedAndCallbacks) {
  phone("k1", "ringing", "2026-12-01T09:00:00Z");
  phone("k1", "answered", "2026-12-01T09:00:20Z", {{"wait_seconds", 20}});
  phone("k1", "completed", "2026-12-01T09:05:00Z", {{"duration_seconds", 280}});
  auto missed = phone("k2", "missed", "2026-12-01T10:00:00Z", {{"wait_seconds", 40}});
  phone("k3", "voicemail", "2026-12-01T11:00:00Z", {{"from", "+420777999888"}, {"wait_seconds", 30}});
  const std::string ticket = missed["ticket_id"];
  auto cb = req("POST", "/v1/tickets/" + ticket + "/callbacks", session, R"({"outcome": "reached"})");
  ASSERT_EQ(cb.status, 201) << cb.body;

  auto r = report("/v1/reports/calls?from=2026-12-01T00:00:00Z&to=2026-12-31T00:00:00Z");
  ASSERT_EQ(r["rows"].size(), 1u) << r.dump(2);
  const auto& t = r["total"];
  EXPECT_EQ(t["offered"], 3);
  EXPECT_EQ(t["answered"], 1);
  EXPECT_EQ(t["missed"], 1);
  EXPECT_EQ(t["voicemail"], 1);
  EXPECT_EQ(t["answer_rate"], 33.33);
  EXPECT_EQ(t["wait_avg_s"], 30.0);
  EXPECT_EQ(t["callbacks_required"], 2);
  EXPECT_EQ(t["callbacks_attempted"], 1) << "the callback answers the missed call on its ticket";
  EXPECT_EQ(t["callbacks_reached"], 1);
  EXPECT_GT(t["time_to_callback_median_s"].get<double>(), 0.0);
  EXPECT_EQ(r["rows"][0]["offered"], 3);
}

TEST_F(reports_e2e, ContactReasonsCompareTagsWithThePreviousPeriod) {
  auto one = email("jana@example.cz", "Refund please", {{"tags", {"refund"}}});
  auto two = email("petr@example.cz", "Broken", {{"tags", {"refund", "damaged"}}});
  const std::string id = two["ticket_id"];
  auto t = req("GET", "/v1/tickets/" + id, manager).json();
  ASSERT_EQ(req("PATCH", "/v1/tickets/" + id, manager, json({{"tags", {"damaged"}}, {"version", t["version"]}}).dump()).status,
            200);
  // Tagged only after it was created: it counts with its tags at the end.
  const std::string three = email("eva@example.cz", "Where is it")["ticket_id"];
  t = req("GET", "/v1/tickets/" + three, manager).json();
  ASSERT_EQ(req("PATCH", "/v1/tickets/" + three, manager, json({{"tags", {"late"}}, {"version", t["version"]}}).dump()).status,
            200);
  // Created with a tag that was then taken off: it counts for none.
  const std::string four = email("adam@example.cz", "Wrong size", {{"tags", {"refund"}}})["ticket_id"];
  t = req("GET", "/v1/tickets/" + four, manager).json();
  ASSERT_EQ(req("PATCH", "/v1/tickets/" + four, manager, json({{"tags", json::array()}, {"version", t["version"]}}).dump()).status,
            200);
  // Forty days ago, one ticket about a refund: the previous 30-day period.
  db->exec("INSERT INTO ticket_events (ticket_id, brand_id, kind, actor, data, at) VALUES ('" +
           one["ticket_id"].get<std::string>() + "', '" + brand_a.id +
           "', 'created', 'test', '{\"tags\": [\"refund\"]}', now() - interval '40 days')");
  // Retagged within that period: it counts there as "late", and the change
  // does not reach the ticket's creation in the current period.
  db->exec("INSERT INTO ticket_events (ticket_id, brand_id, kind, actor, data, at) VALUES ('" +
           one["ticket_id"].get<std::string>() + "', '" + brand_a.id +
           "', 'tags_changed', 'test', '{\"from\": [\"refund\"], \"to\": [\"late\"]}', now() - interval '35 days')");
  auto r = report("/v1/reports/contact-reasons");
  json expect = json::parse(R"([
    {"tag": "damaged", "count": 1, "previous": 0, "change": 1, "change_pct": null},
    {"tag": "late", "count": 1, "previous": 1, "change": 0, "change_pct": 0.0},
    {"tag": "refund", "count": 1, "previous": 0, "change": 1, "change_pct": null}])");
  ASSERT_EQ(r["rows"].size(), 3u) << r.dump(2);
  for (std::size_t i = 0; i < 3; ++i) {
    for (const auto& [k, v] : expect[i].items()) EXPECT_EQ(r["rows"][i][k], v) << k << " in " << r["rows"][i].dump();
    EXPECT_EQ(r["rows"][i]["group"], brand_a.id);
  }
  EXPECT_EQ(r["total"]["count"], 3);
  EXPECT_EQ(r["total"]["previous"], 1);
}

TEST_F(reports_e2e, AgentsShowRepliesComplianceAndPresence) {
  ASSERT_EQ(req("PUT", "/v1/agents/me/presence", session, R"({"status": "online"})").status, 200);
  auto a = email("jana@example.cz", "Parcel");
  reply(a["ticket_id"]);
  reply(a["ticket_id"], "And one more thing.");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_EQ(req("PUT", "/v1/agents/me/presence", session, R"({"status": "away"})").status, 200);
  auto r = report("/v1/reports/agents");
  json mine;
  for (const auto& row : r["rows"])
    if (row["agent_id"] == agent_a.id) mine = row;
  ASSERT_FALSE(mine.is_null()) << r.dump(2);
  EXPECT_EQ(mine["replies"], 2);
  EXPECT_EQ(mine["tickets_handled"], 1);
  EXPECT_GE(mine["online_s"].get<double>(), 1.0);
  EXPECT_GE(mine["away_s"].get<double>(), 0.0);
  EXPECT_EQ(r["total"]["replies"], 2);
  for (const auto& row : r["rows"]) EXPECT_NE(row["agent_id"], agent_b.id) << "agent B works for brand B only";
}

TEST_F(reports_e2e, LiveStatsShowWaitingWorkPresenceAndCallbacks) {
  ASSERT_EQ(req("PUT", "/v1/agents/me/presence", session, R"({"status": "online"})").status, 200);
  email("jana@example.cz", "Parcel");
  email("petr@example.cz", "Refund");
  phone("k9", "missed", "2026-12-01T10:00:00Z");
  auto r = report("/v1/stats/live");
  ASSERT_EQ(r["brands"].size(), 1u) << r.dump(2);
  const auto& b = r["brands"][0];
  EXPECT_EQ(b["brand_id"], brand_a.id);
  EXPECT_EQ(b["agents"]["online"], 1);
  EXPECT_EQ(b["waiting"], 3);
  EXPECT_EQ(b["callbacks_open"], 1);
  EXPECT_FALSE(b["oldest_waiting_at"].is_null());
  EXPECT_EQ(r["total"]["waiting"], 3);
  EXPECT_GE(r["queues"].size(), 2u) << "every brand has a default and a callback queue";
  auto all = report("/v1/stats/live", admin);
  EXPECT_EQ(all["brands"].size(), 2u);
}

TEST_F(reports_e2e, LiveStatsAreComputedOncePerScopeForAMoment) {
  email("jana@example.cz", "Parcel");
  auto first = report("/v1/stats/live");
  ASSERT_EQ(first["total"]["waiting"], 1) << first.dump(2);
  email("petr@example.cz", "Refund");
  auto again = report("/v1/stats/live");
  EXPECT_EQ(again["at"], first["at"]) << "served from the computation of a moment ago";
  EXPECT_EQ(again["total"]["waiting"], 1);
  auto other_scope = report("/v1/stats/live", admin);
  EXPECT_EQ(other_scope["total"]["waiting"], 2) << "another scope of brands is computed for itself";
  std::this_thread::sleep_for(std::chrono::milliseconds(450));
  auto later = report("/v1/stats/live");
  EXPECT_NE(later["at"], first["at"]);
  EXPECT_EQ(later["total"]["waiting"], 2);
}

}  // namespace
}  // namespace helpdesk::testing
