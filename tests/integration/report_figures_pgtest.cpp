// The response-time and agents reports against figures worked out here from
// the generated history itself: each report's statement splits its work into
// branches (one per target, one per part), and the branches must add up to
// what one pass over every clock and reply would say.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "helpdesk/store/db_pool.hpp"
#include "helpdesk/store/report_repos.hpp"
#include "helpdesk/store/repositories.hpp"
#include "support/test_database.hpp"

using namespace helpdesk;
using namespace helpdesk::testing;
using nlohmann::json;

namespace {

constexpr long long period_from = 1793491200;  // 2026-11-01T00:00:00Z
constexpr long long period_to = 1796083200;    // 2026-12-01T00:00:00Z

// percentile_cont: linear interpolation between the two nearest ranks.
double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const double pos = p * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

std::string at(long long unix_seconds) { return "to_timestamp(" + std::to_string(unix_seconds) + ")"; }
std::string uuid_or_null(const std::string& id) { return id.empty() ? "NULL" : "'" + id + "'"; }

struct durations {
  std::vector<double> calendar, business;
};

struct agent_truth {
  long long met = 0, breached = 0, replies = 0, email_replies = 0;
  std::set<std::string> tickets, email_tickets;
  std::vector<double> first_responses;
};

class report_figures : public ::testing::Test {
 protected:
  void SetUp() override {
    brands = {db.add_brand("figures-a"), db.add_brand("figures-b")};
    for (int i = 0; i < 4; ++i)
      agents.push_back(db.add_agent("figures" + std::to_string(i) + "@example.com", role::agent,
                                    {brands[0].id, brands[1].id}));
    std::mt19937 rng(7);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    const std::vector<std::string> targets = {"first_response", "next_response", "resolution", "callback"};
    std::string tickets_sql, facts_sql, messages_sql;
    for (int t = 0; t < 600; ++t) {
      const auto& b = brands[static_cast<std::size_t>(t % 2)];
      const std::string ticket = "018f0000-0000-7000-8000-" + std::string(12 - std::to_string(t).size(), '0') +
                                 std::to_string(t);
      // About 3 % start the day before the period and 6 % after it: neither
      // is in it.
      const long long created = period_from - 86400 + pick(86400 * 33);
      tickets_sql += std::string(tickets_sql.empty() ? "" : ", ") + "('" + ticket + "', '" + b.id + "', " +
                     std::to_string(t + 1) + ", '" + customer(b.id) + "', 'email', " + at(created) + ")";
      const bool in_period = created >= period_from && created < period_to;
      for (const auto& target : targets) {
        const auto started_agent = agents[static_cast<std::size_t>(pick(4))].id;
        const auto decider = agents[static_cast<std::size_t>(pick(4))].id;
        const long long took = 60 + pick(86400 * 2);
        const long long business = took / (1 + pick(3));
        std::string met_at = "NULL", met_recorded_at = "NULL", met_elapsed = "NULL", met_late = "NULL", met_agent,
                    breached_at = "NULL", breached_agent, cancelled_at = "NULL", cancelled_agent;
        // The outcome as of the period's end, and who decided it.
        bool met = false, breached = false;
        std::string decided = started_agent;
        switch (pick(6)) {
          case 0:  // met in time, a quarter of them recorded a day later
          case 1: {
            const long long late_record = pick(4) == 0 ? 86400 : 0;
            met_at = at(created + took), met_elapsed = std::to_string(business), met_late = "false";
            met_recorded_at = at(created + took + late_record);
            met_agent = decider;
            met = created + took + late_record < period_to;
            break;
          }
          case 2:  // breached, then met late by someone else
            breached_at = at(created + took / 2), breached_agent = started_agent;
            met_at = at(created + took), met_elapsed = std::to_string(business), met_late = "true";
            met_recorded_at = met_at;
            met_agent = decider;
            breached = created + took / 2 < period_to;
            met = created + took < period_to;
            break;
          case 3:  // breached and still open
            breached_at = at(created + took), breached_agent = decider;
            breached = created + took < period_to;
            break;
          case 4:  // waived
            cancelled_at = at(created + took), cancelled_agent = decider;
            if (created + took < period_to) decided = decider;
            break;
          default:  // running
            break;
        }
        if (met && breached) decided = std::max(met_agent, breached_agent);
        else if (met) decided = met_agent;
        else if (breached) decided = breached_agent;
        facts_sql += std::string(facts_sql.empty() ? "" : ", ") + "('" + ticket + "', '" + target + "', 0, '" +
                     b.id + "', 'email', " + at(created) + ", " + at(created) + ", '" + started_agent + "', " +
                     met_at + ", " + met_recorded_at + ", " + met_elapsed + ", " + met_late + ", " + uuid_or_null(met_agent) +
                     ", " + breached_at + ", " + breached_at + ", " + uuid_or_null(breached_agent) + ", " +
                     cancelled_at + ", " + cancelled_at + ", " + uuid_or_null(cancelled_agent) + ")";
        if (!in_period) continue;
        auto& truth = by_agent[decided];
        if (breached || (met && met_late == "true")) ++truth.breached;
        else if (met) ++truth.met;
        if (met && (target == "first_response" || target == "resolution")) {
          for (auto* d : {&response[{b.id, target}], &response[{"", target}]}) {
            d->calendar.push_back(static_cast<double>(took));
            d->business.push_back(static_cast<double>(business));
          }
        }
        if (met && target == "first_response") truth.first_responses.push_back(static_cast<double>(took));
      }
      // Replies by any agent, some after the period's end, a fifth of them
      // in the chat; one statement writes them in no order of time.
      for (int r = pick(5); r > 0; --r) {
        const auto& author = agents[static_cast<std::size_t>(pick(4))].id;
        const long long when = created + pick(86400 * 3);
        const bool email = pick(5) > 0;
        messages_sql += std::string(messages_sql.empty() ? "" : ", ") + "(gen_random_uuid(), '" + ticket + "', '" +
                        b.id + "', '" + customer(b.id) + "', '" + (email ? "email" : "chat") + "', 'outbound', '" +
                        author + "', " + at(when) + ")";
        if (when >= period_from && when < period_to) {
          auto& truth = by_agent[author];
          ++truth.replies;
          truth.tickets.insert(ticket);
          if (email) {
            ++truth.email_replies;
            truth.email_tickets.insert(ticket);
          }
        }
      }
    }
    // Breached in the period's last hours, met by someone else after its
    // end: the breach is the starting agent's, not the later fulfiller's,
    // though their events together name the other one (migration 0024).
    std::vector<std::string> ids;
    for (const auto& a : agents) ids.push_back(a.id);
    std::sort(ids.begin(), ids.end());
    for (int k = 0; k < 8; ++k) {
      const auto& b = brands[static_cast<std::size_t>(k % 2)];
      const std::string ticket = "018f0000-0000-7000-8000-0000000009" + std::to_string(10 + k);
      const long long created = period_to - 7200;
      tickets_sql += ", ('" + ticket + "', '" + b.id + "', " + std::to_string(700 + k) + ", '" + customer(b.id) +
                     "', 'email', " + at(created) + ")";
      facts_sql += ", ('" + ticket + "', 'first_response', 0, '" + b.id + "', 'email', " + at(created) + ", " +
                   at(created) + ", '" + ids.front() + "', " + at(created + 10800) + ", " + at(created + 10800) +
                   ", 10800, true, '" + ids.back() + "', " + at(created + 3600) + ", " + at(created + 3600) + ", '" +
                   ids.front() + "', NULL, NULL, NULL)";
      ++by_agent[ids.front()].breached;
    }
    pqxx::connection c(db.url());
    pqxx::work tx(c);
    for (const auto& b : brands)
      tx.exec("INSERT INTO customers (id, brand_id, name) VALUES ('" + customer(b.id) + "', '" + b.id + "', '')");
    tx.exec("INSERT INTO tickets (id, brand_id, number, customer_id, origin_channel, created_at) VALUES " + tickets_sql);
    tx.exec("INSERT INTO sla_clock_facts (ticket_id, target, cycle, brand_id, channel, started_at, started_recorded_at, "
            "started_agent, met_at, met_recorded_at, met_elapsed, met_late, met_agent, breached_at, "
            "breached_recorded_at, breached_agent, cancelled_at, cancelled_recorded_at, cancelled_agent) VALUES " +
            facts_sql);
    tx.exec("INSERT INTO messages (id, ticket_id, brand_id, customer_id, channel, direction, author_agent_id, "
            "occurred_at) VALUES " + messages_sql);
    tx.commit();
  }

