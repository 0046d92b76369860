// Ingest over real HTTP into a real PostgreSQL: threading, identity,
// exactly-once delivery and bad input that stores nothing.
#include <atomic>
#include <thread>

#include "fixture.hpp"

namespace helpdesk::testing {
namespace {

using nlohmann::json;

class ingest : public e2e {
 protected:
  void SetUp() override {
    e2e::SetUp();
    auto patched = req("PATCH", "/v1/brands/" + brand_a.id, admin,
                       R"({"default_phone_region": "CZ", "inbound_addresses": ["podpora@shop-a.example"]})");
    ASSERT_EQ(patched.status, 200) << patched.body;
  }

  http_result post(const std::string& path, const std::string& body, const std::string& type = "application/json",
                   std::map<std::string, std::string> extra = {}) {
    extra["Authorization"] = "Bearer " + integration;
    extra["Content-Type"] = type;
    return http_request(port(), "POST", path, body, extra);
  }
  json email(const json& doc, int expected = 201) {
    auto r = post("/v1/inbound/email", doc.dump());
    EXPECT_EQ(r.status, expected) << r.body;
    return r.json();
  }
  json call_event(const std::string& call_id, const std::string& event, const std::string& from,
                  const std::string& at, int expected = 201) {
    json doc = {{"call_id", call_id}, {"event", event}, {"direction", "inbound"}, {"from", from},
                {"to", "+420222333444"}, {"at", at}};
    auto r = post("/v1/inbound/calls", doc.dump());
    EXPECT_EQ(r.status, expected) << r.body;
    return r.json();
  }
  json get(const std::string& path) {
    auto r = req("GET", path, agent);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.json();
  }
  std::size_t ticket_count() { return get("/v1/tickets?limit=200")["items"].size(); }
};

json first_mail() {
  return {{"from", "Jan Novák <Jan.Novak@Example.cz>"},
          {"to", {"podpora@shop-a.example"}},
          {"subject", "Where is my order?"},
          {"text", "Hello, order 1234 has not arrived."},
          {"message_id", "<m1@example.cz>"}};
}

TEST_F(ingest, an_email_creates_customer_ticket_and_message_and_replays_once) {
  auto r = email(first_mail());
  EXPECT_EQ(r["ticket_number"], "BRANDA-1000");
  auto again = post("/v1/inbound/email", first_mail().dump());
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(again.json(), r);

  auto ticket = get("/v1/tickets/" + r["ticket_id"].get<std::string>());
  EXPECT_EQ(ticket["subject"], "Where is my order?");
  EXPECT_EQ(ticket["status"], "new");
  EXPECT_EQ(ticket["origin_channel"], "email");
  EXPECT_FALSE(ticket["customer_waiting_since"].is_null());
  auto messages = get("/v1/tickets/" + r["ticket_id"].get<std::string>() + "/messages")["items"];
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0]["text"], "Hello, order 1234 has not arrived.");
  EXPECT_EQ(messages[0]["email"]["message_id"], "m1@example.cz");
  auto card = get("/v1/customers/" + r["customer_id"].get<std::string>());
  EXPECT_EQ(card["name"], "Jan Novák");
  EXPECT_EQ(card["identities"], json::array({{{"kind", "email"}, {"value", "jan.novak@example.cz"}}}));
}

TEST_F(ingest, a_reply_with_only_in_reply_to_threads) {
  auto r = email(first_mail());
  auto reply = email({{"from", "jan.novak@example.cz"}, {"to", {"podpora@shop-a.example"}}, {"subject", "one more thing"},
                      {"text", "thanks"}, {"message_id", "m2@example.cz"}, {"in_reply_to", "<m1@example.cz>"}});
  EXPECT_EQ(reply["ticket_id"], r["ticket_id"]);
  EXPECT_EQ(ticket_count(), 1u);
}

TEST_F(ingest, a_reply_with_only_the_subject_token_threads) {
  auto r = email(first_mail());
  auto reply = email({{"from", "jan.novak@example.cz"}, {"to", {"podpora@shop-a.example"}},
                      {"subject", "Re: [BRANDA-1000] Where is my order?"}, {"text", "any news?"},
                      {"message_id", "m3@example.cz"}});
  EXPECT_EQ(reply["ticket_id"], r["ticket_id"]);
  EXPECT_EQ(reply["ticket_number"], "BRANDA-1000");
}

