#include "helpdesk/app/support_service.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "helpdesk/store/routing_repos.hpp"
#include "helpdesk/store/workspace_repos.hpp"

#include "helpdesk/domain/error.hpp"
#include "helpdesk/domain/identity.hpp"
#include "helpdesk/domain/ids.hpp"

namespace helpdesk::app {
namespace {

store::customer_row visible_customer(pqxx::transaction_base& tx, const principal& who, const std::string& id) {
  auto c = is_uuid(id) ? store::customers::find(tx, id) : std::nullopt;
  if (!c || !who.can_see_brand(c->brand_id)) throw error::not_found("customer");
  return *c;
}

store::ticket_row visible_ticket(pqxx::transaction_base& tx, const principal& who, const std::string& id) {
  auto t = is_uuid(id) ? store::tickets::find(tx, id) : std::nullopt;
  if (!t || !who.can_see_brand(t->brand_id)) throw error::not_found("ticket");
  return *t;
}

customer_card read_card(pqxx::transaction_base& tx, calendar_cache& calendars, store::customer_row c) {
  customer_card card;
  store::tickets::list_filter f;
  f.customer_id = c.id;
  f.open_only = true;
  card.open_tickets = store::tickets::list(tx, store::brand_scope{true, {}}, f, {200, ""});
  calendars.attach(tx, card.open_tickets, now_utc());
  card.channels = store::customers::channel_summaries(tx, c.id);
  card.suggestions = store::customers::merge_suggestions(tx, c.id);
  card.customer = std::move(c);
  return card;
}

}  // namespace

awaitable<std::vector<store::customer_row>> support_service::search_customers(const principal& who, std::string q,
                                                                              store::page_request page) {
  auto job = [scope = store::brand_scope::of(who), q, page](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    store::customers::search_query query;
    for (char ch : q) {
      if (ch == '%' || ch == '_' || ch == '\\') query.text += '\\';
      query.text += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    // "777 123 456" finds +420777123456 when one of the caller's brands dials from CZ.
    for (const auto& region : store::brands::phone_regions(tx, scope))
      if (auto e164 = phone_query(q, region)) query.e164.push_back(*e164);
    return store::customers::search(tx, scope, query, page);
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<customer_card> support_service::card(const principal& who, std::string id) {
  auto job = [this, &who, id](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return read_card(tx, calendars_, visible_customer(tx, who, id));
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<customer_card> support_service::set_flags(const principal& who, std::string id,
                                                    std::vector<std::string> flags) {
  auto job = [this, &who, id, flags](pqxx::connection_base& c) {
    pqxx::work tx(c);
    const auto customer = visible_customer(tx, who, id);
    if (customer.merged_into) throw error(errc::conflict, "The customer was merged into another; change that one.");
    store::customers::set_flags(tx, id, flags);
    auto card = read_card(tx, calendars_, visible_customer(tx, who, id));
    tx.commit();
    return card;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<std::vector<store::message_row>> support_service::timeline(const principal& who, std::string id,
                                                                     store::page_request page) {
  auto job = [&who, id, page](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    visible_customer(tx, who, id);
    return store::messages::timeline(tx, id, page);
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<merge_outcome> support_service::merge(const principal& who, std::string survivor, std::string merged) {
  auto job = [this, &who, survivor, merged](pqxx::connection_base& c) {
    pqxx::work tx(c);
    if (is_uuid(survivor) && is_uuid(merged)) store::customers::lock_pair(tx, survivor, merged);
    auto s = visible_customer(tx, who, survivor);
    if (merged == survivor) throw error::validation({{"/customer_id", "cannot merge a customer into itself"}});
    std::optional<store::customer_row> m = is_uuid(merged) ? store::customers::find(tx, merged) : std::nullopt;
    if (!m || !who.can_see_brand(m->brand_id))
      throw error::validation({{"/customer_id", "no such customer"}});
    if (m->brand_id != s.brand_id)
      throw error::validation({{"/customer_id", "customers of different brands cannot be merged"}});
    if (s.merged_into || m->merged_into)
      throw error(errc::conflict, "One of the customers was already merged into another.");
    merge_outcome out;
    const std::string actor = who.agent_id.empty() ? "token:" + who.credential_id : "agent:" + who.agent_id;
    out.counts = store::customers::merge(tx, survivor, merged, actor);
    const nlohmann::json payload = {{"customer_id", survivor},
                                    {"merged_customer_id", merged},
                                    {"actor", actor},
                                    {"identities", out.counts.identities},
                                    {"tickets", out.counts.tickets},
                                    {"messages", out.counts.messages}};
    store::router::outbox(tx, s.brand_id, "customer.merged", payload.dump());
    out.survivor = read_card(tx, calendars_, visible_customer(tx, who, survivor));
    tx.commit();
    return out;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<std::vector<store::ticket_row>> support_service::list_tickets(const principal& who,
                                                                       store::tickets::list_filter f,
                                                                       store::page_request page) {
  auto job = [this, scope = store::brand_scope::of(who), f, page](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    auto rows = store::tickets::list(tx, scope, f, page);
    calendars_.attach(tx, rows, now_utc());
    return rows;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<store::ticket_row> support_service::ticket(const principal& who, std::string id) {
  auto job = [this, &who, id](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    std::vector<store::ticket_row> one{visible_ticket(tx, who, id)};
    calendars_.attach(tx, one, now_utc());
    one.front().viewers = store::viewing::current(tx, id, who.agent_id, 30);
    return std::move(one.front());
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<store::ticket_row> support_service::edit_ticket(const principal& who, std::string id,
                                                         store::tickets::ticket_edit e,
                                                         std::optional<int> expected_version) {
  auto job = [this, &who, id, e, expected_version](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto t = is_uuid(id) ? store::tickets::find(tx, id, true) : std::nullopt;
    if (!t || !who.can_see_brand(t->brand_id)) throw error::not_found("ticket");
    if (expected_version && *expected_version != t->version)
      throw error(errc::precondition_failed, "The ticket changed since version " + std::to_string(*expected_version) +
                                                 "; it is at version " + std::to_string(t->version) + ".")
          .with_extension("version", std::to_string(t->version));
    if (e.status) {
      const auto from = parse_ticket_status(t->status), to = parse_ticket_status(*e.status);
      if (auto why = status_change_refusal(*from, *to)) throw error(errc::conflict, "The status cannot change: " + *why + ".");
    }
    if (e.queue_id) {
      auto q = store::queues::find(tx, *e.queue_id);
      if (!q || q->brand_id != t->brand_id) throw error::validation({{"/queue_id", "is not a queue of the ticket's brand"}});
    }
    const std::string actor = who.agent_id.empty() ? "token:" + who.credential_id : "agent:" + who.agent_id;
    store::tickets::apply_edit(tx, *t, e, actor);
    std::vector<store::ticket_row> one{*store::tickets::find(tx, id)};
    calendars_.attach(tx, one, now_utc());
    tx.commit();
    return std::move(one.front());
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<std::vector<store::message_row>> support_service::messages(const principal& who, std::string ticket_id,
                                                                     store::page_request page) {
  auto job = [&who, ticket_id, page](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    visible_ticket(tx, who, ticket_id);
    return store::messages::for_ticket(tx, ticket_id, page);
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<store::attachment_row> support_service::attachment(const principal& who, std::string id) {
  auto job = [&who, id](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    auto a = is_uuid(id) ? store::messages::attachment(tx, id) : std::nullopt;
    if (!a || !who.can_see_brand(a->brand_id)) throw error::not_found("attachment");
    return *a;
  };
  co_return co_await db_.run(std::move(job));
}

}  // namespace helpdesk::app
