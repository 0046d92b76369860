// The index upkeep against a real PostgreSQL: GIN pending lists merged and
// new BRIN ranges summarised without changing what the indexes find; one
// process at a time; an index whose table is locked (a VACUUM) waits for the
// next pass instead of stalling it; indexes of other owners left alone.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <string>

#include "helpdesk/store/index_upkeep.hpp"
#include "helpdesk/store/migrations.hpp"
#include "helpdesk/store/repositories.hpp"
#include "support/test_database.hpp"

using namespace helpdesk;
using namespace helpdesk::testing;

namespace {

void prepare(pqxx::connection& c) {
  for (const auto& s : store::all_statements()) c.prepare(s.name, s.sql);
}

store::index_upkeep::result upkeep(pqxx::connection& c, bool brin) { return store::index_upkeep::run(c, brin); }

// A table with one index of each kind, owned by the role that runs `exec`.
template <class Exec>
void make_probe(Exec exec, int rows, const std::string& name = "upkeep_probe") {
  exec("CREATE TABLE " + name + " (id bigserial PRIMARY KEY, at timestamptz NOT NULL, body text NOT NULL)");
  exec("CREATE INDEX " + name + "_body ON " + name + " USING gin (to_tsvector('simple', body))");
  exec("CREATE INDEX " + name + "_at ON " + name + " USING brin (at) WITH (pages_per_range = 1, autosummarize = off)");
  exec("INSERT INTO " + name + " (at, body) SELECT timestamptz '2026-01-01' + i * interval '1 minute', "
       "'parcel ' || i || ' lost in transit ' || repeat('word' || (i % 97) || ' ', 20) FROM generate_series(1, " +
       std::to_string(rows) + ") i");
}
void make_probe(test_database& db, int rows) {
  make_probe([&](const std::string& sql) { db.exec(sql); }, rows);
}

const char* const found =
    "SELECT count(*) FROM upkeep_probe WHERE to_tsvector('simple', body) @@ to_tsquery('simple', 'parcel & word7')";

std::string count_by_index(pqxx::connection& c, const char* sql) {
  pqxx::work tx(c);
  tx.exec("SET LOCAL enable_seqscan = off");
  return tx.exec1(sql)[0].as<std::string>();
}

}  // namespace

TEST(IndexUpkeep, MergesPendingEntriesAndSummarisesNewRangesWithoutChangingResults) {
  test_database db;
  make_probe(db, 3000);
  pqxx::connection c(db.url());
  prepare(c);
  const auto before = count_by_index(c, found);
  ASSERT_NE(before, "0");

  const auto first = upkeep(c, /*brin=*/false);
  EXPECT_TRUE(first.ran);
  EXPECT_GT(first.gin_pages, 0) << "the inserts left no pending entries to merge";
  EXPECT_EQ(first.brin_ranges, 0) << "BRIN was not asked for";
  EXPECT_EQ(upkeep(c, false).gin_pages, 0) << "a second pass has nothing left to merge";
  EXPECT_EQ(count_by_index(c, found), before);

  const auto brin = upkeep(c, /*brin=*/true);
  EXPECT_GT(brin.brin_ranges, 0);
  EXPECT_EQ(upkeep(c, true).brin_ranges, 0);
  EXPECT_EQ(count_by_index(c, "SELECT count(*) FROM upkeep_probe WHERE at >= '2026-01-02' AND at < '2026-01-03'"),
            "1440");
}

TEST(IndexUpkeep, TheSchemaLeavesBrinSummariesToTheUpkeep) {
  test_database db;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pg_class c JOIN pg_am am ON am.oid = c.relam WHERE am.amname = 'brin' "
                      "AND NOT coalesce(c.reloptions @> '{autosummarize=off}', false) "
                      "AND c.relnamespace = 'public'::regnamespace"),
            "0");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pg_class c JOIN pg_am am ON am.oid = c.relam WHERE am.amname = 'brin' "
                      "AND c.relnamespace = 'public'::regnamespace"),
            "3");
}

TEST(IndexUpkeep, OneProcessAtATime) {
  test_database db;
  make_probe(db, 500);
  pqxx::connection other(db.url()), c(db.url());
  prepare(c);
  pqxx::work holder(other);
  holder.exec("SELECT pg_advisory_xact_lock(hashtext('helpdesk_index_upkeep'))");
  const auto r = upkeep(c, true);
  EXPECT_FALSE(r.ran);
  EXPECT_EQ(r.gin_pages, 0);
  holder.abort();
  EXPECT_GT(upkeep(c, true).gin_pages, 0) << "the pass runs once the lock is free";
}

TEST(IndexUpkeep, AnIndexWhoseTableIsLockedWaitsForTheNextPass) {
  test_database db;
  make_probe(db, 1000);
  pqxx::connection vacuum_like(db.url()), c(db.url());
  prepare(c);
  pqxx::work holder(vacuum_like);
  holder.exec("LOCK TABLE upkeep_probe IN SHARE UPDATE EXCLUSIVE MODE");  // what VACUUM holds
  const auto started = std::chrono::steady_clock::now();
  const auto r = upkeep(c, true);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  EXPECT_TRUE(r.ran);
  EXPECT_GE(r.busy, 1) << "the BRIN summary needs the table lock";
  EXPECT_GT(r.gin_pages, 0) << "the other indexes are still looked after";
  holder.abort();
  EXPECT_GT(upkeep(c, true).brin_ranges, 0);
}

TEST(IndexUpkeep, LeavesIndexesOfOtherOwnersAlone) {
  test_database db(/*migrate=*/false);
  const std::string url = db.hand_to_plain_owner();
  pqxx::connection c(url);
  store::apply_migrations(c, [](const std::string&) {});
  // One probe owned by the superuser the test database connects as, one by
  // the server's role.
  make_probe(db, 500);
  make_probe(
      [&](const std::string& sql) {
        pqxx::work tx(c);
        tx.exec(sql);
        tx.commit();
      },
      500, "own_probe");
  prepare(c);
  const auto r = upkeep(c, true);
  EXPECT_TRUE(r.ran);
  EXPECT_EQ(r.busy, 0);
  EXPECT_GT(r.gin_pages, 0) << "its own index is looked after";
  EXPECT_GT(r.brin_ranges, 0);
  pqxx::connection super(db.url());
  pqxx::work tx(super);
  EXPECT_GT(tx.exec1("SELECT gin_clean_pending_list('upkeep_probe_body')")[0].as<long long>(), 0)
      << "the upkeep merged an index it does not own";
  EXPECT_EQ(tx.exec1("SELECT gin_clean_pending_list('own_probe_body')")[0].as<long long>(), 0);
}
