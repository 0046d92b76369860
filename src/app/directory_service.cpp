#include "helpdesk/app/directory_service.hpp"

#include <pqxx/pqxx>

#include <algorithm>

#include "helpdesk/app/auth_service.hpp"
#include "helpdesk/domain/error.hpp"
#include "helpdesk/domain/ids.hpp"
#include "helpdesk/security/password.hpp"
#include "helpdesk/security/tokens.hpp"

namespace helpdesk::app {
namespace {

bool agent_visible(const principal& who, const agent& a) {
  if (who.all_brands) return true;
  return std::any_of(a.brands.begin(), a.brands.end(),
                     [&](const agent_brand& b) { return who.can_see_brand(b.brand_id); });
}

void throw_if_invalid(std::vector<field_error> errors) {
  if (!errors.empty()) throw error::validation(std::move(errors));
}

// A caller limited to some brands may only hand out what it has itself:
// never an admin (admins see every brand), never an agent without brands.
void check_no_escalation(const principal& who, const agent_fields& f, bool creating) {
  if (who.all_brands) return;
  std::vector<field_error> errors;
  if (f.role_ == role::admin) errors.push_back({"/role", "credentials limited to some brands cannot grant admin"});
  if (f.brands && f.brands->empty()) errors.push_back({"/brands", "must name at least one of your brands"});
  // A manager or agent without brands would see every brand.
  if (creating && !f.brands) errors.push_back({"/brands", "is required: name at least one of your brands"});
  throw_if_invalid(std::move(errors));
}

bool agent_within(const principal& who, const agent& a) {
  return !a.brands.empty() && std::all_of(a.brands.begin(), a.brands.end(),
                                          [&](const agent_brand& b) { return who.can_see_brand(b.brand_id); });
}

bool token_visible(const principal& who, const store::tokens::api_token& t) {
  if (who.all_brands) return true;
  if (t.brand_ids.empty()) return false;
  return std::all_of(t.brand_ids.begin(), t.brand_ids.end(), [&](const std::string& b) { return who.can_see_brand(b); });
}

}  // namespace

issued_token issue_api_token(pqxx::transaction_base& tx, const std::string& name, role r,
                             const std::vector<std::string>& brand_ids) {
  issued_token out;
  out.secret = security::generate_token(security::api_token_prefix);
  out.token = store::tokens::insert(tx, name, r, security::sha256_hex(out.secret), out.secret.substr(0, 10), brand_ids);
  return out;
}

awaitable<std::vector<brand>> directory_service::list_brands(const principal& who, store::page_request page) {
  auto job = [scope = store::brand_scope::of(who), page](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return store::brands::list(tx, scope, page);
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<brand> directory_service::get_brand(const principal& who, std::string id) {
  if (!is_uuid(id) || !who.can_see_brand(id)) throw error::not_found("brand");
  auto job = [id](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return store::brands::find(tx, id);
  };
  auto found = co_await db_.run(std::move(job));
  if (!found) throw error::not_found("brand");
  co_return *found;
}

awaitable<brand> directory_service::create_brand(const principal& who, brand_fields f) {
  if (!who.all_brands)
    throw error(errc::forbidden, "Credentials limited to some brands cannot create brands.");
  throw_if_invalid(validate_new_brand(f));
  auto job = [f](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto b = store::brands::insert(tx, f);
    tx.commit();
    return b;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<brand> directory_service::update_brand(const principal& who, std::string id, brand_fields f) {
  if (!is_uuid(id) || !who.can_see_brand(id)) throw error::not_found("brand");
  throw_if_invalid(validate_brand_patch(f));
  auto job = [id, f](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto b = store::brands::update(tx, id, f);
    tx.commit();
    return b;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<void> directory_service::check_brands_assignable(const principal& who, const std::vector<std::string>& ids,
                                                           const char* pointer_prefix, bool pairs) {
  std::vector<field_error> errors;
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (!is_uuid(ids[i]) || !who.can_see_brand(ids[i]))
      errors.push_back({std::string(pointer_prefix) + std::to_string(i) + (pairs ? "/brand_id" : ""), "unknown brand"});
  throw_if_invalid(std::move(errors));
  if (ids.empty()) co_return;
  auto job = [ids](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return store::brands::existing_ids(tx, ids);
  };
  auto existing = co_await db_.run(std::move(job));
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (std::find(existing.begin(), existing.end(), ids[i]) == existing.end())
      errors.push_back({std::string(pointer_prefix) + std::to_string(i) + (pairs ? "/brand_id" : ""), "unknown brand"});
  throw_if_invalid(std::move(errors));
}

awaitable<std::vector<agent>> directory_service::list_agents(const principal& who, store::page_request page) {
  auto job = [scope = store::brand_scope::of(who), page](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return store::agents::list(tx, scope, page);
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<agent> directory_service::get_agent(const principal& who, std::string id) {
  if (!is_uuid(id)) throw error::not_found("agent");
  auto job = [id](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return store::agents::find(tx, id);
  };
  auto found = co_await db_.run(std::move(job));
  if (!found || !agent_visible(who, *found)) throw error::not_found("agent");
  co_return *found;
}

awaitable<agent> directory_service::create_agent(const principal& who, agent_fields f) {
  throw_if_invalid(validate_new_agent(f));
  check_no_escalation(who, f, true);
  if (f.brands) {
    std::vector<std::string> ids;
    for (const auto& b : *f.brands) ids.push_back(b.brand_id);
    co_await check_brands_assignable(who, ids, "/brands/", true);
  }
  auto hash_job = [password = *f.password] { return security::hash_password(password); };
  std::string hash = co_await cpu_.run(std::move(hash_job));
  auto job = [f, hash](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto a = store::agents::insert(tx, f, hash);
    tx.commit();
    return a;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<agent> directory_service::update_agent(const principal& who, std::string id, agent_fields f) {
  auto current = co_await get_agent(who, id);  // 404 unless visible
  throw_if_invalid(validate_agent_patch(f));
  check_no_escalation(who, f, false);
  // Changing an agent who also works for brands the caller cannot see would
  // reach into those brands (a new password is a login there).
  if (!who.all_brands && (current.role_ == role::admin || !agent_within(who, current)))
    throw error(errc::forbidden, "Credentials limited to some brands cannot change an agent who also serves other brands.");
  if (f.brands) {
    std::vector<std::string> ids;
    for (const auto& b : *f.brands) ids.push_back(b.brand_id);
    co_await check_brands_assignable(who, ids, "/brands/", true);
  }
  std::optional<std::string> hash;
  if (f.password) {
    auto hash_job = [password = *f.password] { return security::hash_password(password); };
    hash = co_await cpu_.run(std::move(hash_job));
  }
  auto job = [id, f, hash](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto a = store::agents::update(tx, id, f, hash);
    tx.commit();
    return a;
  };
  auto updated = co_await db_.run(std::move(job));
  // A role, brand or activity change alters what the agent's sessions may do.
  if (f.role_ || f.brands || f.active || f.password) auth_.forget_agent(id);
  co_return updated;
}

awaitable<issued_token> directory_service::create_token(const principal& who, std::string name, role r,
                                                        std::vector<std::string> brand_ids) {
  std::vector<field_error> errors;
  if (name.empty() || name.size() > 200) errors.push_back({"/name", "must be 1 to 200 characters"});
  if (!who.all_brands && brand_ids.empty())
    errors.push_back({"/brand_ids", "must name at least one of your brands: an empty list means every brand"});
  throw_if_invalid(std::move(errors));
  co_await check_brands_assignable(who, brand_ids, "/brand_ids/", false);
  auto job = [name, r, brand_ids](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto t = issue_api_token(tx, name, r, brand_ids);
    tx.commit();
    return t;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<std::vector<store::tokens::api_token>> directory_service::list_tokens(const principal& who,
                                                                                 store::page_request page) {
  auto job = [scope = store::brand_scope::of(who), page](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return store::tokens::list(tx, scope, page);
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<void> directory_service::revoke_token(const principal& who, std::string id) {
  if (!is_uuid(id)) throw error::not_found("token");
  auto job = [id, who](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto found = store::tokens::find(tx, id);
    if (!found || !token_visible(who, *found)) return false;
    bool done = store::tokens::revoke(tx, id);
    tx.commit();
    return done;
  };
  if (!co_await db_.run(std::move(job))) throw error::not_found("token");
  auth_.forget_cached(id);
}

}  // namespace helpdesk::app
