#pragma once
// Storage of the queue router: queues, the agents' routing state, the
// assignment of tickets, presence intervals, callback attempts and the outbox.
//
// Locking order, which every writer keeps so that none deadlocks: agent rows
// first (FOR UPDATE, by id), then ticket rows. Capacity holds because every
// assignment to an agent happens while its row is locked and the load is
// counted after the lock; no ticket gets two agents because an assignment is
// a conditional update on a still-unassigned ticket.
#include <optional>
#include <string>
#include <vector>

#include "helpdesk/domain/routing.hpp"
#include "helpdesk/store/repositories.hpp"

namespace pqxx {
class transaction_base;
}

namespace helpdesk::store {

namespace queues {
std::vector<routing::queue_def> for_brand(pqxx::transaction_base& tx, const std::string& brand_id);
// The queues of several brands, each brand's in position order.
std::vector<routing::queue_def> for_brands(pqxx::transaction_base& tx, const std::vector<std::string>& brand_ids);
std::vector<routing::queue_def> list(pqxx::transaction_base& tx, const brand_scope& scope,
                                     const std::optional<std::string>& brand_id, const page_request& page);
std::optional<routing::queue_def> find(pqxx::transaction_base& tx, const std::string& id);
routing::queue_def insert(pqxx::transaction_base& tx, const routing::queue_def& q);
routing::queue_def update(pqxx::transaction_base& tx, const routing::queue_def& q);
// Waiting tickets go back to the router to pick another queue.
void remove(pqxx::transaction_base& tx, const std::string& id);
}  // namespace queues

namespace router {

// The online agents serving the brand (primary or backup), locked, with their
// load; agents locked by someone else are skipped.
std::vector<routing::agent_profile> lock_agents_of_brand(pqxx::transaction_base& tx, const std::string& brand_id);
std::vector<routing::agent_profile> agents_of_brand(pqxx::transaction_base& tx, const std::string& brand_id);
std::optional<routing::agent_profile> lock_agent(pqxx::transaction_base& tx, const std::string& agent_id);
// The same without a lock and without the load, for readers asking what the
// agent may take rather than whether they have room now.
std::optional<routing::agent_profile> agent(pqxx::transaction_base& tx, const std::string& agent_id);

// A ticket as the router sees it.
struct routed_ticket {
  routing::ticket_facts facts;
  std::string status;
  std::optional<std::string> queue_id;
  std::optional<std::string> assignee_id;
  int overflow_steps = 0;
};

// Brands with open unassigned tickets (queued or not).
std::vector<std::string> brands_with_waiting(pqxx::transaction_base& tx);
// Open tickets not yet in a queue, oldest first.
std::vector<routed_ticket> unqueued(pqxx::transaction_base& tx, const std::string& brand_id, int limit);
struct queue_placement {
  std::string ticket_id;
  std::string queue_id;
  std::string reason;
};
// Puts each ticket (still without a queue) in its queue; returns how many moved.
long long place(pqxx::transaction_base& tx, const std::string& brand_id, const std::vector<queue_placement>& list);
// Open unassigned tickets of the queues, most urgent first.
std::vector<routed_ticket> waiting(pqxx::transaction_base& tx, const std::vector<std::string>& queue_ids, int limit);
std::optional<routed_ticket> ticket(pqxx::transaction_base& tx, const std::string& id, bool lock);

struct widened {
  std::string ticket_id;
  int steps = 0;
  std::string details_json;
};
void record_widenings(pqxx::transaction_base& tx, const std::string& brand_id, const std::vector<widened>& list);

struct assignment {
  std::string ticket_id;
  std::string agent_id;
  std::string queue_id;  // empty: none
  std::string reason;
};
// Assigns each ticket that is still unassigned and new or open (also
// pending or on hold when `any_workable`: a person chose it); returns the
// assignments made (a ticket taken meanwhile is left out). `by` names the
// path: router, claim, pull, transfer.
std::vector<assignment> assign(pqxx::transaction_base& tx, const std::string& brand_id,
                               const std::vector<assignment>& list, const std::string& by, const std::string& actor,
                               bool any_workable = false);
// Takes the ticket away from its agent, keeping its place in line; `requeue`
// sends it back to queue choice, `handed_back` keeps the router from
// pushing it to the same agent again. False when it had no agent.
bool unassign(pqxx::transaction_base& tx, const std::string& ticket_id, const std::string& reason,
              const std::string& actor, bool requeue, bool handed_back);
// Moves an unassigned ticket to a queue chosen by a person.
void move_to_queue(pqxx::transaction_base& tx, const std::string& ticket_id, const std::string& queue_id,
                   const std::string& actor);
// The agent's tickets that are neither solved nor closed.
std::vector<std::string> open_tickets_of(pqxx::transaction_base& tx, const std::string& agent_id);

// True when the presence changed; closes the open interval and opens one.
bool set_presence(pqxx::transaction_base& tx, const std::string& agent_id, routing::presence p,
                  const std::string& actor);

struct callback_attempt {
  std::string ticket_id;
  std::string brand_id;
  std::string agent_id;  // empty: not an agent
  std::string outcome;   // reached | no_answer | wrong_number | voicemail_left
  std::string note;
};
// Stores the attempt; a reached customer or a wrong number ends the callback.
std::string record_callback(pqxx::transaction_base& tx, const callback_attempt& a, const std::string& actor);
std::vector<std::string> customer_phones(pqxx::transaction_base& tx, const std::string& customer_id);

// An internal note written by an agent (transfers carry one).
void add_note(pqxx::transaction_base& tx, const std::string& ticket_id, const std::string& author_agent_id,
              const std::string& text);
void event(pqxx::transaction_base& tx, const std::string& ticket_id, const std::string& brand_id,
           const std::string& kind, const std::string& actor, const std::string& data_json);
void outbox(pqxx::transaction_base& tx, const std::string& brand_id, const std::string& type,
            const std::string& payload_json);

// The ticket's routing events, newest first.
struct routing_event {
  std::string kind;
  std::string actor;
  std::string data_json;
  timestamp at{};
};
std::vector<routing_event> history(pqxx::transaction_base& tx, const std::string& ticket_id, int limit);

}  // namespace router

std::vector<prepared_statement> routing_statements();

}  // namespace helpdesk::store
