#pragma once
// A fresh database per test suite on the PostgreSQL cluster that
// scripts/test starts (HELPDESK_TEST_DATABASE_URL). Without it the test fails
// loudly: a database test never skips silently.
#include <string>

#include "helpdesk/domain/auth.hpp"
#include "helpdesk/domain/directory.hpp"

namespace helpdesk::testing {

std::string admin_database_url();  // the cluster's maintenance database

class test_database {
 public:
  explicit test_database(bool migrate = true);
  ~test_database();
  test_database(const test_database&) = delete;
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

  // Direct writes for arranging a scenario.
  brand add_brand(const std::string& slug);
  agent add_agent(const std::string& email, role r, const std::vector<std::string>& brand_ids,
                  const std::string& password = "correct horse battery");
  std::string add_token(role r, const std::vector<std::string>& brand_ids = {});
  // Arranges state no endpoint can reach yet (e.g. a solved ticket).
  void exec(const std::string& sql);
  // The first column of the first row, as text ("" for none or NULL).
  std::string scalar(const std::string& sql);
  // Messages whose link to their agent's previous reply on the ticket
  // (migration 0023) is not what the replies' order gives.
  long long misplaced_reply_links();
  // Makes a role that is no superuser (hd_plain_owner) the database's owner,
  // as on a managed PostgreSQL; returns a URL that connects as that role.
  std::string hand_to_plain_owner();

 private:
  std::string name_;
  std::string url_;
};

}  // namespace helpdesk::testing
