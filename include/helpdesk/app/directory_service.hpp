#pragma once
// Use cases over the directory: brands, agents and API tokens, each checked
// against the caller's brand scope (objects outside it are "not found").
#include <string>
#include <vector>

#include "helpdesk/app/cpu_pool.hpp"
#include "helpdesk/domain/auth.hpp"
#include "helpdesk/domain/directory.hpp"
#include "helpdesk/store/db_pool.hpp"
#include "helpdesk/store/repositories.hpp"

namespace pqxx {
class transaction_base;
}

namespace helpdesk::app {

class auth_service;

struct issued_token {
  store::tokens::api_token token;
  std::string secret;  // shown once
};

// Shared by the API and the CLI: creates a token inside the caller's transaction.
issued_token issue_api_token(pqxx::transaction_base& tx, const std::string& name, role r,
                             const std::vector<std::string>& brand_ids);

class directory_service {
 public:
  directory_service(store::db_pool& db, cpu_pool& cpu, auth_service& auth) : db_(db), cpu_(cpu), auth_(auth) {}

  awaitable<std::vector<brand>> list_brands(const principal& who, store::page_request page);
  awaitable<brand> get_brand(const principal& who, std::string id);
  awaitable<brand> create_brand(const principal& who, brand_fields f);
  awaitable<brand> update_brand(const principal& who, std::string id, brand_fields f);

  awaitable<std::vector<agent>> list_agents(const principal& who, store::page_request page);
  awaitable<agent> get_agent(const principal& who, std::string id);
  awaitable<agent> create_agent(const principal& who, agent_fields f);
  awaitable<agent> update_agent(const principal& who, std::string id, agent_fields f);

  awaitable<issued_token> create_token(const principal& who, std::string name, role r,
                                       std::vector<std::string> brand_ids);
  awaitable<std::vector<store::tokens::api_token>> list_tokens(const principal& who, store::page_request page);
  awaitable<void> revoke_token(const principal& who, std::string id);

 private:
  awaitable<void> check_brands_assignable(const principal& who, const std::vector<std::string>& ids,
                                          const char* pointer_prefix, bool pairs);
  store::db_pool& db_;
  cpu_pool& cpu_;
  auth_service& auth_;
};

}  // namespace helpdesk::app
