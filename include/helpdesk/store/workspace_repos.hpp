#pragma once
// What agents write while working a ticket: replies, internal notes, the
// delivery reports of outbound messages, and the views of their work.
#include <optional>
#include <string>
#include <vector>

#include "helpdesk/domain/routing.hpp"
#include "helpdesk/store/repositories.hpp"
#include "helpdesk/store/support_repos.hpp"

namespace pqxx {
class transaction_base;
}

namespace helpdesk::store {

namespace replies {
struct brand_facts {
  std::string name;
  std::string address;  // the first inbound address: replies come from it
  std::string reply_status_after = "pending";
};
brand_facts brand(pqxx::transaction_base& tx, const std::string& brand_id);
// The newest customer email of the ticket (the reply answers it).
std::optional<message_row> last_inbound_email(pqxx::transaction_base& tx, const std::string& ticket_id);
// The customer's email addresses, newest first.
std::vector<std::string> customer_emails(pqxx::transaction_base& tx, const std::string& customer_id);
// A reply stored: the message, the ticket's status and response times, and
// the ticket events (a JSON array of [kind, data]) in one statement.
void record(pqxx::transaction_base& tx, const message_row& m, const std::string& new_status,
            const std::string& actor, const std::string& events_json);
// A follow-up of a closed ticket (same customer, subject, channel); its number.
long long open_follow_up(pqxx::transaction_base& tx, const std::string& id, const ticket_row& closed,
                         const std::string& actor);
}  // namespace replies

namespace notes {
// Active agents of the brand among `ids`, and those with one of `emails`.
std::vector<std::string> mentionable(pqxx::transaction_base& tx, const std::string& brand_id,
                                     const std::vector<std::string>& ids, const std::vector<std::string>& emails);
void record(pqxx::transaction_base& tx, const message_row& m, const std::vector<std::string>& mentions,
            const std::string& actor);
}  // namespace notes

namespace delivery {
struct outbound_ref {
  std::string message_id;
  std::string ticket_id;
  std::string brand_id;
  std::optional<std::string> status;
};
std::optional<outbound_ref> lock_outbound(pqxx::transaction_base& tx, const std::string& message_id);
void report(pqxx::transaction_base& tx, const outbound_ref& m, const std::string& status, const std::string& reason,
            timestamp at, const std::string& actor);
}  // namespace delivery

namespace canned_responses {
struct row {
  std::string id;
  std::string brand_id;
  std::optional<std::string> language;  // none: any language
  std::string name;
  std::string body;
  timestamp created_at{};
  timestamp updated_at{};
};
void insert(pqxx::transaction_base& tx, const row& r);
std::optional<row> find(pqxx::transaction_base& tx, const std::string& id);
struct filter {
  std::optional<std::string> brand_id;
  std::optional<std::string> language;  // this language or any
};
std::vector<row> list(pqxx::transaction_base& tx, const brand_scope& scope, const filter& f, const page_request& page);
void update(pqxx::transaction_base& tx, const row& r);
bool remove(pqxx::transaction_base& tx, const std::string& id);
}  // namespace canned_responses

namespace viewing {
void heartbeat(pqxx::transaction_base& tx, const std::string& ticket_id, const std::string& agent_id, bool composing);
// Agents other than `except` seen on the ticket within `within_s`.
std::vector<ticket_viewer> current(pqxx::transaction_base& tx, const std::string& ticket_id, const std::string& except,
                                   long long within_s);
}  // namespace viewing

namespace merging {
// Moves every message of `source` to `target`, closes `source` as merged
// into it, and logs both sides. Both are locked by the caller.
struct moved {
  long long messages = 0;
};
moved merge(pqxx::transaction_base& tx, const ticket_row& source, const ticket_row& target, const std::string& actor);
}  // namespace merging

namespace search {
struct query {
  std::string text;                     // websearch syntax: words, "a phrase", -not, or
  std::vector<std::string> identities;  // the text read as an email, handle or phone number (each spelling)
  std::optional<std::string> brand_id;
  std::size_t offset = 0;
  std::size_t limit = 20;
};
struct hit {
  ticket_row ticket;
  double rank = 0;
  std::vector<std::string> matched;  // "subject", "messages", "customer"
  std::string snippet;               // from the newest matching message, matches in <b></b>
};
std::vector<hit> tickets(pqxx::transaction_base& tx, const brand_scope& scope, const query& q);
}  // namespace search

namespace views {
enum class view { mine, unassigned, breaching, callbacks };
struct view_query {
  view which = view::mine;
  std::string agent_id;
  long long breaching_within_s = 3600;
  // Keyset cursor of the urgency order: "rank|due|created|id".
  std::string after;
  std::size_t limit = 50;
  // The unassigned view's eligibility (routing::view_rules of the agent).
  std::vector<routing::view_rule> rules;
};
std::vector<ticket_row> list(pqxx::transaction_base& tx, const brand_scope& scope, const view_query& q);
struct counts {
  long long mine = 0, unassigned = 0, breaching = 0, callbacks = 0;
};
counts count(pqxx::transaction_base& tx, const brand_scope& scope, const std::string& agent_id,
             long long breaching_within_s, const std::vector<routing::view_rule>& rules);
// The agent's rules for the unassigned view: their profile against the
// queues of their brands. Empty without an agent.
std::vector<routing::view_rule> rules_for(pqxx::transaction_base& tx, const std::string& agent_id);
// The cursor after `t` in the urgency order.
std::string cursor_of(const ticket_row& t);
}  // namespace views

}  // namespace helpdesk::store
