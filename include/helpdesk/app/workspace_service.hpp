#pragma once
// An agent's work on tickets: replies (stored as outbound messages that
// thread back), internal notes with @mentions, the delivery reports of the
// integrations that send replies, and the views of the agent's work.
#include <optional>
#include <string>
#include <vector>

#include "helpdesk/app/calendar_cache.hpp"
#include "helpdesk/domain/auth.hpp"
#include "helpdesk/store/db_pool.hpp"
#include "helpdesk/store/workspace_repos.hpp"

namespace helpdesk::app {

struct workspace_options {
  std::string message_id_domain = "helpdesk.invalid";  // right-hand side of our Message-IDs
};

struct reply_draft {
  std::string body_text;
  std::string body_html;
  std::optional<std::string> channel;  // email or chat; default: the ticket's
  std::vector<std::string> cc;
  std::optional<std::string> status_after;
  std::optional<std::string> canned_response_id;  // the body is this canned response, filled in
};

struct reply_outcome {
  store::message_row message;
  store::ticket_row ticket;      // the ticket that got the reply (a follow-up of a closed one)
  bool follow_up = false;
};

struct note_draft {
  std::string body_text;
  std::vector<std::string> mention_ids;
};

class workspace_service {
 public:
  workspace_service(store::db_pool& db, calendar_cache& calendars, workspace_options opts)
      : db_(db), calendars_(calendars), opts_(std::move(opts)) {}

  awaitable<reply_outcome> reply(const principal& who, std::string ticket_id, reply_draft d);
  awaitable<store::message_row> note(const principal& who, std::string ticket_id, note_draft d);
  // An integration's report on an outbound message: sent, delivered, failed, bounced.
  awaitable<store::message_row> report_delivery(const principal& who, std::string message_id, std::string status,
                                                std::string reason, timestamp at);

  awaitable<std::vector<store::canned_responses::row>> list_canned(const principal& who,
                                                                  store::canned_responses::filter f,
                                                                  store::page_request page);
  awaitable<store::canned_responses::row> canned(const principal& who, std::string id);
  awaitable<store::canned_responses::row> create_canned(const principal& who, store::canned_responses::row r);
  // Fields not given keep their value; a language of nullopt makes it any-language.
  awaitable<store::canned_responses::row> update_canned(const principal& who, std::string id,
                                                        std::optional<std::string> name, std::optional<std::string> body,
                                                        std::optional<std::optional<std::string>> language);
  awaitable<void> delete_canned(const principal& who, std::string id);

  // The caller's heartbeat on a ticket; answers the other agents on it.
  awaitable<std::vector<store::ticket_viewer>> viewing(const principal& who, std::string ticket_id, bool composing);
  struct merge_result {
    store::ticket_row target;
    long long messages = 0;
  };
  // Merges ticket `source` into `target`: messages move, `source` closes and redirects.
  awaitable<merge_result> merge(const principal& who, std::string source, std::string target);

  // Full-text search over the caller's brands: ticket subjects, message
  // text, customer names, emails and phone numbers in any spelling.
  awaitable<std::vector<store::search::hit>> search(const principal& who, std::string text,
                                                    std::optional<std::string> brand_id, std::size_t offset,
                                                    std::size_t limit);

  awaitable<std::vector<store::ticket_row>> view(const principal& who, store::views::view_query q);
  awaitable<store::views::counts> view_counts(const principal& who, long long breaching_within_s);

 private:
  store::db_pool& db_;
  calendar_cache& calendars_;
  workspace_options opts_;
};

}  // namespace helpdesk::app