TEST_F(ingest, a_forward_from_another_sender_does_not_thread_by_subject) {
  auto r = email(first_mail());
  auto same_subject = email({{"from", "eva@example.org"}, {"to", {"podpora@shop-a.example"}},
                             {"subject", "Where is my order?"}, {"text", "me too"}, {"message_id", "e1@example.org"}});
  EXPECT_NE(same_subject["ticket_id"], r["ticket_id"]);
  auto forward = email({{"from", "eva@example.org"}, {"to", {"podpora@shop-a.example"}},
                        {"subject", "Fwd: [BRANDA-1000] Where is my order?"}, {"text", "see below"},
                        {"message_id", "e2@example.org"}});
  EXPECT_NE(forward["ticket_id"], r["ticket_id"]);
  EXPECT_EQ(ticket_count(), 3u);
}

TEST_F(ingest, a_reply_reopens_a_solved_ticket_but_an_auto_reply_does_not) {
  auto r = email(first_mail());
  const std::string id = r["ticket_id"];
  db->exec("UPDATE tickets SET status = 'solved', solved_at = now(), customer_waiting_since = NULL WHERE id = '" + id + "'");
  auto vacation = email({{"from", "jan.novak@example.cz"}, {"to", {"podpora@shop-a.example"}},
                         {"subject", "Out of office"}, {"text", "away"}, {"message_id", "auto1@example.cz"},
                         {"in_reply_to", "m1@example.cz"}, {"headers", {{"Auto-Submitted", "auto-replied"}}}});
  EXPECT_EQ(vacation["ticket_id"], id);
  auto t = get("/v1/tickets/" + id);
  EXPECT_EQ(t["status"], "solved");
  EXPECT_TRUE(t["customer_waiting_since"].is_null());
  auto msgs = get("/v1/tickets/" + id + "/messages")["items"];
  EXPECT_EQ(msgs[1]["automatic"], true);
  EXPECT_EQ(msgs[1]["automatic_reason"], "Auto-Submitted: auto-replied");

  email({{"from", "jan.novak@example.cz"}, {"to", {"podpora@shop-a.example"}}, {"subject", "Re: Where is my order?"},
         {"text", "still nothing"}, {"message_id", "m4@example.cz"}, {"references", "<m1@example.cz>"}});
  EXPECT_EQ(get("/v1/tickets/" + id)["status"], "open");
}

TEST_F(ingest, a_reply_to_a_closed_ticket_opens_a_linked_one) {
  auto r = email(first_mail());
  const std::string id = r["ticket_id"];
  db->exec("UPDATE tickets SET status = 'closed', closed_at = now() WHERE id = '" + id + "'");
  auto reply = email({{"from", "jan.novak@example.cz"}, {"to", {"podpora@shop-a.example"}}, {"subject", "Re: order"},
                      {"text", "again"}, {"message_id", "m5@example.cz"}, {"in_reply_to", "<m1@example.cz>"}});
  EXPECT_NE(reply["ticket_id"], id);
  EXPECT_EQ(get("/v1/tickets/" + reply["ticket_id"].get<std::string>())["linked_ticket_id"], id);
  EXPECT_EQ(reply["customer_id"], r["customer_id"]);
}

TEST_F(ingest, concurrent_duplicate_deliveries_store_one_message) {
  std::atomic<int> created{0}, replayed{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      auto r = post("/v1/inbound/email", first_mail().dump());
      (r.status == 201 ? created : r.status == 200 ? replayed : other)++;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(replayed.load(), 7);
  EXPECT_EQ(other.load(), 0);
  auto tickets = get("/v1/tickets")["items"];
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(get("/v1/tickets/" + tickets[0]["id"].get<std::string>() + "/messages")["items"].size(), 1u);
}

TEST_F(ingest, an_idempotency_key_with_a_different_body_is_refused) {
  auto a = post("/v1/inbound/chat",
                R"({"session_id": "s1", "message_id": "c1", "sender": "visitor", "visitor": {"handle": "v-1"},
                    "text": "hi", "at": "2026-11-23T10:00:00Z"})",
                "application/json", {{"Idempotency-Key", "k-1"}});
  ASSERT_EQ(a.status, 201) << a.body;
  auto b = post("/v1/inbound/chat",
                R"({"session_id": "s1", "message_id": "c2", "sender": "visitor", "visitor": {"handle": "v-1"},
                    "text": "different", "at": "2026-11-23T10:00:01Z"})",
                "application/json", {{"Idempotency-Key", "k-1"}});
  EXPECT_EQ(b.status, 422) << b.body;
  EXPECT_NE(b.body.find("Idempotency-Key"), std::string::npos) << b.body;
  EXPECT_EQ(get("/v1/tickets/" + a.json()["ticket_id"].get<std::string>() + "/messages")["items"].size(), 1u);
}

