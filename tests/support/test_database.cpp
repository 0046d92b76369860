#include "support/test_database.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "helpdesk/app/directory_service.hpp"
#include "helpdesk/security/password.hpp"
#include "helpdesk/store/migrations.hpp"
#include "helpdesk/store/repositories.hpp"

namespace helpdesk::testing {
namespace {

std::string with_database(const std::string& url, const std::string& db) {
  auto slash = url.rfind('/');
  auto q = url.find('?', slash);
  return url.substr(0, slash + 1) + db + (q == std::string::npos ? "" : url.substr(q));
}

// Runs fn in one committed transaction on a fresh connection with the
// server's prepared statements.
template <class F>
auto in_transaction(const std::string& url, F fn) {
  pqxx::connection c(url);
  for (const auto& s : store::all_statements()) c.prepare(s.name, s.sql);
  pqxx::work tx(c);
  auto result = fn(tx);
  tx.commit();
  return result;
}

// argon2 at full cost is slow under sanitizers; test agents use the minimum
// cost that still produces a real argon2id hash.
const security::argon2_params fast_params{1024, 1, 1};

}  // namespace

std::string admin_database_url() {
  const char* url = std::getenv("HELPDESK_TEST_DATABASE_URL");
  if (!url || !*url) {
    ADD_FAILURE() << "HELPDESK_TEST_DATABASE_URL is not set: run the tests through ./scripts/test";
    std::abort();
  }
  return url;
}

test_database::test_database(bool migrate) {
  static std::atomic<int> counter{0};
  name_ = "hd_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  pqxx::connection admin(admin_database_url());
  pqxx::nontransaction tx(admin);
  tx.exec("DROP DATABASE IF EXISTS " + name_);
  tx.exec("CREATE DATABASE " + name_);
  url_ = with_database(admin_database_url(), name_);
  if (migrate) {
    pqxx::connection c(url_);
    store::apply_migrations(c, [](const std::string&) {});
  }
}

test_database::~test_database() {
  try {
    pqxx::connection admin(admin_database_url());
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // Left behind on a dead cluster; scripts/test removes the cluster anyway.
  }
}

brand test_database::add_brand(const std::string& slug) {
  brand_fields f;
  f.name = "Brand " + slug;
  f.slug = slug;
  validate_new_brand(f);
  return in_transaction(url_, [&](pqxx::work& tx) { return store::brands::insert(tx, f); });
}

void test_database::exec(const std::string& sql) {
  in_transaction(url_, [&](pqxx::work& tx) { return tx.exec(sql).affected_rows(); });
}

std::string test_database::hand_to_plain_owner() {
  {
    pqxx::connection admin(admin_database_url());
    pqxx::nontransaction tx(admin);
    tx.exec("DO $$ BEGIN CREATE ROLE hd_plain_owner LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
    tx.exec("ALTER DATABASE " + name_ + " OWNER TO hd_plain_owner");
  }
  std::string url = url_;
  const auto at = url.find("://") + 3;
  url.replace(at, url.find('@', at) - at, "hd_plain_owner");
  return url;
}

std::string test_database::scalar(const std::string& sql) {
  return in_transaction(url_, [&](pqxx::work& tx) {
    auto r = tx.exec(sql);
    return r.empty() || r[0][0].is_null() ? std::string() : r[0][0].as<std::string>();
  });
}

long long test_database::misplaced_reply_links() {
  return std::stoll(scalar(
      "SELECT count(*) FROM (SELECT agent_previous_reply_at AS stored, CASE WHEN message_is_agent_reply(direction, "
      "author_agent_id, automatic, channel) THEN lag(occurred_at) OVER (PARTITION BY ticket_id, author_agent_id, "
      "message_is_agent_reply(direction, author_agent_id, automatic, channel) ORDER BY occurred_at, id) END AS truth "
      "FROM messages) x WHERE stored IS DISTINCT FROM truth"));
}

agent test_database::add_agent(const std::string& email, role r, const std::vector<std::string>& brand_ids,
                               const std::string& password) {
  agent_fields f;
  f.name = "Agent " + email;
  f.email = email;
  f.role_ = r;
  std::vector<agent_brand> list;
  for (const auto& id : brand_ids) list.push_back({id, brand_membership::primary});
  f.brands = list;
  const auto hash = security::hash_password(password, fast_params);
  return in_transaction(url_, [&](pqxx::work& tx) { return store::agents::insert(tx, f, hash); });
}

std::string test_database::add_token(role r, const std::vector<std::string>& brand_ids) {
  return in_transaction(url_, [&](pqxx::work& tx) {
    return app::issue_api_token(tx, "test " + std::string(to_string(r)), r, brand_ids).secret;
  });
}

}  // namespace helpdesk::testing
