// What people do to routing by hand: claim, release, transfer, hand over,
// pull the next ticket, set presence, work callbacks; and the explanation of
// where a ticket stands.
#include <pqxx/pqxx>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "helpdesk/app/router_service.hpp"
#include "helpdesk/domain/error.hpp"
#include "helpdesk/domain/ids.hpp"
#include "router_internal.hpp"

namespace helpdesk::app {
namespace {

using nlohmann::json;
using store::router::routed_ticket;

std::string actor_of(const principal& who) {
  return who.agent_id.empty() ? "token:" + who.credential_id : "agent:" + who.agent_id;
}

bool is_manager(const principal& who) { return who.role_ == role::admin || who.role_ == role::manager; }

const std::string& agent_of(const principal& who, const char* action) {
  if (who.agent_id.empty())
    throw error(errc::forbidden, std::string("Only a signed-in agent can ") + action + ": an API token has no agent.");
  return who.agent_id;
}

// The ticket, visible to the caller, or 404.
routed_ticket visible_ticket(pqxx::transaction_base& tx, const principal& who, const std::string& id, bool lock) {
  if (!is_uuid(id)) throw error::not_found("ticket");
  auto t = store::router::ticket(tx, id, lock);
  if (!t || !who.can_see_brand(t->facts.brand_id)) throw error::not_found("ticket");
  return *t;
}

bool open_work(const std::string& status) { return status == "new" || status == "open"; }
bool workable(const std::string& status) { return status != "solved" && status != "closed"; }

// Checks that the agent can hold the ticket now: it serves the brand and,
// for open work, has room on the ticket's channel.
void check_can_hold(const routing::agent_profile& a, const routed_ticket& t) {
  bool serves = false;
  for (const auto& b : a.brands) serves = serves || b.brand_id == t.facts.brand_id;
  if (!serves) throw error(errc::conflict, "The agent does not serve the ticket's brand.");
  if (!a.active) throw error(errc::conflict, "The agent is deactivated.");
  const auto ch = static_cast<std::size_t>(t.facts.channel);
  if (open_work(t.status) && a.load[ch] >= a.capacity[ch])
    throw error(errc::conflict, "The agent is at capacity for " + std::string(routing::to_string(t.facts.channel)) +
                                    " (" + std::to_string(a.load[ch]) + "/" + std::to_string(a.capacity[ch]) + ").")
        .with_extension("agent_id", a.id);
}

// Gives the (locked) ticket, which has no agent, to the (locked) agent.
void hand_to(pqxx::transaction_base& tx, const routed_ticket& t, const std::string& agent_id, const std::string& by,
             const std::string& actor, const std::string& reason) {
  auto made = store::router::assign(tx, t.facts.brand_id, {{t.facts.id, agent_id, t.queue_id.value_or(""), reason}},
                                    by, actor, true);
  if (made.empty()) throw error(errc::conflict, "The ticket can no longer be assigned (it was solved or closed).");
}

routing::agent_profile locked_agent(pqxx::transaction_base& tx, const std::string& id) {
  auto a = is_uuid(id) ? store::router::lock_agent(tx, id) : std::nullopt;
  if (!a) throw error::not_found("agent");
  return *a;
}

// An agent the caller may act on: every brand the agent serves is visible to
// the caller (the directory's rule), or it is the caller. Anyone else is "not
// found", so brands cannot be probed for their staff.
routing::agent_profile locked_agent_within(pqxx::transaction_base& tx, const principal& who, const std::string& id) {
  auto a = locked_agent(tx, id);
  if (who.all_brands || id == who.agent_id) return a;
  const bool within = !a.brands.empty() && std::all_of(a.brands.begin(), a.brands.end(), [&](const agent_brand& b) {
    return who.can_see_brand(b.brand_id);
  });
  if (!within) throw error::not_found("agent");
  return a;
}

[[noreturn]] void throw_held(const routed_ticket& t) {
  throw error(errc::conflict, "The ticket is already assigned to another agent.")
      .with_extension("holder_id", *t.assignee_id);
}

}  // namespace

awaitable<std::string> router_service::claim(const principal& who, std::string ticket_id) {
  const std::string me = agent_of(who, "claim a ticket");
  auto job = [&who, ticket_id, me](pqxx::connection_base& c) {
    pqxx::work tx(c);
    visible_ticket(tx, who, ticket_id, false);
    // Agent first, ticket second: the order every writer keeps.
    const auto agent = locked_agent(tx, me);
    const auto t = visible_ticket(tx, who, ticket_id, true);
    if (t.assignee_id == me) return ticket_id;  // claimed already: the same answer again
    if (t.assignee_id) throw_held(t);
    if (!workable(t.status)) throw error(errc::conflict, "A " + t.status + " ticket cannot be claimed.");
    check_can_hold(agent, t);
    hand_to(tx, t, me, "claim", actor_of(who), "claimed");
    tx.commit();
    return ticket_id;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<void> router_service::release(const principal& who, std::string ticket_id) {
  auto job = [&who, ticket_id](pqxx::connection_base& c) {
    pqxx::work tx(c);
    const auto t = visible_ticket(tx, who, ticket_id, true);
    if (!t.assignee_id) throw error(errc::conflict, "The ticket has no agent to release it.");
    if (*t.assignee_id != who.agent_id && !is_manager(who))
      throw error(errc::forbidden, "Only the agent holding the ticket or a manager can release it.");
    store::router::unassign(tx, ticket_id, "released", actor_of(who), false, true);
    tx.commit();
  };
  co_await db_.run(std::move(job));
  kick();
}

awaitable<void> router_service::transfer(const principal& who, std::string ticket_id, transfer_request r) {
  auto job = [&who, ticket_id, r](pqxx::connection_base& c) {
    pqxx::work tx(c);
    const auto before = visible_ticket(tx, who, ticket_id, false);
    if (!is_manager(who) && before.assignee_id && *before.assignee_id != who.agent_id)
      throw error(errc::forbidden, "Only the agent holding the ticket or a manager can transfer it.");
    std::optional<routing::agent_profile> target;
    if (r.agent_id) target = locked_agent_within(tx, who, *r.agent_id);
    const auto t = visible_ticket(tx, who, ticket_id, true);
    // Again on the locked row: the ticket may have been claimed meanwhile.
    if (!is_manager(who) && t.assignee_id && *t.assignee_id != who.agent_id)
      throw error(errc::forbidden, "Only the agent holding the ticket or a manager can transfer it.");
    if (!workable(t.status)) throw error(errc::conflict, "A " + t.status + " ticket cannot be transferred.");
    json data = {{"from_agent_id", t.assignee_id ? json(*t.assignee_id) : json(nullptr)}};
    if (target) {
      if (t.assignee_id == target->id) throw error(errc::conflict, "The ticket is already with that agent.");
      check_can_hold(*target, t);
      if (t.assignee_id) store::router::unassign(tx, ticket_id, "transferred", actor_of(who), false, false);
      hand_to(tx, t, target->id, "transfer", actor_of(who), "transferred");
      data["to_agent_id"] = target->id;
    } else {
      const auto q = is_uuid(*r.queue_id) ? store::queues::find(tx, *r.queue_id) : std::nullopt;
      if (!q || q->brand_id != t.facts.brand_id)
        throw error::validation({{"/queue_id", "is not a queue of the ticket's brand"}});
      if (t.assignee_id) store::router::unassign(tx, ticket_id, "transferred", actor_of(who), false, true);
      store::router::move_to_queue(tx, ticket_id, q->id, actor_of(who));
      data["to_queue_id"] = q->id;
    }
    if (!r.note.empty()) {
      store::router::add_note(tx, ticket_id, who.agent_id, r.note);
      data["note"] = r.note;
    }
    store::router::event(tx, ticket_id, t.facts.brand_id, "transferred", actor_of(who), data.dump());
    tx.commit();
  };
  co_await db_.run(std::move(job));
  kick();
}

awaitable<handover_outcome> router_service::handover(const principal& who, std::string agent_id, std::string note) {
  auto job = [&who, agent_id, note](pqxx::connection_base& c) {
    pqxx::work tx(c);
    locked_agent_within(tx, who, agent_id);
    // Away from work: the router must not send the tickets straight back.
    store::router::set_presence(tx, agent_id, routing::presence::offline, actor_of(who));
    handover_outcome out;
    for (const auto& id : store::router::open_tickets_of(tx, agent_id)) {
      const auto t = store::router::ticket(tx, id, true);
      if (!t || t->assignee_id != agent_id) continue;
      store::router::unassign(tx, id, "handover", actor_of(who), true, false);
      if (!note.empty()) store::router::add_note(tx, id, who.agent_id, note);
      out.ticket_ids.push_back(id);
    }
    tx.commit();
    return out;
  };
  auto out = co_await db_.run(std::move(job));
  kick();
  co_return out;
}

awaitable<std::optional<std::string>> router_service::next(const principal& who) {
  const std::string me = agent_of(who, "take the next ticket");
  auto job = [&who, me, opts = opts_](pqxx::connection_base& c) -> std::optional<std::string> {
    pqxx::work tx(c);
    auto agent = locked_agent(tx, me);
    std::vector<routing::queue_def> queues;
    for (const auto& b : agent.brands)
      if (who.can_see_brand(b.brand_id))
        for (auto& q : store::queues::for_brand(tx, b.brand_id)) queues.push_back(std::move(q));
    std::vector<std::string> ids;
    for (const auto& q : queues) ids.push_back(q.id);
    // Pulling is asking for work: the agent counts as present for it.
    agent.status = routing::presence::online;
    const timestamp now = now_utc();
    for (const auto& t : store::router::waiting(tx, ids, opts.scan_limit)) {
      const auto* q = router_detail::queue_by_id(queues, t.queue_id);
      if (!q) continue;
      const auto w = routing::widening_after(*q, router_detail::seconds_between(t.facts.waiting_since, now));
      const auto v = routing::evaluate(agent, *q, t.facts, w);
      if (!v.eligible) continue;
      auto made = store::router::assign(tx, t.facts.brand_id, {{t.facts.id, me, q->id, v.reason}}, "pull",
                                        actor_of(who));
      if (made.empty()) continue;  // taken meanwhile by another process
      tx.commit();
      return t.facts.id;
    }
    return std::nullopt;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<void> router_service::set_presence(const principal& who, std::string agent_id, routing::presence p) {
  if (agent_id != who.agent_id && !is_manager(who))
    throw error(errc::forbidden, "Agents set their own presence; a manager can set anyone's.");
  auto job = [&who, agent_id, p](pqxx::connection_base& c) {
    pqxx::work tx(c);
    locked_agent_within(tx, who, agent_id);
    store::router::set_presence(tx, agent_id, p, actor_of(who));
    tx.commit();
  };
  co_await db_.run(std::move(job));
  if (p == routing::presence::online) kick();
}

awaitable<callback_outcome> router_service::callback(const principal& who, std::string ticket_id, callback_request r) {
  auto job = [&who, ticket_id, r](pqxx::connection_base& c) {
    pqxx::work tx(c);
    const auto t = visible_ticket(tx, who, ticket_id, true);
    callback_outcome out;
    if (r.outcome) {
      store::router::callback_attempt a{ticket_id, t.facts.brand_id, who.agent_id, *r.outcome, r.note};
      out.attempt_id = store::router::record_callback(tx, a, actor_of(who));
    }
    if (r.dial) {
      const auto row = store::tickets::find(tx, ticket_id);
      const auto phones = store::router::customer_phones(tx, row->customer_id);
      if (phones.empty()) throw error(errc::conflict, "The customer has no phone number to call.");
      json payload = {{"ticket_id", ticket_id},
                      {"ticket_number", row->display_number()},
                      {"customer_id", row->customer_id},
                      {"to", phones.front()},
                      {"agent_id", who.agent_id.empty() ? json(nullptr) : json(who.agent_id)}};
      store::router::outbox(tx, t.facts.brand_id, "callback.requested", payload.dump());
      store::router::event(tx, ticket_id, t.facts.brand_id, "callback_dialled", actor_of(who), payload.dump());
      out.dial_requested = true;
    }
    tx.commit();
    return out;
  };
  auto out = co_await db_.run(std::move(job));
  kick();
  co_return out;
}

awaitable<routing_explanation> router_service::explain(const principal& who, std::string ticket_id) {
  auto job = [&who, ticket_id](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    routing_explanation out;
    out.ticket = visible_ticket(tx, who, ticket_id, false);
    const auto& t = out.ticket;
    const auto queues = store::queues::for_brand(tx, t.facts.brand_id);
    const auto choice = routing::choose_queue(queues, t.facts);
    for (const auto& check : choice.checks)
      out.queue_checks.push_back({check.queue->id, check.queue->name, check.matched, check.reason});
    if (choice.chosen) out.matching_queue_id = choice.chosen->id;
    if (const auto* q = router_detail::queue_by_id(queues, t.queue_id)) out.queue = *q;
    const timestamp now = now_utc();
    out.waited_seconds = router_detail::seconds_between(t.facts.waiting_since, now);
    const routing::queue_def* q = out.queue ? &*out.queue : choice.chosen;
    auto agents = store::router::agents_of_brand(tx, t.facts.brand_id);
    if (q) {
      out.widening = routing::widening_after(*q, out.waited_seconds);
      for (auto& a : agents) out.candidates.push_back({a, routing::evaluate(a, *q, t.facts, out.widening)});
      if (auto pick = routing::pick_agent(agents, *q, t.facts, out.widening))
        out.recommended_agent_id = agents[pick->index].id;
    }
    out.history = store::router::history(tx, ticket_id, 50);
    return out;
  };
  co_return co_await db_.run(std::move(job));
}

}  // namespace helpdesk::app
