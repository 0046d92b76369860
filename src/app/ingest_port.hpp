#pragma once
// What the decision of one inbound event reads and writes (private to the
// app module). Two implementations: `direct_port` runs each call on the
// transaction at once; the batch runner's port answers reads from what it
// fetched for the whole batch and collects the writes of every event into one
// statement. The decision code is the same for both, so an event gets the
// same answer whether it was planned with its batch or run by itself.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "helpdesk/domain/routing.hpp"
#include "helpdesk/store/group_commit.hpp"
#include "helpdesk/store/support_repos.hpp"
#include "helpdesk/app/ingest_service.hpp"

namespace helpdesk::app::ingest {

class port {
 public:
  virtual ~port() = default;
  virtual pqxx::transaction_base& tx() = 0;  // for what is rarely needed (brands missing from the cache)
  // True while some read was only guessed: the decision will be made again.
  virtual bool guessing() const { return false; }

  virtual std::optional<store::inbound_keys::stored> claim(const std::string& scope, const std::string& key,
                                                           const std::string& request_sha256,
                                                           std::optional<long long> ttl_seconds) = 0;
  virtual void complete_key(const std::string& scope, const std::string& key, const std::string& response_json) = 0;
  virtual void finish(const std::string& ticket_id, const std::string& brand_id, const std::string& events_json,
                      const std::string& response_json, const store::inbound_keys::key_ref& event_key,
                      const std::optional<store::inbound_keys::key_ref>& idempotency_key) = 0;

  virtual std::vector<identity_owner> owners(const std::string& brand_id, const std::vector<identity>& ids) = 0;
  virtual bool create_customer(const std::string& id, const std::string& brand_id, const std::string& name,
                               const std::vector<identity>& ids, timestamp at) = 0;
  virtual bool attach_identity(const std::string& brand_id, const std::string& customer_id, const identity& id) = 0;
  virtual void suggest_merge(const std::string& brand_id, const std::string& customer_id, const std::string& other_id,
                             const std::string& reason) = 0;
  virtual void touch_customer(const std::string& id, timestamp at, const std::string& name) = 0;

  virtual std::optional<thread_candidate> ticket_by_message_ids(const std::string& brand_id,
                                                                const std::vector<std::string>& message_ids) = 0;
  virtual std::optional<thread_candidate> ticket_by_number(const std::string& brand_id, long long number) = 0;
  virtual std::optional<thread_candidate> ticket_by_id(const std::string& brand_id, const std::string& id) = 0;
  virtual std::optional<thread_candidate> ticket_by_chat_session(const std::string& brand_id,
                                                                 const std::string& session_id) = 0;
  virtual std::optional<thread_candidate> awaiting_callback(const std::string& customer_id) = 0;
  virtual std::optional<long long> insert_ticket(const store::tickets::new_ticket& t) = 0;
  // The brand's queues, in the router's order (read once per transaction).
  virtual const std::vector<routing::queue_def>& queues(const std::string& brand_id) = 0;
  virtual bool record_inbound(const store::tickets::inbound_update& u) = 0;

  virtual void insert_message(store::message_row m) = 0;  // with its attachments
  // The call's message (locked until the transaction ends where locks matter).
  virtual std::optional<store::messages::call_ref> call(const std::string& brand_id, const std::string& call_id) = 0;
  // The events stored for the call so far: event key, payload JSON.
  virtual std::vector<std::pair<std::string, std::string>> call_events(const std::string& message_id) = 0;
  virtual void add_call_event(const std::string& message_id, const std::string& event_key, const std::string& kind,
                              timestamp at, const std::string& payload_json) = 0;
  virtual void update_call(const std::string& message_id, const std::string& call_json, const std::string& outcome,
                           timestamp occurred_at) = 0;
};

class direct_port final : public port {
 public:
  explicit direct_port(pqxx::transaction_base& tx) : tx_(tx) {}
  pqxx::transaction_base& tx() override { return tx_; }
  std::optional<store::inbound_keys::stored> claim(const std::string& scope, const std::string& key,
                                                   const std::string& request_sha256,
                                                   std::optional<long long> ttl_seconds) override;
  void complete_key(const std::string& scope, const std::string& key, const std::string& response_json) override;
  void finish(const std::string& ticket_id, const std::string& brand_id, const std::string& events_json,
              const std::string& response_json, const store::inbound_keys::key_ref& event_key,
              const std::optional<store::inbound_keys::key_ref>& idempotency_key) override;
  std::vector<identity_owner> owners(const std::string& brand_id, const std::vector<identity>& ids) override;
  bool create_customer(const std::string& id, const std::string& brand_id, const std::string& name,
                       const std::vector<identity>& ids, timestamp at) override;
  bool attach_identity(const std::string& brand_id, const std::string& customer_id, const identity& id) override;
  void suggest_merge(const std::string& brand_id, const std::string& customer_id, const std::string& other_id,
                     const std::string& reason) override;
  void touch_customer(const std::string& id, timestamp at, const std::string& name) override;
  std::optional<thread_candidate> ticket_by_message_ids(const std::string& brand_id,
                                                        const std::vector<std::string>& message_ids) override;
  std::optional<thread_candidate> ticket_by_number(const std::string& brand_id, long long number) override;
  std::optional<thread_candidate> ticket_by_id(const std::string& brand_id, const std::string& id) override;
  std::optional<thread_candidate> ticket_by_chat_session(const std::string& brand_id,
                                                         const std::string& session_id) override;
  std::optional<thread_candidate> awaiting_callback(const std::string& customer_id) override;
  std::optional<long long> insert_ticket(const store::tickets::new_ticket& t) override;
  const std::vector<routing::queue_def>& queues(const std::string& brand_id) override;
  bool record_inbound(const store::tickets::inbound_update& u) override;
  void insert_message(store::message_row m) override;
  std::optional<store::messages::call_ref> call(const std::string& brand_id, const std::string& call_id) override;
  std::vector<std::pair<std::string, std::string>> call_events(const std::string& message_id) override;
  void add_call_event(const std::string& message_id, const std::string& event_key, const std::string& kind,
                      timestamp at, const std::string& payload_json) override;
  void update_call(const std::string& message_id, const std::string& call_json, const std::string& outcome,
                   timestamp occurred_at) override;

 private:
  pqxx::transaction_base& tx_;
  std::map<std::string, std::vector<routing::queue_def>> queues_;
};

// The queues of a brand, read once per transaction through `tx`.
const std::vector<routing::queue_def>& brand_queues(pqxx::transaction_base& tx,
                                                    std::map<std::string, std::vector<routing::queue_def>>& memo,
                                                    const std::string& brand_id);

// One inbound event on its way through the group committer: run alone on a
// transaction, or decided by the batch runner with the rest of its batch.
class job : public store::batchable {
 public:
  virtual ingest_result decide(port& p) = 0;  // re-runnable: a function of its input and what it reads
  ingest_result operator()(pqxx::transaction_base& tx) {
    direct_port p(tx);
    return decide(p);
  }
  ingest_result take_planned() { return std::move(planned); }
  ingest_result planned;

 protected:
  void conflicts_with(const std::string& what) { conflict_keys.push_back(std::hash<std::string>{}(what)); }
  // A phone number's last nine digits: two spellings of one number collide
  // without knowing the brand's region yet.
  void conflicts_with_phone(const std::string& raw);
};

// Decides a whole batch of jobs set-at-a-time (see ingest_batch.cpp).
void run_batch(pqxx::transaction_base& tx, const std::vector<store::batchable*>& jobs);

}  // namespace helpdesk::app::ingest
