// `helpdesk seed`, run as the real binary against fresh databases: counts,
// determinism, referential and temporal consistency, agreement with the SLA
// engine, coexistence with other data, and its refusals.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <map>
#include <memory>
#include <set>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "helpdesk/domain/sla.hpp"
#include "helpdesk/store/repositories.hpp"
#include "helpdesk/store/sla_codec.hpp"
#include "helpdesk/store/sla_repos.hpp"
#include "support/server_process.hpp"
#include "support/test_database.hpp"

using namespace helpdesk;
using namespace helpdesk::testing;

namespace {

const char* const until = "2026-11-30T14:00:00Z";

std::vector<std::string> seed_args(const test_database& db, std::vector<std::string> extra) {
  std::vector<std::string> args = {"seed", "--database-url", db.url(), "--until", until};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

process_result seed_small(const test_database& db) {
  return run_helpdesk(seed_args(db, {"--brands", "3", "--agents", "20", "--tickets", "3000", "--seed", "7"}));
}

long long number(test_database& db, const std::string& sql) { return std::stoll(db.scalar(sql)); }

}  // namespace

const char* const index_list =
    "SELECT string_agg(indexname || ' ' || indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public'";

TEST(Seed, LoadsAConsistentHistory) {
  test_database db;
  const std::string indexes_before = db.scalar(index_list);
  auto r = seed_small(db);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("seeded 3 brands, 20 agents, "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(" 3000 tickets, "), std::string::npos) << r.output;
  // The indexes dropped for the load are all back, as they were.
  EXPECT_NE(r.output.find("two connections, foreign key triggers off"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("secondary indexes dropped, built again at the end"), std::string::npos) << r.output;
  EXPECT_EQ(db.scalar(index_list), indexes_before);

  // Counts match the flags.
  EXPECT_EQ(db.scalar("SELECT string_agg(slug, ',' ORDER BY slug) FROM brands"), "seed-01,seed-02,seed-03");
  EXPECT_EQ(number(db, "SELECT count(*) FROM agents"), 20);
  EXPECT_EQ(number(db, "SELECT count(*) FROM agents WHERE role = 'manager'"), 1);
  EXPECT_EQ(number(db, "SELECT count(*) FROM tickets"), 3000);
  EXPECT_EQ(number(db, "SELECT count(*) FROM queues"), 9);  // Callbacks, Default and Returns & refunds each
  const double per_ticket = std::stod(db.scalar("SELECT count(*)::float / 3000 FROM messages"));
  EXPECT_GT(per_ticket, 3.5);
  EXPECT_LT(per_ticket, 6.5);
  const long long customers = number(db, "SELECT count(*) FROM customers");
  EXPECT_GT(customers, 300);
  EXPECT_LE(customers, 620);
  // Every agent in 3 brands (there are only 3); the history spans the last 365 days.
  EXPECT_EQ(number(db, "SELECT count(*) FROM (SELECT agent_id FROM agent_brands GROUP BY 1 HAVING count(*) <> 3) x"), 0);
  EXPECT_EQ(db.scalar("SELECT min(created_at) >= timestamptz '2026-11-30T14:00:00Z' - interval '365 days' AND "
                      "max(created_at) < timestamptz '2026-11-30T14:00:00Z' FROM tickets"),
            "t");
  EXPECT_EQ(number(db, "SELECT count(*) FROM messages WHERE occurred_at >= '2026-11-30T14:00:00Z'"), 0);
  // Channels roughly 55/30/15.
  for (auto [ch, lo, hi] : {std::tuple{"email", 0.45, 0.66}, {"phone", 0.2, 0.4}, {"chat", 0.08, 0.25}}) {
    const double share = std::stod(db.scalar(std::string("SELECT count(*) FILTER (WHERE origin_channel = '") + ch +
                                             "')::float / count(*) FROM tickets"));
    EXPECT_GT(share, lo) << ch;
    EXPECT_LT(share, hi) << ch;
  }

  // Every ticket has a message and a 'created' event; messages belong to
  // their ticket's brand and customer.
  EXPECT_EQ(number(db, "SELECT count(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id)"), 0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM tickets t WHERE (SELECT count(*) FROM ticket_events e WHERE e.ticket_id = t.id "
                       "AND e.kind = 'created') <> 1"),
            0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.brand_id <> t.brand_id "
                       "OR m.customer_id <> t.customer_id"),
            0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE e.brand_id <> t.brand_id"), 0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM customers c JOIN tickets t ON t.customer_id = c.id WHERE c.brand_id <> t.brand_id"), 0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM tickets t JOIN agents a ON a.id = t.assignee_id WHERE NOT EXISTS "
                       "(SELECT 1 FROM agent_brands ab WHERE ab.agent_id = a.id AND ab.brand_id = t.brand_id) OR a.role <> 'agent'"),
            0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM tickets t JOIN queues q ON q.id = t.queue_id WHERE q.brand_id <> t.brand_id"), 0);
  // Loaded with triggers off, the logs are still in the hourly report counts.
  EXPECT_EQ(number(db, "SELECT count(*) FROM (SELECT brand_id, date_trunc('hour', occurred_at, 'UTC') AS h, channel, "
                       "direction, automatic, author_agent_id, count(*) AS n FROM messages GROUP BY 1, 2, 3, 4, 5, 6) m "
                       "FULL JOIN (SELECT * FROM report_counts WHERE metric IN ('message_by_author', 'automatic_message')) c ON "
                       "c.brand_id = m.brand_id AND c.hour = m.h AND c.channel = m.channel AND c.direction = m.direction AND "
                       "c.metric = CASE WHEN m.automatic THEN 'automatic_message' ELSE 'message_by_author' END AND "
                       "c.agent_id IS NOT DISTINCT FROM CASE WHEN NOT m.automatic THEN m.author_agent_id END "
                       "WHERE c.n IS DISTINCT FROM m.n"),
            0);
  EXPECT_EQ(number(db, "SELECT sum(n) FROM report_counts WHERE metric = 'ticket_created'"), 3000);
  // So are the links of each reply to its agent's previous one on the ticket.
  EXPECT_EQ(db.misplaced_reply_links(), 0);
  EXPECT_GT(number(db, "SELECT count(*) FROM messages WHERE agent_previous_reply_at IS NOT NULL"), 500);
  EXPECT_EQ(number(db, "SELECT sum(n) FROM report_counts WHERE metric = 'message'"),
            number(db, "SELECT count(*) FROM messages WHERE NOT automatic"));
  // The message kinds the brief asks for are all there.
  for (const char* kind : {"channel = 'email' AND direction = 'outbound' AND author_agent_id IS NOT NULL",
                           "channel = 'note' AND direction = 'internal'", "automatic AND automatic_reason <> ''",
                           "channel = 'phone' AND call_outcome IN ('missed', 'voicemail')",
                           "channel = 'chat' AND chat_message_id IS NOT NULL"})
    EXPECT_GT(number(db, std::string("SELECT count(*) FROM messages WHERE ") + kind), 0) << kind;
  EXPECT_EQ(number(db, "SELECT count(*) - count(DISTINCT email_message_id) FROM messages WHERE email_message_id IS NOT NULL"), 0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM messages WHERE channel = 'email' AND (email IS NULL OR email_message_id IS NULL)"), 0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM messages WHERE channel = 'phone' AND (call IS NULL OR call->>'call_id' <> call_id)"), 0);
  // Missed calls make callback tickets, most of them called back.
  EXPECT_GT(number(db, "SELECT count(*) FROM tickets WHERE origin_channel = 'phone' AND EXISTS (SELECT 1 FROM callback_attempts a "
                       "WHERE a.ticket_id = tickets.id)"),
            50);
  EXPECT_EQ(number(db, "SELECT count(*) FROM callback_attempts a WHERE NOT EXISTS (SELECT 1 FROM ticket_events e WHERE "
                       "e.ticket_id = a.ticket_id AND e.kind = 'callback_attempt' AND e.data->>'attempt_id' = a.id::text)"),
            0);

  // Identities: one email and one phone per customer, unique per brand, E.164 phones.
  EXPECT_EQ(number(db, "SELECT count(*) FROM (SELECT brand_id, kind, value FROM customer_identities GROUP BY 1, 2, 3 "
                       "HAVING count(*) > 1) x"),
            0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM customer_identities"), 2 * customers);
  EXPECT_EQ(number(db, "SELECT count(*) FROM customer_identities WHERE kind = 'phone' AND value !~ '^\\+[1-9][0-9]{8,14}$'"), 0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM customer_identities WHERE kind = 'email' AND value <> lower(value)"), 0);

  // Statuses: old tickets are done, the open ones are recent and consistent.
  EXPECT_GT(number(db, "SELECT count(*) FROM tickets WHERE status IN ('solved', 'closed')"), 2700);
  EXPECT_EQ(number(db, "SELECT count(*) FROM tickets WHERE status NOT IN ('solved', 'closed') AND updated_at < "
                       "timestamptz '2026-11-30T14:00:00Z' - interval '25 days' AND status <> 'on_hold'"),
            0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM tickets WHERE (status IN ('solved', 'closed')) <> (solved_at IS NOT NULL) "
                       "OR (status = 'closed') <> (closed_at IS NOT NULL) OR closed_at < solved_at"),
            0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM tickets WHERE (assignee_id IS NULL) <> (assigned_at IS NULL) "
                       "OR assigned_at < created_at OR last_inbound_at < created_at OR updated_at < created_at"),
            0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM tickets WHERE callback_required AND callback_due_at IS NULL"), 0);
  // Every status change is logged: replaying them gives the ticket's status.
  EXPECT_EQ(number(db, "SELECT count(*) FROM tickets t WHERE t.status <> coalesce((SELECT e.data->>'to' FROM ticket_events e "
                       "WHERE e.ticket_id = t.id AND e.kind = 'status_changed' ORDER BY e.id DESC LIMIT 1), 'new')"),
            0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM (SELECT e.data->>'from' AS f, lag(e.data->>'to', 1, 'new') OVER (PARTITION BY "
                       "e.ticket_id ORDER BY e.id) AS before FROM ticket_events e WHERE e.kind = 'status_changed') x "
                       "WHERE f <> before"),
            0);
  EXPECT_GT(number(db, "SELECT count(*) FROM ticket_events WHERE kind = 'status_changed' AND data->>'from' = 'solved' "
                       "AND data->>'to' = 'open'"),
            0);
  // The append-only logs are in time order (ids follow time).
  for (const char* log : {"ticket_events", "sla_events", "agent_presence_intervals"})
    EXPECT_EQ(number(db, std::string("SELECT count(*) FROM (SELECT at, lag(at) OVER (ORDER BY id) AS before FROM (SELECT id, ") +
                             (std::string(log) == "agent_presence_intervals" ? "started_at" : "at") + " AS at FROM " + log +
                             ") y) x WHERE at < before"),
              0)
        << log;

  // Ticket numbers run from 1000 per brand and the sequences continue after them.
  EXPECT_EQ(number(db, "SELECT count(*) FROM (SELECT brand_id FROM tickets GROUP BY 1 HAVING min(number) <> 1000 OR "
                       "max(number) <> 999 + count(*)) x"),
            0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM brands b WHERE next_ticket_number(b.id) <> (SELECT max(number) + 1 FROM "
                       "tickets t WHERE t.brand_id = b.id)"),
            0);
  // The workers start after the seeded history.
  EXPECT_EQ(db.scalar("SELECT (SELECT tx_cursor FROM sla_progress) > (SELECT max(tx) FROM ticket_events) AND "
                      "(SELECT tx_cursor FROM event_relay) > (SELECT max(tx) FROM ticket_events)"),
            "t");

  // Presence: contiguous intervals without overlaps, one open per agent, which is the agent's presence.
  EXPECT_EQ(number(db, "SELECT count(*) FROM agent_presence_intervals a JOIN agent_presence_intervals b ON b.agent_id = "
                       "a.agent_id AND b.id <> a.id AND b.started_at < coalesce(a.ended_at, 'infinity') AND "
                       "coalesce(b.ended_at, 'infinity') > a.started_at"),
            0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM (SELECT ended_at, lead(started_at) OVER (PARTITION BY agent_id ORDER BY "
                       "started_at) AS next FROM agent_presence_intervals) x WHERE ended_at IS DISTINCT FROM next"),
            0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM agents a WHERE (SELECT count(*) FROM agent_presence_intervals i WHERE "
                       "i.agent_id = a.id AND i.ended_at IS NULL AND i.status = a.presence AND i.started_at = a.presence_since) <> 1"),
            0);
  EXPECT_EQ(number(db, "SELECT count(DISTINCT status) FROM agent_presence_intervals"), 3);

  // SLA: a clock is never both met in time and breached; late means breached;
  // finished clocks need no check; every event carries the ticket's dimensions.
  EXPECT_EQ(number(db, "SELECT count(*) FROM (SELECT ticket_id, target, cycle FROM sla_events WHERE target IS NOT NULL "
                       "GROUP BY 1, 2, 3 HAVING bool_or(kind = 'met' AND NOT coalesce((data->>'late')::boolean, false)) "
                       "AND bool_or(kind = 'breached')) x"),
            0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM (SELECT ticket_id, target, cycle FROM sla_events WHERE target IS NOT NULL "
                       "GROUP BY 1, 2, 3 HAVING bool_or(kind = 'met' AND coalesce((data->>'late')::boolean, false)) "
                       "<> (bool_or(kind = 'breached') AND bool_or(kind = 'met'))) x"),
            0);
  // A breach is logged for every breached clock; a clock paused or cancelled after its breach keeps the log entry.
  const std::string breach_logged =
      "EXISTS (SELECT 1 FROM sla_events e WHERE e.ticket_id = c.ticket_id AND e.target = c.target AND e.cycle = c.cycle "
      "AND e.kind = 'breached')";
  EXPECT_EQ(number(db, "SELECT count(*) FROM sla_clocks c WHERE c.state = 'breached' AND NOT " + breach_logged), 0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM sla_clocks c WHERE c.state NOT IN ('breached', 'paused', 'cancelled') AND " +
                           breach_logged),
            0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM sla_clocks c WHERE (c.stopped_at IS NULL) <> (c.state IN ('running', 'paused') OR "
                       "(c.state = 'breached' AND NOT EXISTS (SELECT 1 FROM sla_events e WHERE e.ticket_id = c.ticket_id AND "
                       "e.target = c.target AND e.cycle = c.cycle AND e.kind IN ('met', 'cancelled'))))"),
            0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM sla_clocks WHERE stopped_at IS NOT NULL AND next_check_at IS NOT NULL"), 0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM sla_clocks WHERE state = 'running' AND (next_check_at IS NULL OR next_check_at "
                       "NOT IN (due_at, warn_at))"),
            0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM sla_clocks c JOIN tickets t ON t.id = c.ticket_id WHERE c.stopped_at IS NULL "
                       "AND c.target IN ('first_response', 'next_response') AND t.status IN ('solved', 'closed')"),
            0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM sla_events WHERE channel IS NULL OR priority IS NULL"), 0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM sla_events WHERE kind IN ('met', 'breached', 'warned', 'started') AND target <> "
                       "'resolution' AND NOT data ? 'due_at'"),
            0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM sla_events WHERE kind = 'met' AND NOT data ? 'elapsed_seconds'"), 0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM sla_events e JOIN tickets t ON t.id = e.ticket_id WHERE e.channel <> "
                       "t.origin_channel OR e.policy_id NOT IN (SELECT id FROM sla_policies WHERE brand_id = t.brand_id)"),
            0);
  EXPECT_GT(number(db, "SELECT count(*) FROM sla_events WHERE kind = 'met' AND (data->>'late')::boolean"), 0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM sla_tickets"), 3000);
  // Every clock is folded into its facts, with its start and first met event.
  EXPECT_EQ(number(db, "SELECT count(*) FROM sla_clock_facts"),
            number(db, "SELECT count(DISTINCT (ticket_id, target, cycle)) FROM sla_events WHERE target IS NOT NULL "
                       "AND kind IN ('started', 'met', 'breached', 'cancelled')"));
  EXPECT_EQ(number(db, "SELECT count(*) FROM sla_clock_facts f JOIN sla_events e ON e.ticket_id = f.ticket_id AND "
                       "e.target = f.target AND e.cycle = f.cycle AND e.kind = 'started' WHERE e.at = f.started_at "
                       "AND e.recorded_at = f.started_recorded_at AND e.channel = f.channel"),
            number(db, "SELECT count(*) FROM sla_events WHERE kind = 'started' AND target IS NOT NULL"));
  EXPECT_EQ(number(db, "SELECT count(*) FROM sla_clock_facts f WHERE (f.met_at IS NULL) <> NOT EXISTS (SELECT 1 FROM "
                       "sla_events e WHERE e.ticket_id = f.ticket_id AND e.target = f.target AND e.cycle = f.cycle "
                       "AND e.kind = 'met')"),
            0);

  // Every foreign key holds (the seeder skips the key triggers when it may).
  {
    pqxx::connection kc(db.url());
    pqxx::nontransaction nt(kc);
    const auto keys = nt.exec(
        "SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, af.attname FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] JOIN pg_attribute af ON "
        "af.attrelid = c.confrelid AND af.attnum = c.confkey[1] WHERE c.contype = 'f' AND cardinality(c.conkey) = 1");
    EXPECT_GT(keys.size(), 20u);
    for (const auto& k : keys) {
      const std::string child = k[0].as<std::string>(), col = k[1].as<std::string>(), parent = k[2].as<std::string>(),
                        pcol = k[3].as<std::string>();
      EXPECT_EQ(nt.exec1("SELECT count(*) FROM " + child + " x WHERE x." + col + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " +
                         parent + " y WHERE y." + pcol + " = x." + col + ")")[0]
                    .as<long long>(),
                0)
          << child << "." << col << " -> " << parent << "." << pcol;
    }
  }

  // The stored clocks are what the SLA engine computes from the stored history.
  pqxx::connection c(db.url());
  for (const auto& s : store::all_statements()) c.prepare(s.name, s.sql);
  pqxx::work tx(c);
  std::vector<std::string> ids, brand_ids;
  for (const auto& row : tx.exec("SELECT id FROM tickets ORDER BY id")) ids.push_back(row[0].as<std::string>());
  for (const auto& row : tx.exec("SELECT id FROM brands")) brand_ids.push_back(row[0].as<std::string>());
  const auto policies = store::sla_policies::for_brands(tx, brand_ids);
  std::map<std::string, std::unique_ptr<domain::business_calendar>> calendars;
  for (const auto& row : store::calendars::find_many(tx, [&] {
         std::vector<std::string> cal_ids;
         for (const auto& r2 : tx.exec("SELECT id FROM calendars")) cal_ids.push_back(r2[0].as<std::string>());
         return cal_ids;
       }())) {
    std::vector<field_error> ignored;
    calendars[row.id] = std::make_unique<domain::business_calendar>(
        domain::business_calendar::compile(store::sla_codec::decode_calendar(row.time_zone, row.weekly, row.holidays, ignored)));
  }
  auto lookup = [&](const std::string& id) -> const domain::business_calendar* {
    auto it = calendars.find(id);
    return it == calendars.end() ? nullptr : it->second.get();
  };
  const timestamp now = *parse_rfc3339(until);
  long long compared = 0, differing = 0;
  std::string first_difference;
  for (std::size_t from = 0; from < ids.size(); from += 500) {
    const std::vector<std::string> part(ids.begin() + static_cast<long>(from),
                                        ids.begin() + static_cast<long>(std::min(ids.size(), from + 500)));
    for (const auto& h : store::sla_worker::load(tx, part)) {
      std::vector<sla::policy_def> mine;
      for (const auto& p : policies)
        if (p.brand_id == h.brand_id) mine.push_back(p);
      const auto* policy = sla::choose_policy(mine, h.facts);
      ASSERT_NE(policy, nullptr);
      EXPECT_EQ(h.policy_id.value_or(""), policy->id);
      const auto fresh = sla::compute_clocks(*policy, lookup, h.entries, now);
      std::map<std::pair<int, int>, const store::clock_row*> stored;
      for (const auto& k : h.clocks) stored[{static_cast<int>(k.clock.target), k.clock.cycle}] = &k;
      ++compared;
      bool same = fresh.size() == h.clocks.size();
      for (const auto& k : fresh) {
        auto it = stored.find({static_cast<int>(k.target), k.cycle});
        if (it == stored.end()) {
          same = false;
          continue;
        }
        const auto& s = it->second->clock;
        same = same && s.state == k.state && s.started_at == k.started_at && s.stopped_at == k.stopped_at &&
               s.due_at == k.due_at && s.remaining_seconds == k.remaining_seconds;
      }
      if (!same) {
        ++differing;
        if (first_difference.empty()) first_difference = h.ticket_id;
      }
    }
  }
  EXPECT_EQ(compared, 3000);
  EXPECT_EQ(differing, 0) << "first: ticket " << first_difference;
}

