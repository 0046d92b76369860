#pragma once
// Repositories: the only code that knows SQL. Each function works inside a
// transaction its caller (an app use case) opens and commits.
#include <optional>
#include <string>
#include <vector>

#include "helpdesk/domain/auth.hpp"
#include "helpdesk/domain/directory.hpp"
#include "helpdesk/store/db_pool.hpp"

namespace pqxx {
class transaction_base;
}

namespace helpdesk::store {

// Every named statement, prepared on each pooled connection when it opens.
std::vector<prepared_statement> all_statements();

struct page_request {
  std::size_t limit = 50;
  std::string after_id;  // exclusive cursor; empty for the first page
};

// Brand scope of a query: all brands, or only these ids.
struct brand_scope {
  bool all = false;
  std::vector<std::string> ids;
  static brand_scope of(const principal& p) { return {p.all_brands, p.brand_ids}; }
};

namespace brands {
brand insert(pqxx::transaction_base& tx, const brand_fields& f);
std::optional<brand> find(pqxx::transaction_base& tx, const std::string& id);
std::vector<brand> list(pqxx::transaction_base& tx, const brand_scope& scope, const page_request& page);
brand update(pqxx::transaction_base& tx, const std::string& id, const brand_fields& f);
std::vector<std::string> existing_ids(pqxx::transaction_base& tx, const std::vector<std::string>& ids);
}  // namespace brands

namespace agents {
struct credentials {
  agent who;
  std::string password_hash;
};
agent insert(pqxx::transaction_base& tx, const agent_fields& f, const std::string& password_hash);
std::optional<agent> find(pqxx::transaction_base& tx, const std::string& id);
std::optional<credentials> find_by_email(pqxx::transaction_base& tx, const std::string& email);
// Agents that share a brand with the scope (all agents for an unlimited scope).
std::vector<agent> list(pqxx::transaction_base& tx, const brand_scope& scope, const page_request& page);
agent update(pqxx::transaction_base& tx, const std::string& id, const agent_fields& f,
             const std::optional<std::string>& password_hash);
}  // namespace agents

namespace tokens {
struct api_token {
  std::string id;
  std::string name;
  role role_ = role::integration;
  std::string prefix;
  std::vector<std::string> brand_ids;
  timestamp created_at{};
  std::optional<timestamp> last_used_at;
  std::optional<timestamp> revoked_at;
};
api_token insert(pqxx::transaction_base& tx, const std::string& name, role r,
                 const std::string& sha256, const std::string& prefix,
                 const std::vector<std::string>& brand_ids);
// Tokens whose brands all lie within the scope (every token for an unlimited scope).
std::vector<api_token> list(pqxx::transaction_base& tx, const brand_scope& scope, const page_request& page);
std::optional<api_token> find(pqxx::transaction_base& tx, const std::string& id);
bool revoke(pqxx::transaction_base& tx, const std::string& id);
// Resolves an unrevoked token by digest and stamps last_used_at.
std::optional<api_token> authenticate(pqxx::transaction_base& tx, const std::string& sha256);
}  // namespace tokens

namespace sessions {
struct session_row {
  std::string id;
  std::string agent_id;
  timestamp expires_at{};
};
session_row insert(pqxx::transaction_base& tx, const std::string& agent_id, const std::string& sha256,
                   long long ttl_seconds, const std::string& remote_addr);
// Unexpired, unrevoked session of an active agent.
std::optional<session_row> authenticate(pqxx::transaction_base& tx, const std::string& sha256);
bool revoke(pqxx::transaction_base& tx, const std::string& id);
}  // namespace sessions

namespace login_failures {
struct counts {
  long long by_email = 0;
  long long by_addr = 0;
};
counts recent(pqxx::transaction_base& tx, const std::string& email_lower, const std::string& addr,
              long long window_seconds);
void record(pqxx::transaction_base& tx, const std::string& email_lower, const std::string& addr);
// Serialises attempts on one email until the transaction ends.
void lock_email(pqxx::transaction_base& tx, const std::string& email_lower);
void clear(pqxx::transaction_base& tx, const std::string& email_lower);
}  // namespace login_failures

namespace housekeeping {
struct pruned {
  long long login_failures = 0;
  long long sessions = 0;
};
// Deletes failed logins older than the throttling window and sessions that
// expired or were revoked more than retention_seconds ago.
pruned prune(pqxx::transaction_base& tx, long long login_window_seconds, long long session_retention_seconds);
}  // namespace housekeeping

}  // namespace helpdesk::store
