#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "helpdesk/cli/config.hpp"

using namespace helpdesk::cli;

namespace {
parsed_command_line parse(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  return parse_command_line(args, env, {"role", "name", "brand"});
}
std::string temp_file(const std::string& content) {
  char tmpl[] = "/tmp/helpdesk-config-XXXXXX";
  int fd = mkstemp(tmpl);
  close(fd);
  std::ofstream(tmpl) << content;
  return tmpl;
}
}  // namespace

TEST(Config, DefaultsAreSensible) {
  auto p = parse({"serve"});
  EXPECT_EQ(p.cfg.listen, "127.0.0.1:8080");
  EXPECT_EQ(p.cfg.body_limit, 1024 * 1024);
  EXPECT_EQ(p.cfg.db_queue_timeout_ms, 2000);
  EXPECT_FALSE(p.cfg.migrate);
  ASSERT_EQ(p.positional.size(), 1u);
  EXPECT_EQ(p.positional[0], "serve");
}

TEST(Config, PrecedenceIsFileThenEnvironmentThenFlags) {
  auto file = temp_file(R"({"db_pool": 7, "threads": 3, "log_format": "json", "listen": "127.0.0.1:9000"})");
  auto p = parse({"serve", "--config", file, "--threads=5"},
                 {{"HELPDESK_THREADS", "4"}, {"HELPDESK_LISTEN", "0.0.0.0:9100"}});
  EXPECT_EQ(p.cfg.db_pool, 7);            // file only
  EXPECT_EQ(p.cfg.log_format, "json");    // file only
  EXPECT_EQ(p.cfg.listen, "0.0.0.0:9100");  // environment beats file
  EXPECT_EQ(p.cfg.threads, 5);            // flag beats environment
  std::remove(file.c_str());
}

TEST(Config, ReportsHaveTheirOwnStatementTimeout) {
  EXPECT_EQ(parse({"serve"}, {}).cfg.report_timeout_ms, 120000);
  EXPECT_EQ(parse({"serve", "--report-timeout-ms=30000"}, {}).cfg.report_timeout_ms, 30000);
  EXPECT_EQ(parse({"serve"}, {{"HELPDESK_REPORT_TIMEOUT_MS", "45000"}}).cfg.report_timeout_ms, 45000);
}

TEST(Config, ConfigFileFromEnvironment) {
  auto file = temp_file(R"({"statement_timeout_ms": 1234})");
  auto p = parse({"serve"}, {{"HELPDESK_CONFIG", file}});
  EXPECT_EQ(p.cfg.statement_timeout_ms, 1234);
  std::remove(file.c_str());
}

TEST(Config, BooleanFlagsNeedNoValue) {
  auto p = parse({"serve", "--migrate"});
  EXPECT_TRUE(p.cfg.migrate);
  EXPECT_FALSE(parse({"serve", "--access-log=false"}).cfg.access_log);
  auto spaced = parse({"serve", "--access-log", "false", "--migrate"});
  EXPECT_FALSE(spaced.cfg.access_log);
  EXPECT_TRUE(spaced.cfg.migrate);
  EXPECT_EQ(spaced.positional, std::vector<std::string>{"serve"});
}

TEST(Config, BadValuesSayWhatIsWrongInOneLine) {
  auto message = [](std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    try {
      parse(args, env);
    } catch (const config_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message({"serve", "--threads", "many"}), "threads: 'many' is not a whole number");
  EXPECT_EQ(message({"serve", "--db-pool", "0"}), "db_pool: 0 is outside 1..256");
  EXPECT_EQ(message({"serve", "--listen", "8080"}), "listen: '8080' is not HOST:PORT");
  EXPECT_EQ(message({"serve", "--log-format", "xml"}), "log_format: must be text or json, not 'xml'");
  EXPECT_EQ(message({"serve", "--bogus", "1"}), "unknown option --bogus (see --help)");
  EXPECT_EQ(message({"serve", "--threads"}), "--threads needs a value");
  EXPECT_EQ(message({"serve"}, {{"HELPDESK_DB_POOL", "x"}}), "db_pool: 'x' is not a whole number");
  EXPECT_EQ(message({"serve", "--config", "/nonexistent/file.json"}), "config file /nonexistent/file.json: cannot be read");
}

TEST(Config, UnknownKeyInFileIsRejected) {
  auto file = temp_file(R"({"thread": 2})");
  EXPECT_THROW(parse({"serve", "--config", file}), config_error);
  std::remove(file.c_str());
}

TEST(Config, CommandFlagsAreCollected) {
  auto p = parse({"token", "create", "--role", "admin", "--name=bootstrap", "--brand", "a", "--brand", "b"});
  EXPECT_EQ(p.command_flags.at("role"), "admin");
  EXPECT_EQ(p.command_flags.at("name"), "bootstrap");
  EXPECT_EQ(p.command_flags.at("brand"), "a,b");
}

TEST(Config, EveryOptionIsDocumentedWithEnvAndFlag) {
  for (const auto& o : describe_options()) {
    EXPECT_FALSE(o.help.empty()) << o.key;
    EXPECT_EQ(o.env.rfind("HELPDESK_", 0), 0u) << o.key;
    EXPECT_EQ(o.flag.rfind("--", 0), 0u) << o.key;
  }
}
