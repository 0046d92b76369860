#include <pqxx/pqxx>

#include "helpdesk/store/repositories.hpp"
#include "sql_util.hpp"

namespace helpdesk::store {
namespace {

#define TOKEN_COLUMNS                                                                    \
  "id, name, role, prefix, array_to_json(brand_ids)::text, " HELPDESK_SQL_MICROS(        \
      "created_at") ", " HELPDESK_SQL_MICROS("last_used_at") ", " HELPDESK_SQL_MICROS( \
      "revoked_at")

tokens::api_token read_token(const pqxx::row& r) {
  tokens::api_token t;
  t.id = r[0].as<std::string>();
  t.name = r[1].as<std::string>();
  t.role_ = parse_role(r[2].as<std::string>()).value_or(role::integration);
  t.prefix = r[3].as<std::string>();
  t.brand_ids = sql::parse_text_array(r[4]);
  t.created_at = sql::micros(r[5]);
  t.last_used_at = sql::optional_micros(r[6]);
  t.revoked_at = sql::optional_micros(r[7]);
  return t;
}

}  // namespace

std::vector<prepared_statement> credential_statements() {
  return {
      {"token_insert",
       "INSERT INTO api_tokens (name, role, token_sha256, prefix, brand_ids) VALUES ($1, $2, $3, $4, $5::uuid[]) "
       "RETURNING " TOKEN_COLUMNS},
      {"token_list",
       "SELECT " TOKEN_COLUMNS " FROM api_tokens WHERE ($3::boolean OR (brand_ids <> '{}' AND brand_ids <@ $4::uuid[])) "
       "AND ($1::text = '' OR id > nullif($1, '')::uuid) ORDER BY id LIMIT $2"},
      {"token_find", "SELECT " TOKEN_COLUMNS " FROM api_tokens WHERE id = $1"},
      {"token_revoke", "UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id"},
      // last_used_at is a coarse "seen lately" stamp: writing it on every
      // lookup would serialise all requests of one token on its row lock.
      {"token_authenticate",
       "WITH stamp AS (UPDATE api_tokens SET last_used_at = now() WHERE token_sha256 = $1 AND revoked_at IS NULL "
       "AND (last_used_at IS NULL OR last_used_at < now() - interval '60 seconds')) "
       "SELECT " TOKEN_COLUMNS " FROM api_tokens WHERE token_sha256 = $1 AND revoked_at IS NULL"},
      {"session_insert",
       "INSERT INTO sessions (agent_id, token_sha256, expires_at, remote_addr) "
       "VALUES ($1, $2, now() + make_interval(secs => $3), $4) RETURNING id, agent_id, " HELPDESK_SQL_MICROS("expires_at")},
      {"session_authenticate",
       "SELECT s.id, s.agent_id, " HELPDESK_SQL_MICROS("s.expires_at") " FROM sessions s JOIN agents a ON a.id = s.agent_id "
       "WHERE s.token_sha256 = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND a.active"},
      {"session_revoke", "UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id"},
      {"login_failures_recent",
       "SELECT (SELECT count(*) FROM login_failures WHERE email_lower = $1 AND at > now() - make_interval(secs => $3)), "
       "(SELECT count(*) FROM login_failures WHERE remote_addr = $2 AND at > now() - make_interval(secs => $3))"},
      {"login_failures_record", "INSERT INTO login_failures (email_lower, remote_addr) VALUES ($1, $2)"},
      {"login_failures_clear", "DELETE FROM login_failures WHERE email_lower = $1"},
      {"login_failures_lock", "SELECT pg_advisory_xact_lock(hashtextextended($1, 7))"},
      {"housekeeping_login_failures", "DELETE FROM login_failures WHERE at < now() - make_interval(secs => $1)"},
      {"housekeeping_sessions",
       "DELETE FROM sessions WHERE expires_at < now() - make_interval(secs => $1) "
       "OR revoked_at < now() - make_interval(secs => $1)"},
  };
}

namespace tokens {

api_token insert(pqxx::transaction_base& tx, const std::string& name, role r, const std::string& sha256,
                 const std::string& prefix, const std::vector<std::string>& brand_ids) {
  return read_token(tx.exec_prepared1("token_insert", name, std::string(to_string(r)), sha256, prefix,
                                      sql::uuid_array(brand_ids)));
}

std::vector<api_token> list(pqxx::transaction_base& tx, const brand_scope& scope, const page_request& page) {
  std::vector<api_token> out;
  for (const auto& row : tx.exec_prepared("token_list", page.after_id, static_cast<long long>(page.limit), scope.all,
                                          sql::uuid_array(scope.ids)))
    out.push_back(read_token(row));
  return out;
}

std::optional<api_token> find(pqxx::transaction_base& tx, const std::string& id) {
  auto r = tx.exec_prepared("token_find", id);
  if (r.empty()) return std::nullopt;
  return read_token(r[0]);
}

bool revoke(pqxx::transaction_base& tx, const std::string& id) {
  return !tx.exec_prepared("token_revoke", id).empty();
}

std::optional<api_token> authenticate(pqxx::transaction_base& tx, const std::string& sha256) {
  auto r = tx.exec_prepared("token_authenticate", sha256);
  if (r.empty()) return std::nullopt;
  return read_token(r[0]);
}

}  // namespace tokens

namespace sessions {

namespace {
session_row read_session(const pqxx::row& r) {
  return {r[0].as<std::string>(), r[1].as<std::string>(), sql::micros(r[2])};
}
}  // namespace

session_row insert(pqxx::transaction_base& tx, const std::string& agent_id, const std::string& sha256,
                   long long ttl_seconds, const std::string& remote_addr) {
  return read_session(tx.exec_prepared1("session_insert", agent_id, sha256, ttl_seconds, remote_addr));
}

std::optional<session_row> authenticate(pqxx::transaction_base& tx, const std::string& sha256) {
  auto r = tx.exec_prepared("session_authenticate", sha256);
  if (r.empty()) return std::nullopt;
  return read_session(r[0]);
}

bool revoke(pqxx::transaction_base& tx, const std::string& id) {
  return !tx.exec_prepared("session_revoke", id).empty();
}

}  // namespace sessions

namespace login_failures {

counts recent(pqxx::transaction_base& tx, const std::string& email_lower, const std::string& addr,
              long long window_seconds) {
  auto r = tx.exec_prepared1("login_failures_recent", email_lower, addr, window_seconds);
  return {r[0].as<long long>(), r[1].as<long long>()};
}

void record(pqxx::transaction_base& tx, const std::string& email_lower, const std::string& addr) {
  tx.exec_prepared("login_failures_record", email_lower, addr);
}

void lock_email(pqxx::transaction_base& tx, const std::string& email_lower) {
  tx.exec_prepared("login_failures_lock", email_lower);
}

void clear(pqxx::transaction_base& tx, const std::string& email_lower) {
  tx.exec_prepared("login_failures_clear", email_lower);
}

}  // namespace login_failures

namespace housekeeping {

pruned prune(pqxx::transaction_base& tx, long long login_window_seconds, long long session_retention_seconds) {
  pruned out;
  out.login_failures = tx.exec_prepared("housekeeping_login_failures", login_window_seconds).affected_rows();
  out.sessions = tx.exec_prepared("housekeeping_sessions", session_retention_seconds).affected_rows();
  return out;
}

}  // namespace housekeeping

std::vector<prepared_statement> brand_statements();
std::vector<prepared_statement> agent_statements();
std::vector<prepared_statement> customer_statements();
std::vector<prepared_statement> ticket_statements();
std::vector<prepared_statement> message_statements();
std::vector<prepared_statement> ingest_batch_statements();
std::vector<prepared_statement> queue_statements();
std::vector<prepared_statement> routing_statements();
std::vector<prepared_statement> sla_policy_statements();
std::vector<prepared_statement> sla_clock_statements();
std::vector<prepared_statement> event_statements();
std::vector<prepared_statement> workspace_statements();
std::vector<prepared_statement> report_statements();
std::vector<prepared_statement> index_upkeep_statements();

std::vector<prepared_statement> all_statements() {
  std::vector<prepared_statement> out;
  for (auto* part : {&brand_statements, &agent_statements, &credential_statements, &customer_statements,
                     &ticket_statements, &message_statements, &ingest_batch_statements, &queue_statements,
                     &routing_statements, &sla_policy_statements, &sla_clock_statements, &event_statements, &workspace_statements,
                     &report_statements, &index_upkeep_statements})
    for (auto& s : part()) out.push_back(std::move(s));
  return out;
}

}  // namespace helpdesk::store
