#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <map>
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

// A database that applied a migration keeps it; editing the file afterwards
// would leave that database without the change (the server only warns).
// Change the schema in a new migration and add its checksum here.
TEST(Migrations, LandedOnesNeverChange) {
  const std::map<int, std::string> landed = {
      {1, "524e8dd7bd9e4814af4ed7f844613b12b441edd1dd0bb904c583c04647d8b33f"},
      {2, "3e30098f6aaf3c66f6cef8db62a14f2487957d4be0dc272995a0e9f84cda3be2"},
      {3, "eddd3e4bb650de45e84fe1224eb40e7bc46de15e579961634982f78f3459840e"},
      {4, "fcdf36d0f4b644a50c9fb441a83899539efc0fb2cee065e6499b695ea3794f95"},
      {5, "d0f6a6951195fdc2ebe92c04cf7fb1eb564637b09deba7923813788a52fc59d1"},
      {6, "8f06c49e74c222d3f2ee2a35dd1d0f129c95c05c2e12d8499d2a552fa7e126c9"},
      {7, "a48be1a9beed46d532379a43630dbcdd8e7706bda8b8610f31da2581dc0a89f0"},
      {8, "dc148ef8687aa3322453b1005458f0807181ef3502ec43c538d13f295dbb66a7"},
      {9, "06efdfeb9e969a7f8939d3a52843ef59a104fc6dc1fd92bf8edae18a0f2b40c7"},
      {10, "d6f9faffdc0d642dc02a6387bd8f22244bddf2002e58e15a9522c2f78450894b"},
      {11, "98e7cf5d803dfeedfaa2e6318d12d4a833b8422af01a5f244a6aef71796f5703"},
      {12, "485e98e063ef6ce2b43420320eaf26450353fc2d653a967173149b4ff55f0d72"},
      {13, "944bb3738d176d7fbb768de5eb4bb1ef78c83572fcc200cb9ec031c9585bf579"},
      {14, "5c28f05fe9169afc7013d33ba33470bfe7cc0e4785b7921cf01527d179303c7c"},
      {15, "e4be75e1f7f6874b24a7c1e7a08ce3415974fc8b8dc56676120560e640b32d87"},
      {16, "b9ebc4d85f9ee975aad7a66ea0a08b577d256b80838c35217d83360afba91fce"},
      {17, "5b35c55777f6713961943d82bc23f5ede9557db4adba90a7ecf983470ccde33d"},
      {18, "1eb705d518a645b5785fea925819148cb939e2bc7130b9595ac5478c83a5e3a6"},
      {19, "9ec8dcfa9d0152ecd8cdc70b9a1877b64e4ee91d159b21c56485f9ca1349cb05"},
      {20, "bd251581f7c32982141bb63dbf94b31da58f9eefeaf7be912a0b40ff7fd0aa2d"},
      {21, "b201cd466ff6cc497ec60966ee3c87f64139b174c6e476b69260ad7d7f42de57"},
      {22, "cdb03407cd2d64175254fa5ff3459ffda74a6c5cb73b56b137ec3372e3e76dd8"},
      {23, "a5b8c456b2472087e603c03e54ca464c4a780b4a492011c53b4dbdf159fd5ba9"},
      {24, "ac293116021d449314946d6291a23d8a608cbde8a26f2f19b8e62a5e78cc85ef"},
  };
  for (const auto& m : store::known_migrations()) {
    auto it = landed.find(m.version);
    ASSERT_NE(it, landed.end()) << "new migration " << m.version << " (" << m.name << "): add its checksum " << m.checksum;
    EXPECT_EQ(m.checksum, it->second) << "migration " << m.version << " (" << m.name << ") was edited";
  }
  EXPECT_EQ(store::known_migrations().size(), landed.size());
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
