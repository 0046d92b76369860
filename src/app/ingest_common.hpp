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

// What the router needs of a new ticket: its language (the event's when
// given, else CLD2's on the customer's words, else the brand's default),
// the event's tags, and its source (given, else the first external id's
// system). A guessed decision is thrown away, so it skips the detection.
void set_routing_facts(store::tickets::new_ticket& t, const port& p, const brand& b,
                       const std::optional<std::string>& language, std::string_view text,
                       std::vector<std::string> tags, std::optional<std::string> source,
                       const std::vector<std::string>& external_ids);

// Places a new ticket in its queue as the router's pass would, before it is
// inserted: placing it afterwards rewrote every new ticket and its indexes,
// a sixth of what an email cost. Returns the data of the `queued` event to
// log (by the router) after `created`. Tickets sent back to queue choice (a
// reopened ticket, a callback) are still placed by the router's pass.
std::optional<json> place_in_queue(port& p, store::tickets::new_ticket& t);

// The message of an inbound event on ticket `r`, with the fields every
// channel fills; the channel adds its own.
store::message_row new_message(const ingest_result& r, const std::string& brand_id, std::string channel,
                               std::string direction);

// An inbound event of any channel as a group-commit job: the channel's
// decision applied to the event. Every event conflicts on its
// Idempotency-Key; the channel adds what else it touches.
template <class Event>
class event_job final : public job {
 public:
  using decide_fn = ingest_result (*)(port&, brand_cache&, const principal&, const ingest_meta&, const Event&,
                                      const ingest_options&);
  event_job(decide_fn how, brand_cache& brands, const principal& who, ingest_meta meta, Event event,
            const ingest_options& opts)
      : decide_(how), brands_(brands), who_(who), meta_(std::move(meta)), event_(std::move(event)), opts_(opts) {
    if (meta_.idempotency_key) conflicts_with("idem:" + *meta_.idempotency_key);
  }
  ingest_result decide(port& p) override { return decide_(p, brands_, who_, meta_, event_, opts_); }
  const Event& event() const { return event_; }
  const ingest_meta& meta() const { return meta_; }
  using job::conflicts_with;
  using job::conflicts_with_phone;

 private:
  decide_fn decide_;
  brand_cache& brands_;
  const principal& who_;
  ingest_meta meta_;
  Event event_;
  const ingest_options& opts_;
};
// The ticket events of one inbound event, written together at its end.
class event_log {
 public:
  void add(std::string kind, json data) { events_.push_back({std::move(kind), std::move(data)}); }
  void add(std::string kind, json data, std::string actor) {
    events_.push_back({std::move(kind), std::move(data), std::move(actor)});
  }
  std::string dump() const { return events_.dump(); }

 private:
  json events_ = json::array();
};

}  // namespace helpdesk::app::ingest