TEST_F(ingest, bad_input_is_a_precise_problem_and_stores_nothing) {
  auto garbage = post("/v1/inbound/email", std::string("\x01\x02\x03 not a message", 18), "message/rfc822");
  EXPECT_EQ(garbage.status, 400) << garbage.body;
  EXPECT_EQ(garbage.header("content-type"), "application/problem+json");
  auto no_from = post("/v1/inbound/email", "To: podpora@shop-a.example\r\nSubject: hi\r\n\r\nbody\r\n", "message/rfc822");
  EXPECT_EQ(no_from.status, 422) << no_from.body;
  EXPECT_EQ(no_from.json()["errors"][0]["pointer"], "/from");
  auto no_call_id = post("/v1/inbound/calls", R"({"event": "missed", "from": "+420777123456", "at": "2026-11-23T10:00:00Z"})");
  EXPECT_EQ(no_call_id.status, 422);
  EXPECT_EQ(no_call_id.json()["errors"][0]["pointer"], "/call_id");
  auto bad_utf8 = post("/v1/inbound/chat", "{\"session_id\": \"s\xff\", \"at\": \"2026-11-23T10:00:00Z\"}");
  EXPECT_EQ(bad_utf8.status, 400) << bad_utf8.body;
  auto unknown_brand = post("/v1/inbound/email?brand=nope", first_mail().dump());
  EXPECT_EQ(unknown_brand.status, 422) << unknown_brand.body;
  auto other_brand = post("/v1/inbound/email?brand=brand-b", first_mail().dump());
  EXPECT_EQ(other_brand.status, 422) << other_brand.body;
  auto bad_b64 = first_mail();
  bad_b64["attachments"] = {{{"filename", "a.pdf"}, {"content_base64", "***"}}};
  auto bad_attachment = post("/v1/inbound/email", bad_b64.dump());
  EXPECT_EQ(bad_attachment.status, 422);
  EXPECT_EQ(bad_attachment.json()["errors"][0]["pointer"], "/attachments/0/content_base64");
  EXPECT_EQ(ticket_count(), 0u);
  EXPECT_EQ(get("/v1/customers")["items"].size(), 0u);
}

TEST_F(ingest, raw_mime_in_a_legacy_charset_with_an_attachment) {
  std::string raw =
      "From: =?ISO-8859-2?Q?Ji=F8=ED_=A9=BBastn=FD?= <jiri@example.cz>\r\n"
      "To: podpora@shop-a.example\r\n"
      "Subject: =?ISO-8859-2?Q?Reklamace_zbo=BE=ED?=\r\n"
      "Message-ID: <raw1@example.cz>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
      "--b1\r\nContent-Type: text/plain; charset=ISO-8859-2\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
      "P=F8=EDli=B9 =BEluou=E8k=FD k=F9=F2\r\n"
      "--b1\r\nContent-Type: application/pdf; name=\"faktura.pdf\"\r\nContent-Disposition: attachment; "
      "filename=\"faktura.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcOkw7zDtsOf\r\n--b1--\r\n";
  auto r = post("/v1/inbound/email", raw, "message/rfc822");
  ASSERT_EQ(r.status, 201) << r.body;
  auto msgs = get("/v1/tickets/" + r.json()["ticket_id"].get<std::string>() + "/messages")["items"];
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0]["subject"], "Reklamace zboží");
  EXPECT_EQ(msgs[0]["text"], "Příliš žluoučký kůň");
  EXPECT_EQ(msgs[0]["sender"], "Jiří Šťastný <jiri@example.cz>");
  ASSERT_EQ(msgs[0]["attachments"].size(), 1u);
  auto att = msgs[0]["attachments"][0];
  EXPECT_EQ(att["filename"], "faktura.pdf");
  EXPECT_EQ(att["size"], 18);
  auto file = req("GET", att["url"].get<std::string>(), agent);
  EXPECT_EQ(file.status, 200);
  EXPECT_EQ(file.header("content-type"), "application/pdf");
  EXPECT_EQ(file.body, std::string("%PDF-1.4\n%\xc3\xa4\xc3\xbc\xc3\xb6\xc3\x9f"));
  EXPECT_EQ(req("GET", att["url"].get<std::string>(), admin_a).status, 200);
}

