#include "ingest_common.hpp"

#include <pqxx/pqxx>

#include <algorithm>

#include "helpdesk/domain/customer_match.hpp"
#include "helpdesk/domain/ids.hpp"
#include "helpdesk/domain/language.hpp"
#include "helpdesk/domain/ticket.hpp"

namespace helpdesk::app::ingest {
namespace {

ingest_result replay_of(const std::string& response) {
  auto doc = json::parse(response);
  ingest_result r;
  r.ticket_id = doc.at("ticket_id").get<std::string>();
  r.ticket_number = doc.at("ticket_number").get<std::string>();
  r.customer_id = doc.at("customer_id").get<std::string>();
  r.message_id = doc.value("message_id", "");
  r.replayed = true;
  return r;
}

std::string answer_json(const ingest_result& r) {
  return json{{"ticket_id", r.ticket_id},
              {"ticket_number", r.ticket_number},
              {"customer_id", r.customer_id},
              {"message_id", r.message_id}}
      .dump();
}

// A key somebody else holds: its answer, once that holder has committed
// (PostgreSQL made us wait on the unique index until then).
ingest_result replay_held(const store::inbound_keys::stored& held) {
  if (!held.response) store::retry_transaction("inbound key claimed without an answer");
  return replay_of(*held.response);
}

std::string idem_scope(const principal& who, const ingest_meta& meta) {
  return "idem:" + who.credential_id + ":" + meta.route;
}

}  // namespace

namespace {

template <class Load>
std::optional<brand> cached(brand_cache& cache, const std::string& key, Load load) {
  if (auto b = cache.get(key)) return b;
  auto b = load();
  if (b) cache.put(key, *b);
  return b;
}

}  // namespace

brand resolve_brand(pqxx::transaction_base& tx, brand_cache& cache, const principal& who,
                    const std::optional<std::string>& hint, const std::vector<std::string>& recipients) {
  std::optional<brand> b;
  if (hint) {
    b = cached(cache, "hint:" + *hint, [&] {
      return is_uuid(*hint) ? store::brands::find(tx, *hint) : store::brands::find_by_slug(tx, *hint);
    });
    if (!b || !who.can_see_brand(b->id))
      throw error::validation({{"", "unknown brand '" + *hint + "'"}}, "The brand named by ?brand= is unknown.");
    return *b;
  }
  if (!recipients.empty()) {
    std::string key = "to:";
    for (const auto& r : recipients) key += r + ",";
    b = cached(cache, key, [&] { return store::brands::find_by_inbound_address(tx, recipients); });
    if (b && who.can_see_brand(b->id)) return *b;
  }
  if (!who.all_brands && who.brand_ids.size() == 1) {
    b = cached(cache, "hint:" + who.brand_ids.front(), [&] { return store::brands::find(tx, who.brand_ids.front()); });
    if (b) return *b;
  }
  throw error::validation({{"", "no brand: no recipient is a brand's inbound address; name it with ?brand="}},
                          "The brand of this event cannot be decided.");
}

std::optional<ingest_result> claim_keys(port& p, const principal& who, const ingest_meta& meta,
                                        const std::string& scope, const std::string& natural_key, long long idem_ttl) {
  bool idem_claimed = false;
  if (meta.idempotency_key) {
    auto held = p.claim(idem_scope(who, meta), *meta.idempotency_key, meta.request_sha256,
                                           idem_ttl);
    if (held && held->request_sha256 != meta.request_sha256)
      throw error::validation({{"", "Idempotency-Key was already used for a different request"}},
                              "This Idempotency-Key was already used with a different body.");
    if (held) return replay_held(*held);
    idem_claimed = true;
  }
  // The event's own key replays whatever the body: a provider may deliver
  // one message twice with different trace headers or in another format.
  auto held = p.claim(scope, natural_key, meta.request_sha256, std::nullopt);
  if (!held) return std::nullopt;
  auto replay = replay_held(*held);
  // The fresh Idempotency-Key must answer its retries the same way.
  if (idem_claimed)
    p.complete_key(idem_scope(who, meta), *meta.idempotency_key, answer_json(replay));
  return replay;
}

void finish(port& p, const principal& who, const ingest_meta& meta, const std::string& scope,
            const std::string& natural_key, const ingest_result& r, const std::string& brand_id, const event_log& events) {
  std::optional<store::inbound_keys::key_ref> idem;
  if (meta.idempotency_key) idem = store::inbound_keys::key_ref{idem_scope(who, meta), *meta.idempotency_key};
  p.finish(r.ticket_id, brand_id, events.dump(), answer_json(r), {scope, natural_key}, idem);
}

customer_resolution identify(port& p, const std::string& brand_id, const std::vector<identity>& ids) {
  return resolve_customer(ids, p.owners(brand_id, ids));
}

std::string settle_customer(port& p, const std::string& brand_id, customer_resolution r,
                            const std::string& name, timestamp at, const std::string& preferred) {
  if (!preferred.empty() && r.customer_id != preferred) {
    // The ticket decides (a chat session, a thread): whoever else the
    // identities name is only suggested.
    if (!r.customer_id.empty()) r.suggestions.insert(r.suggestions.begin(), r.customer_id);
    std::erase(r.suggestions, preferred);
    r.customer_id = preferred;
  }
  if (r.customer_id.empty()) {
    const std::string id = new_uuid_v7();
    if (!p.create_customer(id, brand_id, name, r.to_attach, at))
      store::retry_transaction("an identity was claimed by a concurrent ingest");
    return id;
  }
  const std::string& id = r.customer_id;
  for (const auto& i : r.to_attach)
    if (!p.attach_identity(brand_id, id, i))
      store::retry_transaction("an identity was claimed by a concurrent ingest");
  for (const auto& other : r.suggestions)
    p.suggest_merge(brand_id, id, other, "one event named both customers");
  p.touch_customer(id, at, name);
  return id;
}

std::string number_of(const brand& b, long long number) { return b.ticket_prefix + "-" + std::to_string(number); }

void set_routing_facts(store::tickets::new_ticket& t, const port& p, const brand& b,
                       const std::optional<std::string>& language, std::string_view text,
                       std::vector<std::string> tags, std::optional<std::string> source,
                       const std::vector<std::string>& external_ids) {
  if (language) {
    t.language = *language;
  } else if (auto guess = p.guessing() ? std::nullopt : detect_language(text)) {
    t.language = guess->code;
    t.language_confidence = guess->confidence;
  } else {
    t.language = b.default_language;
  }
  t.tags = std::move(tags);
  for (auto it = external_ids.begin(); !source && it != external_ids.end(); ++it) source = source_of_external_id(*it);
  t.source = std::move(source);
}

std::optional<json> place_in_queue(port& p, store::tickets::new_ticket& t) {
  routing::ticket_facts f;
  f.id = t.id;
  f.brand_id = t.brand_id;
  f.callback_required = t.callback_required;
  f.channel = routing::channel_of(parse_channel(t.origin_channel).value_or(channel::email), t.callback_required);
  f.language = t.language.value_or("");
  f.tags = t.tags;
  f.source = t.source;
  const auto choice = routing::choose_queue(p.queues(t.brand_id), f);
  if (!choice.chosen) return std::nullopt;
  t.queue_id = choice.chosen->id;
  return json{{"queue_id", *t.queue_id}, {"reason", choice.reason()}};
}

store::message_row new_message(const ingest_result& r, const std::string& brand_id, std::string channel,
                               std::string direction) {
  store::message_row m;
  m.id = new_uuid_v7();
  m.ticket_id = r.ticket_id;
  m.brand_id = brand_id;
  m.customer_id = r.customer_id;
  m.channel = std::move(channel);
  m.direction = std::move(direction);
  return m;
}

}  // namespace helpdesk::app::ingest

namespace helpdesk::app {

ingest_service::ingest_service(store::db_pool& db, store::group_committer& committer, cpu_pool& cpu,
                               ingest_options opts)
    : db_(db), committer_(committer), cpu_(cpu), opts_(std::move(opts)) {
  committer_.set_batch_runner(ingest::run_batch);
}

// Outside the ingest lanes: a long delete must not share a batch with live events.
awaitable<long long> ingest_service::prune_expired_keys() {
  auto job = [](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto n = store::inbound_keys::prune_expired(tx);
    tx.commit();
    return n;
  };
  co_return co_await db_.run(std::move(job));
}

}  // namespace helpdesk::app
