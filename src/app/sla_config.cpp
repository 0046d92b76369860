// Calendars and SLA policies: who may see and change them, and what makes
// one valid. Shared calendars (no brand) are the admin's; a manager keeps the
// calendars and policies of the brands it manages.
#include <pqxx/pqxx>

#include "helpdesk/app/sla_service.hpp"
#include "helpdesk/domain/error.hpp"
#include "helpdesk/domain/ids.hpp"
#include "helpdesk/store/routing_repos.hpp"
#include "helpdesk/store/sla_codec.hpp"
#include "helpdesk/store/support_repos.hpp"

namespace helpdesk::app {
namespace {

bool is_admin(const principal& who) { return who.role_ == role::admin; }

store::calendar_row visible_calendar(pqxx::transaction_base& tx, const principal& who, const std::string& id) {
  auto c = is_uuid(id) ? store::calendars::find(tx, id) : std::nullopt;
  if (!c || (c->brand_id && !who.can_see_brand(*c->brand_id))) throw error::not_found("calendar");
  return *c;
}

void check_may_edit(const principal& who, const store::calendar_row& c) {
  if (!c.brand_id && !is_admin(who))
    throw error(errc::forbidden, "Shared calendars are kept by admins; give the calendar a brand_id of yours.");
}

// Decodes and validates the definition; throws with every problem.
domain::calendar_definition checked_definition(const store::calendar_row& c) {
  std::vector<field_error> errors;
  auto def = store::sla_codec::decode_calendar(c.time_zone, c.weekly, c.holidays, errors);
  if (errors.empty()) errors = domain::validate_calendar(def);
  if (!errors.empty()) throw error::validation(std::move(errors));
  return def;
}

sla::policy_def visible_policy(pqxx::transaction_base& tx, const principal& who, const std::string& id) {
  auto p = is_uuid(id) ? store::sla_policies::find(tx, id) : std::nullopt;
  if (!p || !who.can_see_brand(p->brand_id)) throw error::not_found("SLA policy");
  return *p;
}

// The references a policy makes must stay inside its brand.
void check_references(pqxx::transaction_base& tx, const sla::policy_def& p) {
  std::vector<field_error> errors = sla::validate_policy(p);
  for (std::size_t i = 0; i < p.targets.size(); ++i) {
    const auto& id = p.targets[i].calendar_id;
    if (id.empty()) continue;
    auto c = store::calendars::find(tx, id);
    if (!c || (c->brand_id && *c->brand_id != p.brand_id))
      errors.push_back({"/targets/" + std::to_string(i) + "/calendar_id", "is not a calendar of this brand or a shared one"});
  }
  auto queue_of_brand = [&](const std::string& id) {
    auto q = is_uuid(id) ? store::queues::find(tx, id) : std::nullopt;
    return q && q->brand_id == p.brand_id;
  };
  if (p.conditions.queue_id && !queue_of_brand(*p.conditions.queue_id))
    errors.push_back({"/conditions/queue_id", "is not a queue of this brand"});
  for (std::size_t i = 0; i < p.escalation.size(); ++i)
    if (!p.escalation[i].queue_id.empty() && !queue_of_brand(p.escalation[i].queue_id))
      errors.push_back({"/escalation/" + std::to_string(i) + "/queue_id", "is not a queue of this brand"});
  if (!errors.empty()) throw error::validation(std::move(errors));
}

}  // namespace

awaitable<std::vector<store::calendar_row>> sla_service::list_calendars(const principal& who, store::page_request page) {
  auto job = [scope = store::brand_scope::of(who), page](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return store::calendars::list(tx, scope, page);
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<store::calendar_row> sla_service::calendar(const principal& who, std::string id) {
  auto job = [&who, id](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return visible_calendar(tx, who, id);
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<store::calendar_row> sla_service::create_calendar(const principal& who, store::calendar_row cal) {
  if (cal.brand_id && (!is_uuid(*cal.brand_id) || !who.can_see_brand(*cal.brand_id)))
    throw error::validation({{"/brand_id", "is not one of your brands"}});
  check_may_edit(who, cal);
  checked_definition(cal);
  auto job = [cal](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto made = store::calendars::insert(tx, cal);
    tx.commit();
    return made;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<store::calendar_row> sla_service::update_calendar(const principal& who, store::calendar_row cal) {
  checked_definition(cal);
  auto job = [&who, cal](pqxx::connection_base& c) {
    pqxx::work tx(c);
    const auto current = visible_calendar(tx, who, cal.id);
    check_may_edit(who, current);
    auto updated = store::calendars::update(tx, cal);
    // Running clocks on this calendar move with it.
    store::sla_worker::recheck_open_tickets(tx, store::sla_worker::brands_using_calendar(tx, cal.id));
    tx.commit();
    return updated;
  };
  auto updated = co_await db_.run(std::move(job));
  kick();
  co_return updated;
}

awaitable<void> sla_service::delete_calendar(const principal& who, std::string id) {
  auto job = [&who, id](pqxx::connection_base& c) {
    pqxx::work tx(c);
    check_may_edit(who, visible_calendar(tx, who, id));
    auto users = store::calendars::used_by(tx, id);
    if (!users.empty())
      throw error(errc::conflict, "The calendar is used by the SLA policy '" + users.front() + "'; change that first.");
    store::calendars::remove(tx, id);
    tx.commit();
  };
  co_await db_.run(std::move(job));
}

awaitable<std::optional<timestamp>> sla_service::deadline(const principal& who, std::string calendar_id, timestamp start,
                                                          std::int64_t business_seconds) {
  auto job = [this, &who, calendar_id, start, business_seconds](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    const auto row = visible_calendar(tx, who, calendar_id);
    auto cal = calendars_.get(tx, row.id, row.version);
    if (!cal) throw error::not_found("calendar");
    return add_business_seconds(*cal, start, business_seconds);
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<std::vector<sla::policy_def>> sla_service::list_policies(const principal& who,
                                                                   std::optional<std::string> brand_id,
                                                                   store::page_request page) {
  if (brand_id && (!is_uuid(*brand_id) || !who.can_see_brand(*brand_id))) co_return std::vector<sla::policy_def>{};
  auto job = [scope = store::brand_scope::of(who), brand_id, page](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return store::sla_policies::list(tx, scope, brand_id, page);
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<sla::policy_def> sla_service::policy(const principal& who, std::string id) {
  auto job = [&who, id](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return visible_policy(tx, who, id);
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<sla::policy_def> sla_service::create_policy(const principal& who, sla::policy_def p) {
  if (!is_uuid(p.brand_id) || !who.can_see_brand(p.brand_id))
    throw error::validation({{"/brand_id", "is not one of your brands"}});
  auto job = [p](pqxx::connection_base& c) {
    pqxx::work tx(c);
    check_references(tx, p);
    auto made = store::sla_policies::insert(tx, p);
    store::sla_worker::recheck_open_tickets(tx, {p.brand_id});
    tx.commit();
    return made;
  };
  auto made = co_await db_.run(std::move(job));
  kick();
  co_return made;
}

awaitable<sla::policy_def> sla_service::update_policy(const principal& who, sla::policy_def p) {
  auto job = [&who, p](pqxx::connection_base& c) {
    pqxx::work tx(c);
    const auto current = visible_policy(tx, who, p.id);
    if (current.brand_id != p.brand_id)
      throw error::validation({{"/brand_id", "cannot change: a policy stays with its brand"}});
    check_references(tx, p);
    auto updated = store::sla_policies::update(tx, p);
    store::sla_worker::recheck_open_tickets(tx, {p.brand_id});
    tx.commit();
    return updated;
  };
  auto updated = co_await db_.run(std::move(job));
  kick();
  co_return updated;
}

awaitable<void> sla_service::delete_policy(const principal& who, std::string id) {
  auto job = [&who, id](pqxx::connection_base& c) {
    pqxx::work tx(c);
    const auto p = visible_policy(tx, who, id);
    store::sla_policies::remove(tx, id);
    store::sla_worker::recheck_open_tickets(tx, {p.brand_id});
    tx.commit();
  };
  co_await db_.run(std::move(job));
  kick();
}

awaitable<void> sla_service::no_response_needed(const principal& who, std::string ticket_id, std::string message_id) {
  auto job = [&who, ticket_id, message_id](pqxx::connection_base& c) {
    pqxx::work tx(c);
    const auto t = is_uuid(ticket_id) ? store::tickets::find(tx, ticket_id) : std::nullopt;
    if (!t || !who.can_see_brand(t->brand_id)) throw error::not_found("ticket");
    if (!is_uuid(message_id) || !store::sla_worker::waive_response(tx, ticket_id, message_id, who.agent_id))
      throw error::not_found("customer message on this ticket");
    tx.commit();
  };
  co_await db_.run(std::move(job));
  kick();
}

}  // namespace helpdesk::app
