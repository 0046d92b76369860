#pragma once
// What agents read: the customer card and timeline, tickets and their
// messages, attachments; and the explicit customer merge. Everything is
// checked against the caller's brands (outside them: "not found").
#include <string>
#include <vector>

#include "helpdesk/app/calendar_cache.hpp"
#include "helpdesk/domain/auth.hpp"
#include "helpdesk/store/db_pool.hpp"
#include "helpdesk/store/support_repos.hpp"

namespace helpdesk::app {

struct customer_card {
  store::customer_row customer;
  std::vector<store::ticket_row> open_tickets;
  std::vector<store::customers::channel_summary> channels;
  std::vector<store::customers::suggestion> suggestions;
};

struct merge_outcome {
  store::customers::merge_counts counts;
  customer_card survivor;
};

class support_service {
 public:
  support_service(store::db_pool& db, calendar_cache& calendars) : db_(db), calendars_(calendars) {}

  awaitable<std::vector<store::customer_row>> search_customers(const principal& who, std::string q,
                                                               store::page_request page);
  awaitable<customer_card> card(const principal& who, std::string id);
  // Replaces the customer's flags ("vip"); SLA policies may select on them.
  awaitable<customer_card> set_flags(const principal& who, std::string id, std::vector<std::string> flags);
  awaitable<std::vector<store::message_row>> timeline(const principal& who, std::string id, store::page_request page);
  awaitable<merge_outcome> merge(const principal& who, std::string survivor, std::string merged);

  awaitable<std::vector<store::ticket_row>> list_tickets(const principal& who, store::tickets::list_filter f,
                                                         store::page_request page);
  awaitable<store::ticket_row> ticket(const principal& who, std::string id);
  // An agent's edit of status, priority or tags. `expected_version`, when
  // given, must be the ticket's current version (else 412, nothing changes).
  awaitable<store::ticket_row> edit_ticket(const principal& who, std::string id, store::tickets::ticket_edit e,
                                           std::optional<int> expected_version);
  awaitable<std::vector<store::message_row>> messages(const principal& who, std::string ticket_id,
                                                      store::page_request page);
  awaitable<store::attachment_row> attachment(const principal& who, std::string id);

 private:
  store::db_pool& db_;
  calendar_cache& calendars_;
};

}  // namespace helpdesk::app
