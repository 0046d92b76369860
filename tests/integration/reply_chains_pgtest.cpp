// Each agent reply's link to the same agent's previous reply on its ticket
// (migration 0023), which the agents report counts tickets handled by: kept
// by the triggers whatever order replies arrive in, and through merges,
// moved times, changed authors and deletions.
#include <gtest/gtest.h>

#include <string>

#include "support/test_database.hpp"

using namespace helpdesk;
using namespace helpdesk::testing;

namespace {

class reply_chains : public ::testing::Test {
 protected:
  void SetUp() override {
    b = db.add_brand("chains");
    ann = db.add_agent("ann@example.com", role::agent, {b.id}).id;
    bob = db.add_agent("bob@example.com", role::agent, {b.id}).id;
    db.exec("INSERT INTO customers (id, brand_id, name) VALUES ('" + customer + "', '" + b.id + "', '')");
    db.exec("INSERT INTO tickets (id, brand_id, number, customer_id, origin_channel) VALUES ('" + t1 + "', '" + b.id +
            "', 1, '" + customer + "', 'email'), ('" + t2 + "', '" + b.id + "', 2, '" + customer + "', 'email')");
  }

  // A message of `ticket` at 10:mm on 2026-11-02; `kind` "reply", "note",
  // "automatic" or "inbound".
  std::string message(const std::string& ticket, const std::string& agent, int minute, const std::string& kind = "reply") {
    const std::string channel = kind == "note" ? "note" : "email";
    const std::string direction = kind == "note" ? "internal" : kind == "inbound" ? "inbound" : "outbound";
    return "(gen_random_uuid(), '" + ticket + "', '" + b.id + "', '" + customer + "', '" + channel + "', '" + direction + "', " +
           (kind == "automatic" ? "true" : "false") + ", " + (kind == "inbound" ? "NULL" : "'" + agent + "'") +
           ", '2026-11-02T10:" + (minute < 10 ? "0" : "") + std::to_string(minute) + ":00Z')";
  }
  void insert(const std::string& values) {
    db.exec("INSERT INTO messages (id, ticket_id, brand_id, customer_id, channel, direction, automatic, author_agent_id, "
            "occurred_at) VALUES " + values);
  }
  // The minute of the link of the reply of `agent` on `ticket` at `minute`, or -1 for none.
  int link(const std::string& ticket, const std::string& agent, int minute) {
    const auto v = db.scalar("SELECT extract(minute FROM agent_previous_reply_at)::int FROM messages WHERE ticket_id = '" +
                             ticket + "' AND author_agent_id = '" + agent + "' AND occurred_at = '2026-11-02T10:" +
                             (minute < 10 ? "0" : "") + std::to_string(minute) + ":00Z' AND channel <> 'note'");
    return v.empty() ? -1 : std::stoi(v);
  }

  test_database db;
  brand b;
  std::string ann, bob;
  const std::string customer = "018f0000-0000-7000-8000-00000000c0c0";
  const std::string t1 = "018f0000-0000-7000-8000-0000000000a1";
  const std::string t2 = "018f0000-0000-7000-8000-0000000000a2";
};

}  // namespace

TEST_F(reply_chains, RepliesLinkToTheirAgentsPreviousReplyWhateverOrderTheyArriveIn) {
  // One statement, latest first; Bob's reply, a note, an automatic reply and
  // the customer's message in between are no links of Ann's chain.
  insert(message(t1, ann, 30) + ", " + message(t1, ann, 10) + ", " + message(t1, bob, 15) + ", " +
         message(t1, ann, 20, "note") + ", " + message(t1, ann, 25, "automatic") + ", " + message(t1, ann, 5, "inbound"));
  EXPECT_EQ(link(t1, ann, 10), -1);
  EXPECT_EQ(link(t1, ann, 30), 10);
  EXPECT_EQ(link(t1, bob, 15), -1);
  // A late arrival between two replies takes its place in the chain.
  insert(message(t1, ann, 20));
  EXPECT_EQ(link(t1, ann, 20), 10);
  EXPECT_EQ(link(t1, ann, 30), 20);
  insert(message(t1, ann, 40));
  EXPECT_EQ(link(t1, ann, 40), 30);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM messages WHERE agent_previous_reply_at IS NOT NULL"), "3");
  EXPECT_EQ(db.misplaced_reply_links(), 0);
}

TEST_F(reply_chains, MergesMovedTimesNewAuthorsAndDeletionsLinkTheChainsAgain) {
  insert(message(t1, ann, 10) + ", " + message(t1, ann, 30) + ", " + message(t2, ann, 20) + ", " +
         message(t2, ann, 50) + ", " + message(t2, bob, 40));
  EXPECT_EQ(link(t1, ann, 30), 10);
  EXPECT_EQ(link(t2, ann, 50), 20);
  // The merge of t2 into t1 (what the workspace's merge runs).
  db.exec("UPDATE messages SET ticket_id = '" + t1 + "' WHERE ticket_id = '" + t2 + "'");
  EXPECT_EQ(link(t1, ann, 20), 10);
  EXPECT_EQ(link(t1, ann, 30), 20);
  EXPECT_EQ(link(t1, ann, 50), 30);
  EXPECT_EQ(link(t1, bob, 40), -1);
  // A reply moves to an earlier time.
  db.exec("UPDATE messages SET occurred_at = '2026-11-02T10:05:00Z' WHERE author_agent_id = '" + ann +
          "' AND occurred_at = '2026-11-02T10:50:00Z'");
  EXPECT_EQ(link(t1, ann, 5), -1);
  EXPECT_EQ(link(t1, ann, 10), 5);
  // Bob's reply becomes Ann's.
  db.exec("UPDATE messages SET author_agent_id = '" + ann + "' WHERE author_agent_id = '" + bob + "'");
  EXPECT_EQ(link(t1, ann, 40), 30);
  // A reply that stops being one (automatic) leaves its chain and its link.
  db.exec("UPDATE messages SET automatic = true WHERE occurred_at = '2026-11-02T10:20:00Z'");
  EXPECT_EQ(link(t1, ann, 30), 10);
  EXPECT_EQ(db.scalar("SELECT agent_previous_reply_at IS NULL FROM messages WHERE occurred_at = '2026-11-02T10:20:00Z'"),
            "t");
  // A deleted reply's successor links to the one before it.
  db.exec("DELETE FROM messages WHERE occurred_at = '2026-11-02T10:10:00Z'");
  EXPECT_EQ(link(t1, ann, 30), 5);
  // Updates that change no chain write nothing to it.
  db.exec("UPDATE messages SET delivery_status = 'delivered'");
  EXPECT_EQ(db.misplaced_reply_links(), 0);
}