TEST(Seed, TheSameSeedGivesTheSameData) {
  test_database a, b;
  auto ra = seed_small(a);
  ASSERT_EQ(ra.exit_code, 0) << ra.output;
  auto rb = seed_small(b);
  ASSERT_EQ(rb.exit_code, 0) << rb.output;
  for (const char* projection :
       {"SELECT md5(string_agg(m::text, '|' ORDER BY m.id)) FROM messages m",
        "SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM tickets t",
        "SELECT md5(string_agg(e::text, '|' ORDER BY e.id)) FROM (SELECT id, ticket_id, kind, actor, data, at FROM "
        "ticket_events) e",
        "SELECT md5(string_agg(e::text, '|' ORDER BY e.id)) FROM (SELECT id, ticket_id, target, cycle, kind, at, data, "
        "policy_id, queue_id, agent_id FROM sla_events) e",
        "SELECT md5(string_agg(c::text, '|' ORDER BY c.id)) FROM customers c",
        "SELECT md5(string_agg(i::text, '|' ORDER BY i.id)) FROM agent_presence_intervals i"}) {
    const std::string ha = a.scalar(projection), hb = b.scalar(projection);
    EXPECT_FALSE(ha.empty()) << projection;
    EXPECT_EQ(ha, hb) << projection;
  }
  // Another seed is another history.
  test_database c;
  auto rc = run_helpdesk(seed_args(c, {"--brands", "3", "--agents", "20", "--tickets", "3000", "--seed", "8"}));
  ASSERT_EQ(rc.exit_code, 0) << rc.output;
  const char* messages = "SELECT md5(string_agg(m::text, '|' ORDER BY m.id)) FROM messages m";
  EXPECT_NE(a.scalar(messages), c.scalar(messages));
}