TEST_F(ingest, call_events_out_of_order_and_a_missed_call_asks_for_a_callback) {
  auto done = call_event("CA1", "completed", "777 123 456", "2026-11-23T10:01:00Z");
  auto ring = call_event("CA1", "ringing", "+420 777 123 456", "2026-11-23T10:00:00Z");
  EXPECT_EQ(ring["message_id"], done["message_id"]);
  auto msgs = get("/v1/tickets/" + done["ticket_id"].get<std::string>() + "/messages")["items"];
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0]["call"]["outcome"], "missed");  // completed without an answer
  EXPECT_EQ(msgs[0]["call"]["started_at"], "2026-11-23T10:00:00.000Z");
  auto t = get("/v1/tickets/" + done["ticket_id"].get<std::string>());
  EXPECT_EQ(t["callback_required"], true);
  EXPECT_EQ(t["origin_channel"], "phone");
  // A second missed call from the same number joins the callback ticket.
  auto again = call_event("CA2", "missed", "00420777123456", "2026-11-23T11:00:00Z");
  EXPECT_EQ(again["ticket_id"], done["ticket_id"]);
  EXPECT_EQ(again["customer_id"], done["customer_id"]);
  auto card = get("/v1/customers/" + done["customer_id"].get<std::string>());
  EXPECT_EQ(card["identities"], json::array({{{"kind", "phone"}, {"value", "+420777123456"}}}));
  EXPECT_EQ(card["channels"]["phone"]["interactions"], 2);
}

TEST_F(ingest, call_miss_email_chat_become_one_card_with_three_channels) {
  auto call = call_event("CA9", "missed", "777 123 456", "2026-11-23T09:00:00Z");
  auto mail = email(first_mail());
  EXPECT_NE(mail["customer_id"], call["customer_id"]);  // nothing yet says they are one person
  auto chat = post("/v1/inbound/chat",
                   R"({"session_id": "S-1", "message_id": "cm1", "sender": "visitor", "text": "Hi, I called and wrote",
                       "at": "2026-11-23T12:00:00Z", "visitor": {"name": "Jan", "handle": "jan-web",
                       "email": "JAN.NOVAK@example.cz", "phone": "+420 777 123 456"}})");
  ASSERT_EQ(chat.status, 201) << chat.body;
  EXPECT_EQ(chat.json()["customer_id"], mail["customer_id"]);  // the first identity decides
  const std::string jan = mail["customer_id"];
  auto card = get("/v1/customers/" + jan);
  ASSERT_EQ(card["merge_suggestions"].size(), 1u);
  EXPECT_EQ(card["merge_suggestions"][0]["customer_id"], call["customer_id"]);

  auto merged = req("POST", "/v1/customers/" + jan + "/merge", agent,
                    json{{"customer_id", call["customer_id"]}}.dump());
  ASSERT_EQ(merged.status, 200) << merged.body;
  EXPECT_EQ(merged.json()["merged"]["tickets"], 1);
  card = get("/v1/customers/" + jan);
  EXPECT_EQ(card["channels"].size(), 3u);
  EXPECT_EQ(card["channels"]["phone"]["interactions"], 1);
  EXPECT_EQ(card["channels"]["email"]["interactions"], 1);
  EXPECT_EQ(card["channels"]["chat"]["interactions"], 1);
  EXPECT_EQ(card["open_tickets"].size(), 3u);
  EXPECT_EQ(card["merge_suggestions"].size(), 0u);
  auto timeline = get("/v1/customers/" + jan + "/timeline?limit=2");
  ASSERT_EQ(timeline["items"].size(), 2u);
  auto rest = get("/v1/customers/" + jan + "/timeline?limit=2&cursor=" + timeline["next_cursor"].get<std::string>());
  ASSERT_EQ(rest["items"].size(), 1u);
  EXPECT_TRUE(rest["next_cursor"].is_null());
  // Newest first across both pages; the call (09:00) is the oldest.
  EXPECT_GE(timeline["items"][0]["occurred_at"], timeline["items"][1]["occurred_at"]);
  EXPECT_GE(timeline["items"][1]["occurred_at"], rest["items"][0]["occurred_at"]);
  EXPECT_EQ(rest["items"][0]["channel"], "phone");
  EXPECT_EQ(get("/v1/customers/" + call["customer_id"].get<std::string>())["merged_into"], jan);
  // The number finds Jan whatever its spelling.
  auto found = get("/v1/customers?q=777%20123%20456")["items"];
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]["id"], jan);
}

