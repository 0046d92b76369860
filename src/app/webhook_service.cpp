#include "helpdesk/app/webhook_service.hpp"

#include <pqxx/pqxx>

#include <algorithm>

#include "helpdesk/domain/error.hpp"
#include "helpdesk/domain/ids.hpp"
#include "helpdesk/domain/webhook_target.hpp"
#include "helpdesk/security/webhook_signature.hpp"
#include "helpdesk/store/repositories.hpp"

namespace helpdesk::app {
namespace {

using store::webhooks::subscription;

void check_events(const std::vector<std::string>& events, const std::string& pointer, std::vector<field_error>& errors) {
  if (events.empty()) errors.push_back({pointer, "must name at least one event type (or \"*\")"});
  const auto& known = webhooks::event_types();
  for (std::size_t i = 0; i < events.size(); ++i)
    if (events[i] != "*" && std::find(known.begin(), known.end(), events[i]) == known.end())
      errors.push_back({pointer + "/" + std::to_string(i), "is not an event type: " + events[i]});
}

void check_brands(pqxx::transaction_base& tx, const std::vector<std::string>& brands, const std::string& pointer) {
  std::vector<field_error> errors;
  for (std::size_t i = 0; i < brands.size(); ++i)
    if (!is_uuid(brands[i])) errors.push_back({pointer + "/" + std::to_string(i), "is not a brand id"});
  if (errors.empty()) {
    const auto found = store::brands::existing_ids(tx, brands);
    for (std::size_t i = 0; i < brands.size(); ++i)
      if (std::find(found.begin(), found.end(), brands[i]) == found.end())
        errors.push_back({pointer + "/" + std::to_string(i), "is not a brand"});
  }
  if (!errors.empty()) throw error::validation(std::move(errors));
}

subscription visible(pqxx::transaction_base& tx, const std::string& id) {
  auto s = is_uuid(id) ? store::webhooks::find(tx, id) : std::nullopt;
  if (!s) throw error::not_found("webhook");
  return *s;
}

}  // namespace

void webhook_service::check_url(const std::string& url, const std::string& pointer) const {
  auto parsed = webhooks::parse_target_url(url);
  if (auto* why = std::get_if<std::string>(&parsed)) throw error::validation({{pointer, *why}});
  if (auto why = webhooks::refused_target(std::get<webhooks::target_url>(parsed), opts_.allowed_hosts))
    throw error::validation({{pointer, *why + " Webhooks go to public addresses only."}});
}

awaitable<subscription> webhook_service::create(const principal&, webhook_draft d) {
  std::vector<field_error> errors;
  check_events(d.events, "/events", errors);
  if (!errors.empty()) throw error::validation(std::move(errors));
  check_url(d.url, "/url");
  subscription s;
  s.id = new_uuid_v7();
  s.url = std::move(d.url);
  s.description = std::move(d.description);
  s.events = std::move(d.events);
  s.brands = std::move(d.brands);
  s.secret = security::new_webhook_secret();
  auto job = [s](pqxx::connection_base& c) {
    pqxx::work tx(c);
    check_brands(tx, s.brands, "/brands");
    store::webhooks::insert(tx, s);
    auto made = visible(tx, s.id);
    tx.commit();
    return made;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<std::vector<subscription>> webhook_service::list(const principal&, store::page_request page) {
  auto job = [page](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return store::webhooks::list(tx, page);
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<subscription> webhook_service::get(const principal&, std::string id) {
  auto job = [id](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return visible(tx, id);
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<subscription> webhook_service::update(const principal&, std::string id, store::webhooks::subscription_edit e) {
  std::vector<field_error> errors;
  if (e.events) check_events(*e.events, "/events", errors);
  if (e.state && *e.state != "active" && *e.state != "paused")
    errors.push_back({"/state", "must be active or paused"});
  if (!errors.empty()) throw error::validation(std::move(errors));
  if (e.url) check_url(*e.url, "/url");
  auto job = [id, e](pqxx::connection_base& c) {
    pqxx::work tx(c);
    visible(tx, id);
    if (e.brands) check_brands(tx, *e.brands, "/brands");
    store::webhooks::update(tx, id, e);
    auto s = visible(tx, id);
    tx.commit();
    return s;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<void> webhook_service::remove(const principal&, std::string id) {
  auto job = [id](pqxx::connection_base& c) {
    pqxx::work tx(c);
    if (!is_uuid(id) || !store::webhooks::remove(tx, id)) throw error::not_found("webhook");
    tx.commit();
  };
  co_await db_.run(std::move(job));
}

awaitable<subscription> webhook_service::rotate_secret(const principal&, std::string id) {
  auto job = [id, secret = security::new_webhook_secret(), overlap = opts_.rotation_overlap_s](pqxx::connection_base& c) {
    pqxx::work tx(c);
    if (!is_uuid(id) || !store::webhooks::rotate_secret(tx, id, secret, overlap)) throw error::not_found("webhook");
    auto s = visible(tx, id);
    tx.commit();
    return s;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<std::vector<store::webhooks::delivery_row>> webhook_service::deliveries(const principal&, std::string id,
                                                                                 store::page_request page) {
  auto job = [id, page](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    visible(tx, id);
    return store::webhooks::deliveries(tx, id, page);
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<void> webhook_service::replay(const principal&, std::string id, std::string delivery_id) {
  auto job = [id, delivery_id](pqxx::connection_base& c) {
    pqxx::work tx(c);
    visible(tx, id);
    if (!is_uuid(delivery_id) || !store::webhooks::replay(tx, id, delivery_id)) throw error::not_found("delivery");
    store::webhooks::notify_deliveries(tx);
    tx.commit();
  };
  co_await db_.run(std::move(job));
}

awaitable<long long> webhook_service::prune_history() {
  if (opts_.history_days <= 0) co_return 0;
  // Small batches, each its own transaction: a backlog of months (the first
  // pass after an upgrade) never holds locks or a snapshot for long.
  constexpr long long batch = 5000;
  constexpr int most_batches = 40;
  long long total = 0;
  for (int i = 0; i < most_batches; ++i) {
    auto job = [days = opts_.history_days](pqxx::connection_base& c) {
      pqxx::work tx(c);
      auto n = store::retention::prune(tx, days, batch);
      tx.commit();
      return n;
    };
    const auto n = co_await db_.run(std::move(job));
    total += n.total();
    if (n.feed < batch && n.outbox < batch && n.deliveries < batch) break;
  }
  co_return total;
}

}  // namespace helpdesk::app
