#include "helpdesk/app/auth_service.hpp"

#include <pqxx/pqxx>

#include "helpdesk/domain/directory.hpp"
#include "helpdesk/domain/error.hpp"
#include "helpdesk/security/password.hpp"
#include "helpdesk/security/tokens.hpp"
#include "helpdesk/store/repositories.hpp"

namespace helpdesk::app {
namespace {

error unauthorized() {
  return error(errc::unauthorized, "A valid bearer token or session is required.");
}

struct lookup {
  bool found = false;
  principal who;
  timestamp session_expires{};
};

lookup lookup_credential(pqxx::connection_base& c, const std::string& digest, bool is_session) {
  pqxx::work tx(c);
  lookup out;
  if (is_session) {
    auto s = store::sessions::authenticate(tx, digest);
    if (!s) return out;
    auto a = store::agents::find(tx, s->agent_id);
    if (!a || !a->active) return out;
    out.who = scope_for_agent(*a);
    out.who.credential_id = s->id;
    out.session_expires = s->expires_at;
  } else {
    auto t = store::tokens::authenticate(tx, digest);
    if (!t) return out;
    out.who.kind = credential_kind::api_token;
    out.who.credential_id = t->id;
    out.who.name = t->name;
    out.who.role_ = t->role_;
    out.who.brand_ids = t->brand_ids;
    out.who.all_brands = t->brand_ids.empty();
  }
  tx.commit();
  out.found = true;
  return out;
}

}  // namespace

auth_service::lookup_state auth_service::cache_get(const std::string& digest, cached& out) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  auto it = cache_.find(digest);
  if (it == cache_.end()) return lookup_state::miss;
  cached& entry = it->second;
  if (now <= entry.fresh_until) {
    out = entry;
    return lookup_state::fresh;
  }
  if (now > entry.fresh_until + opts_.stale_grace) {
    cache_.erase(it);
    return lookup_state::miss;
  }
  out = entry;
  if (entry.refreshing) return lookup_state::stale;
  entry.refreshing = true;
  return lookup_state::refresh;
}

void auth_service::cache_refresh_failed(const std::string& digest) {
  std::lock_guard lock(mutex_);
  if (auto it = cache_.find(digest); it != cache_.end()) it->second.refreshing = false;
}

void auth_service::cache_put(const std::string& digest, cached entry) {
  std::lock_guard lock(mutex_);
  // A crude bound: a flood of distinct bogus tokens empties the cache rather
  // than growing it without limit.
  if (cache_.size() >= opts_.cache_max_entries) cache_.clear();
  cache_[digest] = std::move(entry);
}

void auth_service::forget_cached(const std::string& credential_id) {
  std::lock_guard lock(mutex_);
  for (auto it = cache_.begin(); it != cache_.end();)
    it = it->second.who.credential_id == credential_id ? cache_.erase(it) : std::next(it);
}

void auth_service::forget_agent(const std::string& agent_id) {
  std::lock_guard lock(mutex_);
  for (auto it = cache_.begin(); it != cache_.end();)
    it = it->second.who.agent_id == agent_id ? cache_.erase(it) : std::next(it);
}

