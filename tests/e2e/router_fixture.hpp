#pragma once
// Agents with languages, skills and presence, signed in over the API, and the
// inbound traffic the router works on.
#include <thread>

#include "fixture.hpp"

namespace helpdesk::testing {

using nlohmann::json;

struct signed_in_agent {
  std::string id;
  std::string token;  // a session: claims and pulls need an agent
};

class router_e2e : public e2e {
 protected:
  void SetUp() override {
    e2e::SetUp();
    auto patched = req("PATCH", "/v1/brands/" + brand_a.id, admin,
                       R"({"default_phone_region": "CZ", "default_language": "cs",
                           "inbound_addresses": ["podpora@shop-a.example"]})");
    ASSERT_EQ(patched.status, 200) << patched.body;
  }
  std::vector<std::string> server_args() override { return {"--router-tick-ms=100"}; }

  // brands: [{"brand_id": …, "role": "primary"|"backup"}]
  signed_in_agent add_agent(const std::string& email, json brands, json languages, json skills = json::array(),
                            json capacity = json::object(), const std::string& presence = "online") {
    json body = {{"name", email.substr(0, email.find('@'))},
                 {"email", email},
                 {"role", "agent"},
                 {"password", "correct horse battery"},
                 {"brands", brands},
                 {"languages", languages},
                 {"skills", skills}};
    if (!capacity.empty()) body["capacity"] = capacity;
    auto made = req("POST", "/v1/agents", admin, body.dump());
    EXPECT_EQ(made.status, 201) << made.body;
    signed_in_agent a{made.json().value("id", ""), ""};
    auto login = req("POST", "/v1/auth/login", "",
                     json({{"email", email}, {"password", "correct horse battery"}}).dump());
    EXPECT_EQ(login.status, 200) << login.body;
    a.token = login.json().value("token", "");
    set_presence(a, presence);
    return a;
  }
  void set_presence(const signed_in_agent& a, const std::string& status) {
    auto r = req("PUT", "/v1/agents/me/presence", a.token, json({{"status", status}}).dump());
    EXPECT_EQ(r.status, 200) << r.body;
  }
  json primary(const helpdesk::brand& b) { return json::array({{{"brand_id", b.id}, {"role", "primary"}}}); }
  json backup(const helpdesk::brand& b) { return json::array({{{"brand_id", b.id}, {"role", "backup"}}}); }
  static json speaks(const std::string& code, const std::string& level = "native") {
    return json::array({{{"code", code}, {"level", level}}});
  }

  // Posts an email to brand A; returns the ticket id.
  std::string email(const std::string& from, const std::string& subject, const std::string& text,
                    json extra = json::object()) {
    json body = {{"from", from}, {"to", {"podpora@shop-a.example"}}, {"subject", subject}, {"text", text},
                 {"message_id", "<" + std::to_string(++sent_) + "." + from + ">"}};
    body.update(extra);
    auto r = call(port(), "POST", "/v1/inbound/email", integration, body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("ticket_id", "");
  }
  json ticket(const std::string& id) {
    auto r = req("GET", "/v1/tickets/" + id, admin);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  // Polls until the ticket has an agent (or the time runs out); the agent id.
  std::string wait_for_assignee(const std::string& id, std::chrono::milliseconds limit = std::chrono::seconds(8)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      auto t = ticket(id);
      if (t["assignee_id"].is_string()) return t["assignee_id"];
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "";
  }
  json queue_named(const std::string& name) {
    auto r = req("GET", "/v1/queues?brand_id=" + brand_a.id, admin);
    EXPECT_EQ(r.status, 200) << r.body;
    const json list = r.json();
    for (const auto& q : list["items"])
      if (q["name"] == name) return q;
    ADD_FAILURE() << "no queue " << name;
    return json::object();
  }

  int sent_ = 0;
};

}  // namespace helpdesk::testing