  std::string customer(const std::string& brand_id) const {
    return brand_id == brands[0].id ? "018f0000-0000-7000-8000-0000000000c1" : "018f0000-0000-7000-8000-0000000000c2";
  }

  json run(const std::string& report, std::optional<std::string> channel = std::nullopt) {
    pqxx::connection c(db.url());
    for (const auto& s : store::all_statements()) c.prepare(s.name, s.sql);
    pqxx::work tx(c);
    store::reports::analytic_settings(tx, std::chrono::seconds(30));
    store::reports::query q;
    q.brand_ids = {brands[0].id, brands[1].id};
    q.from = from_unix_micros(period_from * 1000000);
    q.to = from_unix_micros(period_to * 1000000);
    q.group_by = "brand";
    q.channel = std::move(channel);
    return report == "agents" ? store::reports::agents(tx, q) : store::reports::response_times(tx, q);
  }

  test_database db;
  std::vector<brand> brands;
  std::vector<agent> agents;
  std::map<std::string, agent_truth> by_agent;
  std::map<std::pair<std::string, std::string>, durations> response;  // ("" for the total, target)
};

void expect_figures(const json& row, const durations& d, const std::string& what) {
  ASSERT_FALSE(d.calendar.empty()) << what;
  EXPECT_EQ(row["count"].get<std::size_t>(), d.calendar.size()) << what;
  EXPECT_NEAR(row["calendar"]["avg"].get<double>(), mean(d.calendar), 1e-6) << what;
  EXPECT_NEAR(row["calendar"]["median"].get<double>(), percentile(d.calendar, 0.5), 1e-6) << what;
  EXPECT_NEAR(row["calendar"]["p90"].get<double>(), percentile(d.calendar, 0.9), 1e-6) << what;
  EXPECT_NEAR(row["business"]["avg"].get<double>(), mean(d.business), 1e-6) << what;
  EXPECT_NEAR(row["business"]["median"].get<double>(), percentile(d.business, 0.5), 1e-6) << what;
  EXPECT_NEAR(row["business"]["p90"].get<double>(), percentile(d.business, 0.9), 1e-6) << what;
}

}  // namespace

