// Queues: managed per brand by managers, read by every staff member.
#include <pqxx/pqxx>

#include "helpdesk/app/router_service.hpp"
#include "helpdesk/domain/error.hpp"
#include "helpdesk/domain/ids.hpp"
#include "helpdesk/store/sla_repos.hpp"

namespace helpdesk::app {
namespace {

routing::queue_def visible_queue(pqxx::transaction_base& tx, const principal& who, const std::string& id) {
  auto q = is_uuid(id) ? store::queues::find(tx, id) : std::nullopt;
  if (!q || !who.can_see_brand(q->brand_id)) throw error::not_found("queue");
  return *q;
}

}  // namespace

awaitable<std::vector<routing::queue_def>> router_service::list_queues(const principal& who,
                                                                       std::optional<std::string> brand_id,
                                                                       store::page_request page) {
  if (brand_id && (!is_uuid(*brand_id) || !who.can_see_brand(*brand_id))) co_return std::vector<routing::queue_def>{};
  auto job = [scope = store::brand_scope::of(who), brand_id, page](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return store::queues::list(tx, scope, brand_id, page);
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<routing::queue_def> router_service::queue(const principal& who, std::string id) {
  auto job = [&who, id](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return visible_queue(tx, who, id);
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<routing::queue_def> router_service::create_queue(const principal& who, routing::queue_def q) {
  if (!is_uuid(q.brand_id) || !who.can_see_brand(q.brand_id))
    throw error::validation({{"/brand_id", "is not one of your brands"}});
  auto job = [q](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto made = store::queues::insert(tx, q);
    tx.commit();
    return made;
  };
  auto made = co_await db_.run(std::move(job));
  kick();
  co_return made;
}

awaitable<routing::queue_def> router_service::update_queue(const principal& who, routing::queue_def q) {
  auto job = [&who, q](pqxx::connection_base& c) {
    pqxx::work tx(c);
    const auto current = visible_queue(tx, who, q.id);
    if (q.brand_id != current.brand_id) throw error::validation({{"/brand_id", "cannot change: a queue stays with its brand"}});
    auto updated = store::queues::update(tx, q);
    tx.commit();
    return updated;
  };
  auto updated = co_await db_.run(std::move(job));
  kick();
  co_return updated;
}

awaitable<void> router_service::delete_queue(const principal& who, std::string id) {
  auto job = [&who, id](pqxx::connection_base& c) {
    pqxx::work tx(c);
    visible_queue(tx, who, id);
    const auto users = store::sla_worker::policies_using_queue(tx, id);
    if (!users.empty())
      throw error(errc::conflict, "The SLA policy '" + users.front() + "' names this queue; change that first.");
    store::queues::remove(tx, id);
    tx.commit();
  };
  co_await db_.run(std::move(job));
  kick();
}

awaitable<std::vector<store::ticket_row>> router_service::waiting(const principal& who, std::string queue_id,
                                                                 int limit) {
  auto job = [this, &who, queue_id, limit](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    visible_queue(tx, who, queue_id);
    std::vector<store::ticket_row> out;
    for (const auto& t : store::router::waiting(tx, {queue_id}, limit))
      if (auto row = store::tickets::find(tx, t.facts.id)) out.push_back(std::move(*row));
    calendars_.attach(tx, out, now_utc());
    return out;
  };
  co_return co_await db_.run(std::move(job));
}

}  // namespace helpdesk::app