TEST(Seed, AddsItsBrandsNextToExistingData) {
  test_database db;
  auto demo = run_helpdesk({"seed-demo", "--database-url", db.url()});
  ASSERT_EQ(demo.exit_code, 0) << demo.output;
  const std::vector<std::string> small = {"--brands", "2", "--agents", "4", "--tickets", "300", "--seed", "5"};
  auto first = run_helpdesk(seed_args(db, small));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  auto second = run_helpdesk(seed_args(db, small));
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(db.scalar("SELECT string_agg(slug, ',' ORDER BY slug) FROM brands"), "acme,nordic,seed-01,seed-02,seed5-01,seed5-02");
  EXPECT_EQ(number(db, "SELECT count(*) FROM tickets"), 600);
  EXPECT_EQ(number(db, "SELECT count(*) FROM agents"), 5 + 8);
  EXPECT_EQ(number(db, "SELECT count(*) FROM tickets t JOIN brands b ON b.id = t.brand_id WHERE b.slug IN ('acme', 'nordic')"), 0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM sla_policies p JOIN brands b ON b.id = p.brand_id WHERE b.slug = 'acme'"), 2);
  // A third time there is no free slug left for this seed.
  auto third = run_helpdesk(seed_args(db, small));
  EXPECT_EQ(third.exit_code, 1) << third.output;
  EXPECT_NE(third.output.find("already exist"), std::string::npos) << third.output;
  EXPECT_EQ(number(db, "SELECT count(*) FROM tickets"), 600);
}

TEST(Seed, RefusesBadFlagsAndABehindSchema) {
  test_database db;
  for (const auto& bad : std::vector<std::vector<std::string>>{{"--brands", "0"},
                                                               {"--brands", "201"},
                                                               {"--tickets", "abc"},
                                                               {"--tickets", "-5"},
                                                               {"--tickets", "20000001"},
                                                               {"--agents", "2", "--brands", "3"},
                                                               {"--days", "0"},
                                                               {"--seed", "1x"},
                                                               {"--until", "yesterday"}}) {
    auto r = run_helpdesk(seed_args(db, bad));
    EXPECT_EQ(r.exit_code, 2) << bad[0] << " " << bad[1] << ": " << r.output;
    EXPECT_NE(r.output.find("helpdesk seed: --"), std::string::npos) << r.output;
  }
  EXPECT_EQ(number(db, "SELECT count(*) FROM brands"), 0);
  test_database empty(/*migrate=*/false);
  auto behind = run_helpdesk({"seed", "--database-url", empty.url(), "--tickets", "10"});
  EXPECT_EQ(behind.exit_code, 3) << behind.output;
  EXPECT_NE(behind.output.find("run `helpdesk migrate` first"), std::string::npos) << behind.output;
}

TEST(Seed, LoadsAsAnOrdinaryRoleWithKeysChecked) {
  const std::string role = "hd_seed_" + std::to_string(::getpid());
  {
    test_database db;
    db.exec("CREATE ROLE " + role + " LOGIN");
    db.exec("GRANT CREATE, USAGE ON SCHEMA public TO " + role);
    db.exec("GRANT ALL ON ALL TABLES IN SCHEMA public TO " + role);
    db.exec("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO " + role);
    std::string url = db.url();
    url.replace(url.find("://") + 3, url.find('@') - url.find("://") - 3, role);
    auto r = run_helpdesk({"seed", "--database-url", url, "--until", until, "--brands", "2", "--agents", "6", "--tickets",
                           "800", "--seed", "3"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("one connection, foreign keys checked row by row"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("secondary indexes kept up to date row by row (this role does not own the tables)"),
              std::string::npos)
        << r.output;
    EXPECT_EQ(number(db, "SELECT count(*) FROM tickets"), 800);
    EXPECT_EQ(number(db, "SELECT count(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id)"), 0);
    EXPECT_EQ(db.misplaced_reply_links(), 0);  // written by the triggers this time
    db.exec("REASSIGN OWNED BY " + role + " TO CURRENT_USER");
    db.exec("DROP OWNED BY " + role);
  }
  pqxx::connection admin(admin_database_url());
  pqxx::nontransaction nt(admin);
  nt.exec("DROP ROLE IF EXISTS " + role);
}

TEST(Seed, AnInterruptedRunLeavesNothingBehind) {
  test_database db;
  const std::string indexes_before = db.scalar(index_list);
  const std::string log = "/tmp/" + db.name() + "-seed.log";
  const int pid = spawn_helpdesk(seed_args(db, {"--tickets", "200000", "--brands", "3", "--agents", "10"}), {}, log);
  // Interrupted while loading, after the indexes were dropped.
  for (int i = 0; i < 600 && read_file(log).find("dropped, built again") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  ::kill(pid, SIGINT);
  EXPECT_NE(wait_pid(pid), 0) << read_file(log);
  // The loaders' transactions die with the process: no rows, every index.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(number(db, "SELECT count(*) FROM brands"), 0) << read_file(log);
  EXPECT_EQ(number(db, "SELECT count(*) FROM tickets"), 0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM messages"), 0);
  EXPECT_EQ(number(db, "SELECT count(*) FROM agents"), 0);
  EXPECT_EQ(db.scalar(index_list), indexes_before);
}
