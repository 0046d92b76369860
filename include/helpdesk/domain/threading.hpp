#pragma once
// Which ticket an inbound email belongs to. Pure: the caller looks up the
// candidates (by Message-ID references, by the ticket token in the subject)
// and this decides. Subject text alone never threads.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "helpdesk/domain/ticket.hpp"
#include "helpdesk/domain/time.hpp"

namespace helpdesk {

// "[SHOP-1042]" for prefix SHOP and number 1042.
std::string ticket_token(std::string_view prefix, long long number);
// The number in the first "[PREFIX-123]" token of the subject for this
// brand's prefix (case-insensitive, also "[PREFIX#123]"); nullopt if none.
std::optional<long long> find_ticket_token(std::string_view subject, std::string_view prefix);
// True for "Fwd:", "Fw:", "WG:", "TR:", "PD:", "Doorst:", "VS:" and friends at the start.
bool is_forward_subject(std::string_view subject);
// The subject without reply/forward prefixes ("Re: AW: Fwd: x" -> "x").
std::string strip_subject_prefixes(std::string_view subject);

// Message-ids to look up, best first: In-Reply-To, then References from the
// newest (last) to the oldest; angle brackets stripped, duplicates and
// empties dropped, at most `limit`.
std::vector<std::string> reference_ids(std::string_view in_reply_to, const std::vector<std::string>& references,
                                       std::size_t limit = 30);
// Splits a raw References / In-Reply-To header value into ids without brackets.
std::vector<std::string> split_message_ids(std::string_view header_value);

// Our own outbound Message-ID: "<ticket-id>.<message-id>@<domain>" without brackets.
std::string outbound_message_id(std::string_view ticket_id, std::string_view message_id, std::string_view domain);
// The ticket id inside one of our outbound Message-IDs, if it is one.
std::optional<std::string> ticket_of_outbound_message_id(std::string_view id, std::string_view domain);

struct thread_candidate {
  std::string ticket_id;
  long long number = 0;
  std::string customer_id;
  ticket_status status = ticket_status::open;
  std::optional<timestamp> solved_at;  // when it was last solved or closed
  std::optional<std::string> merged_into;  // a merged ticket: where its conversation went on
};

struct thread_policy {
  int reopen_window_days = 30;  // a solved ticket older than this starts a new, linked ticket
};

enum class thread_action {
  new_ticket,         // nothing matched
  append,             // add to the ticket, status follows status_after_inbound (or unchanged if automatic)
  new_linked_ticket,  // the match is closed or too old: start a new ticket linked to it
};

struct thread_decision {
  thread_action action = thread_action::new_ticket;
  std::string ticket_id;  // append: the ticket; new_linked_ticket: the ticket to link to
  std::string matched_by;  // "references", "subject_token" or "" for new tickets
};

struct thread_input {
  std::optional<thread_candidate> by_reference;  // first stored message matching reference_ids()
  std::optional<thread_candidate> by_token;      // the ticket named by the subject token
  std::string sender_customer_id;                // customer the sender's address resolved to ("" if new)
  std::string subject;
  bool automatic = false;
  timestamp now{};
};

thread_decision decide_thread(const thread_input& in, const thread_policy& policy);

}  // namespace helpdesk