TEST_F(ingest, a_chat_that_reveals_email_and_phone_links_later_mail_without_a_merge) {
  auto call = call_event("CA7", "voicemail", "777 123 456", "2026-11-23T09:00:00Z");
  auto chat = post("/v1/inbound/chat",
                   R"({"session_id": "S-2", "message_id": "m1", "sender": "visitor", "text": "Hi",
                       "at": "2026-11-23T10:00:00Z", "visitor": {"phone": "777123456", "email": "jan.novak@example.cz"}})");
  ASSERT_EQ(chat.status, 201) << chat.body;
  EXPECT_EQ(chat.json()["customer_id"], call["customer_id"]);
  auto mail = email(first_mail());
  EXPECT_EQ(mail["customer_id"], call["customer_id"]);
  auto ended = post("/v1/inbound/chat", R"({"session_id": "S-2", "event": "ended", "at": "2026-11-23T10:05:00Z"})");
  EXPECT_EQ(ended.status, 201) << ended.body;
  EXPECT_EQ(ended.json()["ticket_id"], chat.json()["ticket_id"]);
}

}  // namespace
}  // namespace helpdesk::testing

namespace helpdesk::testing {
namespace {

TEST_F(ingest, a_redelivery_with_other_trace_headers_replays_and_a_new_key_keeps_its_answer) {
  auto first = email(first_mail());
  auto redelivered = first_mail();
  redelivered["headers"] = {{"Received", "from mx2.example.cz by mx.shop-a.example"}};
  auto again = post("/v1/inbound/email", redelivered.dump(), "application/json", {{"Idempotency-Key", "k-9"}});
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json(), first);
  auto retry = post("/v1/inbound/email", redelivered.dump(), "application/json", {{"Idempotency-Key", "k-9"}});
  EXPECT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(retry.header("idempotent-replayed"), "true");
  EXPECT_EQ(retry.json(), first);
  EXPECT_EQ(get("/v1/tickets/" + first["ticket_id"].get<std::string>() + "/messages")["items"].size(), 1u);
}

TEST_F(ingest, a_transferred_call_answered_twice_keeps_both_events_and_its_direction) {
  auto post_call = [&](const json& doc) {
    auto r = post("/v1/inbound/calls", doc.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  };
  json base = {{"call_id", "CA-T"}, {"from", "+420777123456"}, {"to", "+420222333444"}, {"direction", "inbound"}};
  auto a = base;
  a.update({{"event", "answered"}, {"at", "2026-11-23T10:00:05Z"}, {"sequence", 2}, {"agent_id", "agent-1"}});
  auto t = base;
  t.update({{"event", "transferred"}, {"at", "2026-11-23T10:02:00Z"}, {"sequence", 3}});
  auto b = base;
  b.update({{"event", "answered"}, {"at", "2026-11-23T10:02:10Z"}, {"sequence", 4}, {"agent_id", "agent-2"}});
  json done = {{"call_id", "CA-T"}, {"event", "completed"}, {"from", "+420777123456"}, {"at", "2026-11-23T10:05:00Z"},
               {"sequence", 5}, {"duration_seconds", 295}};  // no `to`, no `direction`
  post_call(a);
  post_call(t);
  post_call(b);
  auto last = post_call(done);
  auto msgs = get("/v1/tickets/" + last["ticket_id"].get<std::string>() + "/messages")["items"];
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0]["call"]["to"], "+420222333444");
  EXPECT_EQ(msgs[0]["call"]["direction"], "inbound");
  EXPECT_EQ(msgs[0]["call"]["agent_id"], "agent-2");
  EXPECT_EQ(msgs[0]["call"]["duration_seconds"], 295);
  EXPECT_EQ(msgs[0]["call"]["callback_required"], false);
  EXPECT_EQ(db->scalar("SELECT count(*) FROM call_events"), "4");
}

TEST_F(ingest, fields_that_could_not_be_stored_are_refused_up_front) {
  auto long_id = first_mail();
  long_id["external_ids"] = {std::string(400, 'x')};
  auto r = post("/v1/inbound/email", long_id.dump());
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json()["errors"][0]["pointer"], "/external_ids/0");
  auto bad_type = first_mail();
  bad_type["attachments"] = {{{"filename", "a.txt"}, {"content_type", "text/plain\r\nSet-Cookie: x=1"},
                              {"content_base64", "aGk="}}};
  r = post("/v1/inbound/email", bad_type.dump());
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json()["errors"][0]["pointer"], "/attachments/0/content_type");
  auto nul_header = first_mail();
  nul_header["headers"] = {{"X-Note", std::string("a\0b", 3)}};
  r = post("/v1/inbound/email", nul_header.dump());
  EXPECT_EQ(r.status, 422) << r.body;
  r = post("/v1/inbound/chat", R"({"session_id": "", "message_id": "", "sender": "visitor", "visitor": {"handle": "h"},
                                   "text": "x", "at": "2026-11-23T10:00:00Z"})");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json()["errors"].size(), 2u);
  EXPECT_EQ(ticket_count(), 0u);
}

}  // namespace
}  // namespace helpdesk::testing
