#pragma once
// Use cases of the integrations: an email, a call event or a chat message
// arrives and lands, exactly once, on the right ticket of the right customer.
// Each event runs in the group committer (its own transaction or a shared
// one) and is answered only after its commit.
#include <optional>
#include <string>
#include <vector>

#include "helpdesk/app/brand_cache.hpp"
#include "helpdesk/app/cpu_pool.hpp"
#include "helpdesk/domain/auth.hpp"
#include "helpdesk/domain/automatic_mail.hpp"
#include "helpdesk/domain/calls.hpp"
#include "helpdesk/domain/threading.hpp"
#include "helpdesk/mail/mime.hpp"
#include "helpdesk/store/group_commit.hpp"

namespace helpdesk::app {

struct ingest_options {
  int reopen_window_days = 30;
  std::string message_id_domain = "helpdesk.invalid";  // right-hand side of our outbound Message-IDs
  long long idempotency_ttl_seconds = 7 * 24 * 3600;
  long long callback_due_seconds = 1800;  // a missed call's callback deadline, in calendar time
  mail::mime_limits mime;
};

// Where an event came from and how it may be replayed.
struct ingest_meta {
  std::optional<std::string> brand;            // ?brand=<id or slug>
  std::optional<std::string> idempotency_key;  // the Idempotency-Key header
  std::string route;                           // scopes the Idempotency-Key
  std::string request_sha256;                  // of the request as received
};

struct inbound_email {
  std::string from;
  std::vector<std::string> to, cc;
  std::string reply_to;
  std::string subject;
  std::string text;
  std::string html;
  std::string message_id;
  std::string in_reply_to;
  std::vector<std::string> references;
  std::optional<timestamp> date;
  header_list headers;
  bool delivery_status_report = false;
  std::string bounced_message_id;
  std::vector<mail::attachment> attachments;
  std::vector<std::string> external_ids;
  std::optional<std::string> language;
  std::vector<std::string> tags;      // normalised; a new ticket takes them
  std::optional<std::string> source;  // normalised
};
// The parsed MIME message in the shape JSON deliveries have.
inbound_email to_inbound_email(mail::parsed_email m);

struct inbound_call {
  std::string call_id;
  call_event_kind event = call_event_kind::ringing;
  bool inbound = true;
  std::string from;
  std::string to;
  timestamp at{};
  std::optional<long long> sequence;
  std::optional<std::string> agent_id;
  std::optional<long long> wait_seconds;
  std::optional<long long> duration_seconds;
  std::string recording_url;
  std::string voicemail_url;
};

struct chat_visitor {
  std::string name;
  std::string email;
  std::string phone;
  std::string handle;
};

struct inbound_chat {
  std::string session_id;
  bool ended = false;  // the session-ended event (no message)
  std::string message_id;
  std::string sender = "visitor";  // visitor | agent | bot
  chat_visitor visitor;
  std::string text;
  timestamp at{};
  std::optional<std::string> language;
  std::vector<std::string> tags;  // normalised; a new session's ticket takes them
};

struct ingest_result {
  std::string ticket_id;
  std::string ticket_number;
  std::string customer_id;
  std::string message_id;
  bool replayed = false;
};

class ingest_service {
 public:
  // Installs the set-at-a-time batch runner on the committer.
  ingest_service(store::db_pool& db, store::group_committer& committer, cpu_pool& cpu, ingest_options opts);

  awaitable<ingest_result> email(const principal& who, ingest_meta meta, inbound_email m);
  // Parses raw MIME off the I/O threads, then ingests it.
  awaitable<ingest_result> raw_email(const principal& who, ingest_meta meta, std::string raw);
  awaitable<ingest_result> call(const principal& who, ingest_meta meta, inbound_call c);
  awaitable<ingest_result> chat(const principal& who, ingest_meta meta, inbound_chat c);

  // Forgets Idempotency-Keys past their time (housekeeping).
  awaitable<long long> prune_expired_keys();

  const ingest_options& options() const { return opts_; }

 private:
  store::db_pool& db_;
  store::group_committer& committer_;
  cpu_pool& cpu_;
  ingest_options opts_;
  brand_cache brands_;
};

}  // namespace helpdesk::app
