#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <thread>

#include "helpdesk/store/migrations.hpp"
#include "support/server_process.hpp"
#include "support/test_database.hpp"

using namespace helpdesk;
using namespace helpdesk::testing;

TEST(Migrations, TwoProcessesAtOnceApplyEachMigrationOnce) {
  test_database db(/*migrate=*/false);
  const std::vector<std::string> args = {"migrate", "--database-url", db.url()};
  int a = spawn_helpdesk(args, {}, "/tmp/" + db.name() + "-a.log");
  int b = spawn_helpdesk(args, {}, "/tmp/" + db.name() + "-b.log");
  EXPECT_EQ(wait_pid(a), 0) << read_file("/tmp/" + db.name() + "-a.log");
  EXPECT_EQ(wait_pid(b), 0) << read_file("/tmp/" + db.name() + "-b.log");
  const std::string out = read_file("/tmp/" + db.name() + "-a.log") + read_file("/tmp/" + db.name() + "-b.log");
  // Exactly one of the two applied migration 1; the other found it done.
  std::size_t applied = 0;
  for (std::size_t pos = 0; (pos = out.find("applied migration 1 ", pos)) != std::string::npos; ++pos) ++applied;
  EXPECT_EQ(applied, 1u) << out;

  pqxx::connection c(db.url());
  {
    pqxx::nontransaction tx(c);
    auto r = tx.exec("SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version");
    ASSERT_EQ(r.size(), store::known_migrations().size());
    for (const auto& row : r) EXPECT_EQ(row[1].as<int>(), 1);
  }
  EXPECT_EQ(store::read_migration_status(c).current, store::latest_migration_version());
}

TEST(Migrations, ServeRefusesABehindSchemaUnlessAskedToMigrate) {
  test_database db(/*migrate=*/false);
  auto refused = run_helpdesk({"serve", "--listen", "127.0.0.1:0", "--database-url", db.url()});
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.output.find("run `helpdesk migrate` or start with --migrate"), std::string::npos) << refused.output;

  server_process server(db.url(), {"--migrate"});
  pqxx::connection c(db.url());
  EXPECT_TRUE(store::read_migration_status(c).up_to_date());
}

TEST(Migrations, RerunIsANoOp) {
  test_database db;
  auto again = run_helpdesk({"migrate", "--database-url", db.url()});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(again.output.find("applied migration"), std::string::npos) << again.output;
  EXPECT_NE(again.output.find("(0 applied now)"), std::string::npos) << again.output;
}

TEST(Cli, TokenCreatePrintsTheTokenAloneOnTheLastLine) {
  test_database db;
  auto r = run_helpdesk({"token", "create", "--role", "admin", "--name", "bootstrap", "--database-url", db.url()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string out = r.output;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  std::string last = out.substr(out.rfind('\n') + 1);
  EXPECT_EQ(last.rfind("hdk_", 0), 0u) << last;
  EXPECT_EQ(last.size(), 47u);

  pqxx::connection c(db.url());
  pqxx::nontransaction tx(c);
  auto row = tx.exec1("SELECT role, name, token_sha256 <> '' FROM api_tokens");
  EXPECT_EQ(row[0].as<std::string>(), "admin");
  EXPECT_EQ(row[1].as<std::string>(), "bootstrap");
  // Only the digest is stored, never the token itself.
  EXPECT_TRUE(tx.exec("SELECT 1 FROM api_tokens WHERE token_sha256 = '" + tx.esc(last) + "'").empty());
}

TEST(Cli, HelpListsEveryOptionWithItsEnvironmentVariable) {
  auto r = run_helpdesk({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* needle : {"serve [--migrate]", "token create --role R", "--database-url V", "HELPDESK_DATABASE_URL",
                             "--shutdown-delay-ms V", "--migrate ", "Bad configuration exits with status 2"})
    EXPECT_NE(r.output.find(needle), std::string::npos) << needle;
}

TEST(Cli, BadConfigurationExitsWithStatusTwoAndOneLine) {
  auto r = run_helpdesk({"serve", "--db-pool", "zero"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.output, "helpdesk: db_pool: 'zero' is not a whole number\n");
  auto unknown = run_helpdesk({"token", "create", "--role", "emperor", "--name", "x"});
  EXPECT_EQ(unknown.exit_code, 2);
}

TEST(Housekeeping, ServerPrunesOldFailedLoginsAndDeadSessions) {
  test_database db;
  auto a = db.add_agent("old@example.com", role::agent, {});
  {
    pqxx::connection c(db.url());
    pqxx::work tx(c);
    tx.exec("INSERT INTO login_failures (email_lower, remote_addr, at) VALUES "
            "('x@example.com', '1.2.3.4', now() - interval '2 hours'), ('y@example.com', '1.2.3.4', now())");
    tx.exec("INSERT INTO sessions (agent_id, token_sha256, expires_at) VALUES "
            "('" + a.id + "', 'old', now() - interval '30 days'), ('" + a.id + "', 'live', now() + interval '1 hour')");
    tx.commit();
  }
  server_process server(db.url(), {"--housekeeping-interval-s", "1"});
  pqxx::connection c(db.url());
  std::string state;
  for (int i = 0; i < 50; ++i) {
    pqxx::nontransaction tx(c);
    state = tx.exec1("SELECT (SELECT string_agg(email_lower, ',') FROM login_failures) || '|' || "
                     "(SELECT string_agg(token_sha256, ',') FROM sessions)")[0].as<std::string>();
    if (state == "y@example.com|live") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(state, "y@example.com|live");
}