awaitable<principal> auth_service::authenticate(std::string bearer) {
  if (!security::looks_like_token(bearer)) throw unauthorized();
  const std::string digest = security::sha256_hex(bearer);
  cached hit;
  const auto state = cache_get(digest, hit);
  if (state == lookup_state::fresh || state == lookup_state::stale) {
    if (!hit.valid) throw unauthorized();
    if (hit.who.kind == credential_kind::session && hit.session_expires <= now_utc()) throw unauthorized();
    co_return hit.who;
  }
  bool leader = state == lookup_state::refresh;
  if (state == lookup_state::miss) {
    {
      std::lock_guard lock(mutex_);
      leader = inflight_.insert(digest).second;
    }
    if (!leader) {
      asio::steady_timer pause(co_await asio::this_coro::executor);
      for (int i = 0; i < 400; ++i) {
        pause.expires_after(std::chrono::milliseconds(5));
        beast::error_code ec;
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        const auto again = cache_get(digest, hit);
        if (again == lookup_state::fresh || again == lookup_state::stale) {
          if (!hit.valid) throw unauthorized();
          if (hit.who.kind == credential_kind::session && hit.session_expires <= now_utc()) throw unauthorized();
          co_return hit.who;
        }
        std::lock_guard lock(mutex_);
        if (!inflight_.count(digest)) break;  // the first lookup failed: try once more ourselves
      }
    }
  }
  struct inflight_guard {
    auth_service& self;
    const std::string& digest;
    bool active;
    ~inflight_guard() {
      if (!active) return;
      std::lock_guard lock(self.mutex_);
      self.inflight_.erase(digest);
    }
  } guard{*this, digest, state == lookup_state::miss && leader};
  const bool is_session = bearer.rfind(security::session_token_prefix, 0) == 0;
  auto job = [digest, is_session](pqxx::connection_base& c) { return lookup_credential(c, digest, is_session); };
  std::optional<lookup> found;
  std::exception_ptr failure;
  try {
    found = co_await db_.run(std::move(job));
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    if (state == lookup_state::refresh) cache_refresh_failed(digest);
    std::rethrow_exception(failure);
  }
  // Negative answers are cached too, so a client hammering with a bad token
  // costs one query per TTL, not one per request.
  cache_put(digest, {found->who, std::chrono::steady_clock::now() + opts_.cache_ttl, found->session_expires,
                     found->found, false});
  if (!found->found) throw unauthorized();
  co_return found->who;
}

awaitable<login_result> auth_service::login(std::string email, std::string password, std::string remote_addr) {
  const std::string email_lower = lower_ascii(email);
  auto opts = opts_;
  // Every attempt is recorded as a failure before the password is checked,
  // under a per-email lock, so parallel guesses cannot all slip under the
  // limit; a success clears the record afterwards.
  auto fetch = [email_lower, remote_addr, opts](pqxx::connection_base& c) {
    pqxx::work tx(c);
    store::login_failures::lock_email(tx, email_lower);
    auto counts = store::login_failures::recent(tx, email_lower, remote_addr, opts.login_window_seconds);
    if (counts.by_email < opts.login_max_failures_per_email && counts.by_addr < opts.login_max_failures_per_addr)
      store::login_failures::record(tx, email_lower, remote_addr);
    auto creds = store::agents::find_by_email(tx, email_lower);
    tx.commit();
    return std::make_pair(counts, creds);
  };
  auto [counts, creds] = co_await db_.run(std::move(fetch));
  if (counts.by_email >= opts_.login_max_failures_per_email || counts.by_addr >= opts_.login_max_failures_per_addr)
    throw error(errc::too_many_requests, "Too many failed logins; wait before trying again.")
        .with_retry_after(static_cast<int>(opts_.login_window_seconds));

  // Unknown accounts are checked against a decoy hash so that the answer
  // takes as long as for a real account.
  const std::string hash = creds && creds->who.active ? creds->password_hash : security::decoy_password_hash();
  auto verify = [password, hash] { return security::verify_password(password, hash); };
  const bool ok = co_await cpu_.run(std::move(verify)) && creds && creds->who.active;

  if (!ok) throw error(errc::unauthorized, "The email or password is wrong.");

  const std::string token = security::generate_token(security::session_token_prefix);
  auto create = [agent_id = creds->who.id, digest = security::sha256_hex(token), ttl = opts_.session_ttl_seconds,
                 remote_addr, email_lower](pqxx::connection_base& c) {
    pqxx::work tx(c);
    store::login_failures::clear(tx, email_lower);
    auto s = store::sessions::insert(tx, agent_id, digest, ttl, remote_addr);
    tx.commit();
    return s;
  };
  auto session = co_await db_.run(std::move(create));
  co_return login_result{token, session.expires_at};
}

awaitable<long long> auth_service::prune_expired() {
  auto job = [window = opts_.login_window_seconds, keep = opts_.session_retention_seconds](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto pruned = store::housekeeping::prune(tx, window, keep);
    tx.commit();
    return pruned.login_failures + pruned.sessions;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<void> auth_service::logout(const principal& who) {
  if (who.kind != credential_kind::session)
    throw error::validation({}, "Only agent sessions log out; revoke API tokens with DELETE /v1/tokens/{id}.");
  auto revoke = [id = who.credential_id](pqxx::connection_base& c) {
    pqxx::work tx(c);
    store::sessions::revoke(tx, id);
    tx.commit();
  };
  co_await db_.run(std::move(revoke));
  forget_cached(who.credential_id);
}

}  // namespace helpdesk::app
