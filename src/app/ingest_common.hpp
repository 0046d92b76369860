#pragma once
// Steps shared by the three inbound use cases (private to the app module).
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "helpdesk/app/brand_cache.hpp"
#include "helpdesk/app/ingest_service.hpp"
#include "helpdesk/store/support_repos.hpp"
#include "ingest_port.hpp"

namespace helpdesk::app::ingest {

using json = nlohmann::json;

// ?brand= first, then the recipients, then the only brand of the token.
brand resolve_brand(pqxx::transaction_base& tx, brand_cache& cache, const principal& who,
                    const std::optional<std::string>& hint, const std::vector<std::string>& recipients);

// Claims the natural key and the Idempotency-Key. A value: the answer to
// replay. Throws validation when a key was used with a different request.
std::optional<ingest_result> claim_keys(port& p, const principal& who, const ingest_meta& meta,
                                        const std::string& scope, const std::string& natural_key, long long idem_ttl);
class event_log;
// Writes the ticket events and stores the answer under the keys, together.
void finish(port& p, const principal& who, const ingest_meta& meta, const std::string& scope,
            const std::string& natural_key, const ingest_result& r, const std::string& brand_id, const event_log& events);

// Which customer the identities name (looked up, not yet written).
customer_resolution identify(port& p, const std::string& brand_id, const std::vector<identity>& ids);
// The resolved customer (or `preferred`), created when nobody is known;
// unknown identities join it, other named customers become merge suggestions.
std::string settle_customer(port& p, const std::string& brand_id, customer_resolution r,
                            const std::string& name, timestamp at, const std::string& preferred = {});

std::string number_of(const brand& b, long long number);
// The ticket events of one inbound event, written together at its end.
class event_log {
 public:
  void add(std::string kind, json data) { events_.push_back({std::move(kind), std::move(data)}); }
  std::string dump() const { return events_.dump(); }

 private:
  json events_ = json::array();
};

}  // namespace helpdesk::app::ingest
