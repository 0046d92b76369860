// Two server processes on one database, each running the router, while
// agents claim and pull tickets through both: no ticket ever has two agents,
// no agent goes over capacity, no ticket falls out of its queue.
#include <atomic>
#include <random>

#include "router_fixture.hpp"

namespace helpdesk::testing {
namespace {

class router_two_processes : public router_e2e {
 protected:
  std::vector<std::string> server_args() override { return {"--router-tick-ms=20"}; }
};

TEST_F(router_two_processes, ClaimsPullsAndPassesNeverDoubleAssignOrOverfill) {
  server_process second(db->url(), server_args());
  const unsigned short ports[2] = {port(), second.port()};
  constexpr int capacity = 3;
  std::vector<signed_in_agent> agents;
  for (int i = 0; i < 6; ++i)
    agents.push_back(add_agent("a" + std::to_string(i) + "@shop.example", primary(brand_a), speaks("cs"),
                               json::array(), {{"email", capacity}}, i % 2 ? "online" : "away"));

  std::atomic<bool> done{false};
  std::atomic<int> over_capacity{0}, claims_won{0}, pulls_won{0};
  std::vector<std::string> ids(80);
  std::vector<std::thread> threads;
  threads.emplace_back([&] {  // the traffic, through both processes
    for (std::size_t i = 0; i < ids.size(); ++i) {
      json body = {{"from", "c" + std::to_string(i) + "@example.cz"}, {"to", {"podpora@shop-a.example"}},
                   {"subject", "Dotaz " + std::to_string(i)}, {"text", "Dobrý den, kde je moje objednávka?"},
                   {"message_id", "<race-" + std::to_string(i) + "@example.cz>"}};
      auto r = call(ports[i % 2], "POST", "/v1/inbound/email", integration, body.dump());
      EXPECT_EQ(r.status, 201) << r.body;
      ids[i] = r.json().value("ticket_id", "");
    }
  });
  for (std::size_t a = 0; a < agents.size(); ++a)
    threads.emplace_back([&, a] {  // each agent claims and pulls through both processes
      std::mt19937 rng(static_cast<unsigned>(a));
      for (int round = 0; round < 60; ++round) {
        const unsigned short p = ports[rng() % 2];
        const std::string& ticket = ids[rng() % ids.size()];
        if (round % 3 == 0) {
          auto r = call(p, "POST", "/v1/agents/me/next", agents[a].token);
          if (r.status == 200) ++pulls_won;
          else EXPECT_EQ(r.status, 204) << r.body;
        } else if (!ticket.empty()) {
          auto r = call(p, "POST", "/v1/tickets/" + ticket + "/claim", agents[a].token);
          if (r.status == 200) ++claims_won;
          else EXPECT_EQ(r.status, 409) << r.body;
        }
      }
    });
  threads.emplace_back([&] {  // watches every agent's load while it all runs
    while (!done) {
      if (db->scalar("SELECT count(*) FROM (SELECT assignee_id FROM tickets WHERE assignee_id IS NOT NULL "
                     "AND status IN ('new', 'open') GROUP BY 1 HAVING count(*) > " +
                     std::to_string(capacity) + ") x") != "0")
        ++over_capacity;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  for (std::size_t i = 0; i + 1 < threads.size(); ++i) threads[i].join();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the last passes settle
  done = true;
  threads.back().join();

  EXPECT_EQ(over_capacity.load(), 0);
  EXPECT_GT(claims_won.load() + pulls_won.load(), 0) << "the race must have had contestants";
  EXPECT_EQ(db->scalar("SELECT count(*) FROM tickets"), std::to_string(ids.size()));
  // Never two assignments without an unassignment between them.
  EXPECT_EQ(db->scalar("SELECT count(*) FROM (SELECT kind, lag(kind) OVER (PARTITION BY ticket_id ORDER BY id) AS prev "
                       "FROM ticket_events WHERE kind IN ('assigned', 'unassigned')) e "
                       "WHERE kind = 'assigned' AND prev = 'assigned'"),
            "0");
  EXPECT_EQ(db->scalar("SELECT count(*) FROM tickets WHERE assignee_id IS NOT NULL"),
            db->scalar("SELECT count(*) FROM (SELECT DISTINCT ON (ticket_id) kind FROM ticket_events "
                       "WHERE kind IN ('assigned', 'unassigned') ORDER BY ticket_id, id DESC) e WHERE kind = 'assigned'"));
  EXPECT_EQ(db->scalar("SELECT max(n) FROM (SELECT count(*) AS n FROM tickets WHERE assignee_id IS NOT NULL "
                       "AND status IN ('new', 'open') GROUP BY assignee_id) x"),
            std::to_string(capacity)) << "18 places for 80 tickets: every agent ends full";
  EXPECT_EQ(db->scalar("SELECT count(*) FROM tickets WHERE assignee_id IS NULL AND queue_id IS NULL"), "0")
      << "every waiting ticket is in a queue";
  second.signal(SIGTERM);
  EXPECT_EQ(second.wait_exit(std::chrono::seconds(10)), 0) << second.output();
}

}  // namespace
}  // namespace helpdesk::testing