TEST_F(report_figures, ResponseTimesOfEachTargetAndBrandAndTheTotalAreThoseOfTheirClocks) {
  const auto r = run("response-times");
  ASSERT_EQ(r["rows"].size(), 4u) << r.dump(2);  // two brands, two targets
  for (const auto& row : r["rows"])
    expect_figures(row, response[{row["group"].get<std::string>(), row["metric"].get<std::string>()}],
                   row["group"].get<std::string>() + " " + row["metric"].get<std::string>());
  ASSERT_EQ(r["total"].size(), 2u) << r.dump(2);
  for (const auto& row : r["total"])
    expect_figures(row, response[{"", row["metric"].get<std::string>()}], "total " + row["metric"].get<std::string>());
}

TEST_F(report_figures, EachAgentsCountsAndFirstResponseMedianAreThoseOfTheClocksTheyDecidedAndTheirReplies) {
  const auto rows = run("agents");
  ASSERT_EQ(rows.size(), agents.size()) << rows.dump(2);
  long long decided = 0;
  for (const auto& row : rows) {
    const auto& truth = by_agent[row["agent_id"].get<std::string>()];
    const auto who = row["name"].get<std::string>();
    EXPECT_EQ(row["met"].get<long long>(), truth.met) << who;
    EXPECT_EQ(row["breached"].get<long long>(), truth.breached) << who;
    EXPECT_EQ(row["replies"].get<long long>(), truth.replies) << who;
    EXPECT_EQ(row["tickets_handled"].get<std::size_t>(), truth.tickets.size()) << who;
    ASSERT_FALSE(truth.first_responses.empty()) << who;
    EXPECT_NEAR(row["first_response_median_s"].get<double>(), percentile(truth.first_responses, 0.5), 1e-6) << who;
    decided += truth.met + truth.breached;
  }
  EXPECT_GT(decided, 500) << "the history decides enough clocks to tell the parts apart";
}

// The link to an agent's previous reply spans channels; filtered by one,
// a ticket counts when the agent replied on it in that channel.
TEST_F(report_figures, FilteredByChannelAnAgentsRepliesAndTicketsAreThoseInTheChannel) {
  const auto rows = run("agents", "email");
  ASSERT_EQ(rows.size(), agents.size()) << rows.dump(2);
  std::size_t differ = 0;
  for (const auto& row : rows) {
    const auto& truth = by_agent[row["agent_id"].get<std::string>()];
    const auto who = row["name"].get<std::string>();
    EXPECT_EQ(row["replies"].get<long long>(), truth.email_replies) << who;
    EXPECT_EQ(row["tickets_handled"].get<std::size_t>(), truth.email_tickets.size()) << who;
    EXPECT_EQ(row["met"].get<long long>(), truth.met) << who;  // every clock is of an email ticket
    differ += truth.email_tickets.size() != truth.tickets.size() ? 1 : 0;
  }
  EXPECT_GT(differ, 0u) << "some agents replied on tickets in the chat only";
}
