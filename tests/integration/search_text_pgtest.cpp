// The search wrappers: unaccented 'simple' text search, inlined into the
// index expressions when the schema owner is a superuser (migration 0017),
// and the same results from an SQL wrapper when it is not.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "helpdesk/store/migrations.hpp"
#include "support/test_database.hpp"

using namespace helpdesk;
using namespace helpdesk::testing;

namespace {

std::string text(pqxx::transaction_base& tx, const std::string& sql) { return tx.exec1(sql)[0].as<std::string>(); }

// What the wrappers must answer, whichever way hd_unaccent is bound.
void expect_search_semantics(pqxx::transaction_base& tx) {
  EXPECT_EQ(text(tx, "SELECT hd_search_text('Objednávka č. 1042 pro Dvořáka')::text"),
            text(tx, "SELECT to_tsvector('simple', unaccent('Objednávka č. 1042 pro Dvořáka'))::text"));
  EXPECT_EQ(text(tx, "SELECT hd_search_text('Objednávka č. 1042 pro Dvořáka')::text"),
            "'1042':3 'c':2 'dvoraka':5 'objednavka':1 'pro':4");
  EXPECT_EQ(text(tx, "SELECT hd_search_text('OBJEDNAVKY Žluťoučký') @@ hd_search_query('objednávky zlutoucky')"), "t");
  EXPECT_EQ(text(tx, "SELECT hd_search_text('parcel') @@ hd_search_query('\"lost parcel\"')"), "f");
  EXPECT_EQ(text(tx, "SELECT hd_search_text(NULL) IS NULL"), "t");
}

// Each search index still serves the expression the search statement uses.
void expect_indexes_used(pqxx::transaction_base& tx) {
  tx.exec("SET LOCAL enable_seqscan = off");
  const std::pair<const char*, const char*> uses[] = {
      {"messages_search", "SELECT id FROM messages m WHERE hd_search_text(m.subject || ' ' || m.body_text) @@ "
                          "hd_search_query('parcel')"},
      {"tickets_search", "SELECT id FROM tickets t WHERE hd_search_text(t.subject) @@ hd_search_query('parcel')"},
      {"customers_search", "SELECT id FROM customers c WHERE hd_search_text(c.name) @@ hd_search_query('dvorak')"},
  };
  for (const auto& [index, query] : uses) {
    std::string plan;
    for (const auto& row : tx.exec(std::string("EXPLAIN ") + query)) plan += row[0].as<std::string>() + "\n";
    EXPECT_NE(plan.find(index), std::string::npos) << plan;
  }
}

std::string plan_of_wrapper(pqxx::transaction_base& tx) {
  std::string plan;
  for (const auto& row : tx.exec("EXPLAIN (VERBOSE) SELECT hd_search_text(t.subject) FROM tickets t"))
    plan += row[0].as<std::string>() + "\n";
  return plan;
}

}  // namespace

TEST(SearchText, InlinesIntoIndexesWhenOwnedByASuperuser) {
  test_database db;
  pqxx::connection c(db.url());
  pqxx::work tx(c);
  ASSERT_EQ(text(tx, "SHOW is_superuser"), "on");
  EXPECT_EQ(text(tx, "SELECT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
                     "WHERE p.proname = 'hd_unaccent'"),
            "c");
  // Inlined: the plan computes to_tsvector itself, with no SQL function
  // call (and its executor) per row.
  const auto plan = plan_of_wrapper(tx);
  EXPECT_NE(plan.find("to_tsvector"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("hd_search_text"), std::string::npos) << plan;
  expect_search_semantics(tx);
  expect_indexes_used(tx);
}

TEST(SearchText, KeepsItsResultsWhenTheOwnerIsNoSuperuser) {
  test_database db(/*migrate=*/false);
  const std::string url = db.hand_to_plain_owner();
  // The same connection migrates and searches: a session that read the
  // index expressions before migration 0017 must see them anew.
  pqxx::connection c(url);
  store::apply_migrations(c, [](const std::string&) {});
  pqxx::work tx(c);
  ASSERT_EQ(text(tx, "SHOW is_superuser"), "off");
  EXPECT_EQ(text(tx, "SELECT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
                     "WHERE p.proname = 'hd_unaccent'"),
            "sql");
  expect_search_semantics(tx);
  expect_indexes_used(tx);
}
