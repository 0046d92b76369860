#pragma once
// Webhook subscriptions as admins keep them: registration (the target URL
// checked against the SSRF guard, the secret shown once), pause and resume,
// secret rotation, and the record of deliveries with replay. Delivery itself
// is the events module's work.
#include <optional>
#include <string>
#include <vector>

#include "helpdesk/domain/auth.hpp"
#include "helpdesk/store/db_pool.hpp"
#include "helpdesk/store/event_repos.hpp"

namespace helpdesk::app {

struct webhook_options {
  std::vector<std::string> allowed_hosts;  // exempt from the SSRF guard (development, tests)
  long long rotation_overlap_s = 24 * 3600;  // the old secret keeps signing this long
  int history_days = 30;  // event history kept (live feed, relayed outbox, finished deliveries); 0: forever
};

struct webhook_draft {
  std::string url;
  std::string description;
  std::vector<std::string> events;
  std::vector<std::string> brands;
};

class webhook_service {
 public:
  webhook_service(store::db_pool& db, webhook_options opts) : db_(db), opts_(std::move(opts)) {}

  // The new subscription, its secret included (the only time it is shown).
  awaitable<store::webhooks::subscription> create(const principal& who, webhook_draft d);
  awaitable<std::vector<store::webhooks::subscription>> list(const principal& who, store::page_request page);
  awaitable<store::webhooks::subscription> get(const principal& who, std::string id);
  awaitable<store::webhooks::subscription> update(const principal& who, std::string id,
                                                  store::webhooks::subscription_edit e);
  awaitable<void> remove(const principal& who, std::string id);
  // The subscription with its new secret (shown once).
  awaitable<store::webhooks::subscription> rotate_secret(const principal& who, std::string id);
  awaitable<std::vector<store::webhooks::delivery_row>> deliveries(const principal& who, std::string id,
                                                                   store::page_request page);
  awaitable<void> replay(const principal& who, std::string id, std::string delivery_id);
  // Housekeeping: deletes the event history older than history_days in
  // short transactions; answers how many rows went.
  awaitable<long long> prune_history();

  const webhook_options& options() const { return opts_; }

 private:
  void check_url(const std::string& url, const std::string& pointer) const;

  store::db_pool& db_;
  webhook_options opts_;
};

}  // namespace helpdesk::app
