// Deciding a batch of inbound events set-at-a-time. Each pass runs every
// undecided event's decision against what has been fetched so far; a read
// that is not there yet is noted and answered "nothing" so the pass can
// discover the event's further reads. Everything noted is then fetched in one
// statement and the undecided events run again. An event that ran through
// without a missing read is decided: its writes join the batch's, which are
// written in one statement at the end. Events of one batch share no conflict
// key (see group_commit.hpp), so none of them needs to see another's writes.
#include <pqxx/pqxx>

#include <map>
#include <set>
#include <stdexcept>

#include "helpdesk/store/ingest_batch.hpp"
#include "ingest_port.hpp"

namespace helpdesk::app::ingest {
namespace {

namespace batch = store::ingest_batch;

// Thrown when the batch cannot be planned (a replayed key, an event that
// fails): the group committer then runs the events one by one.
struct not_plannable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string join(const std::string& a, const std::string& b) { return a + '\n' + b; }

struct snapshot {
  std::map<std::string, bool> held;  // inbound keys: taken already?
  std::map<std::string, std::vector<identity_owner>> owners;
  std::map<std::string, std::optional<thread_candidate>> refs, numbers, ids, sessions, callbacks;
  std::map<std::string, std::optional<batch::stored_call>> calls;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> call_events;  // by message id
  std::map<std::string, std::vector<routing::queue_def>> queues;  // by brand: read at once, rarely more than one

  // What a pass asked for, with the lookup key of each request.
  struct wanted {
    batch::reads reads;
    std::vector<std::string> key_keys, identity_keys, ref_keys, number_keys, id_keys, session_keys, callback_keys,
        call_keys;
    std::set<std::string> asked;
    bool once(const std::string& kind, const std::string& key) { return asked.insert(kind + '\n' + key).second; }
  };

  void absorb(const wanted& w, batch::answers a) {
    for (std::size_t i = 0; i < w.key_keys.size(); ++i) held[w.key_keys[i]] = a.held[i];
    for (std::size_t i = 0; i < w.identity_keys.size(); ++i) owners[w.identity_keys[i]] = std::move(a.owners[i]);
    auto put = [](auto& map, const std::vector<std::string>& keys, auto& values) {
      for (std::size_t i = 0; i < keys.size(); ++i) map[keys[i]] = std::move(values[i]);
    };
    put(refs, w.ref_keys, a.message_refs);
    put(numbers, w.number_keys, a.numbers);
    put(ids, w.id_keys, a.ticket_ids);
    put(sessions, w.session_keys, a.chat_sessions);
    put(callbacks, w.callback_keys, a.awaiting_callback);
    for (std::size_t i = 0; i < w.call_keys.size(); ++i) {
      if (a.calls[i]) call_events[a.calls[i]->ref.message_id] = a.calls[i]->events;
      calls[w.call_keys[i]] = std::move(a.calls[i]);
    }
  }
};

class batch_port final : public port {
 public:
  batch_port(pqxx::transaction_base& tx, snapshot& s, snapshot::wanted& want) : tx_(tx), s_(s), want_(want) {}
  bool missing = false;
  batch::writes out;

  pqxx::transaction_base& tx() override { return tx_; }
  bool guessing() const override { return missing; }

  std::optional<store::inbound_keys::stored> claim(const std::string& scope, const std::string& key,
                                                   const std::string& sha, std::optional<long long> ttl) override {
    // Nothing is written yet: the key is written with its answer at the
    // end, and one taken meanwhile fails that write.
    const auto k = join(scope, key);
    claimed_[k] = {sha, ttl};
    if (auto it = s_.held.find(k); it != s_.held.end()) {
      if (it->second) throw not_plannable("a key of the batch is taken: a replay");
      return std::nullopt;
    }
    missing = true;
    if (want_.once("key", k)) {
      want_.reads.keys.push_back({scope, key});
      want_.key_keys.push_back(k);
    }
    return std::nullopt;  // assumed fresh; a taken key sends the batch back anyway
  }
  void complete_key(const std::string& scope, const std::string& key, const std::string& response) override {
    answer(scope, key, response);
  }
  void finish(const std::string& ticket_id, const std::string& brand_id, const std::string& events_json,
              const std::string& response, const store::inbound_keys::key_ref& event_key,
              const std::optional<store::inbound_keys::key_ref>& idem) override {
    out.events.push_back({ticket_id, brand_id, events_json});
    answer(event_key.scope, event_key.key, response);
    if (idem) answer(idem->scope, idem->key, response);
    if (new_tickets_.count(ticket_id)) {
      for (auto& a : out.answers) a.new_ticket = true;
    }
  }

  std::vector<identity_owner> owners(const std::string& brand_id, const std::vector<identity>& ids) override {
    std::vector<identity_owner> found;
    for (const auto& i : ids) {
      const auto k = join(brand_id, i.value);
      auto it = s_.owners.find(k);
      if (it == s_.owners.end()) {
        missing = true;
        if (want_.once("identity", k)) {
          want_.reads.identities.push_back({brand_id, i.value});
          want_.identity_keys.push_back(k);
        }
        continue;
      }
      // The same text may be another kind of identity (a handle that looks like a number).
      for (const auto& o : it->second)
        if (o.id == i) found.push_back(o);
    }
    return found;
  }
  bool create_customer(const std::string& id, const std::string& brand_id, const std::string& name,
                       const std::vector<identity>& ids, timestamp at) override {
    out.customers.push_back({id, brand_id, name, at});
    for (const auto& i : ids) out.identities.push_back({brand_id, i, id});
    created_.insert(id);
    return true;
  }
  bool attach_identity(const std::string& brand_id, const std::string& customer_id, const identity& id) override {
    out.identities.push_back({brand_id, id, customer_id});
    return true;
  }
  void suggest_merge(const std::string& brand_id, const std::string& customer_id, const std::string& other_id,
                     const std::string& reason) override {
    out.suggestions.push_back({brand_id, customer_id, other_id, reason});
  }
  void touch_customer(const std::string& id, timestamp at, const std::string& name) override {
    out.touches.push_back({id, at, name});
  }

  std::optional<thread_candidate> ticket_by_message_ids(const std::string& brand_id,
                                                        const std::vector<std::string>& message_ids) override {
    if (message_ids.empty()) return std::nullopt;
    std::string k = brand_id;
    for (const auto& m : message_ids) k = join(k, m);
    return lookup(s_.refs, "ref", k, want_.ref_keys, [&] { want_.reads.message_refs.push_back({brand_id, message_ids}); });
  }
  std::optional<thread_candidate> ticket_by_number(const std::string& brand_id, long long number) override {
    return lookup(s_.numbers, "number", join(brand_id, std::to_string(number)), want_.number_keys,
                  [&] { want_.reads.numbers.push_back({brand_id, number}); });
  }
  std::optional<thread_candidate> ticket_by_id(const std::string& brand_id, const std::string& id) override {
    return lookup(s_.ids, "id", join(brand_id, id), want_.id_keys, [&] { want_.reads.ticket_ids.push_back({brand_id, id}); });
  }
  std::optional<thread_candidate> ticket_by_chat_session(const std::string& brand_id,
                                                         const std::string& session_id) override {
    return lookup(s_.sessions, "session", join(brand_id, session_id), want_.session_keys,
                  [&] { want_.reads.chat_sessions.push_back({brand_id, session_id}); });
  }
  std::optional<thread_candidate> awaiting_callback(const std::string& customer_id) override {
    if (created_.count(customer_id)) return std::nullopt;  // created by this very event
    return lookup(s_.callbacks, "callback", customer_id, want_.callback_keys,
                  [&] { want_.reads.awaiting_callback.push_back(customer_id); });
  }
  // The number is drawn when the batch is written (a number drawn for a
  // guess would be a gap in the brand's numbering); until then the answer
  // carries 0, and both it and the stored answer get the real number.
  std::optional<long long> insert_ticket(const store::tickets::new_ticket& t) override {
    out.tickets.push_back(t);
    new_tickets_.insert(t.id);
    return 0;
  }
  const std::vector<routing::queue_def>& queues(const std::string& brand_id) override {
    return brand_queues(tx_, s_.queues, brand_id);
  }
  bool record_inbound(const store::tickets::inbound_update& u) override {
    out.ticket_updates.push_back(u);
    return true;
  }

  void insert_message(store::message_row m) override { out.messages.push_back(std::move(m)); }
  std::optional<store::messages::call_ref> call(const std::string& brand_id, const std::string& call_id) override {
    const auto k = join(brand_id, call_id);
    auto it = s_.calls.find(k);
    if (it != s_.calls.end()) {
      if (!it->second) return std::nullopt;
      return it->second->ref;
    }
    missing = true;
    if (want_.once("call", k)) {
      want_.reads.calls.push_back({brand_id, call_id});
      want_.call_keys.push_back(k);
    }
    return std::nullopt;
  }
  std::vector<std::pair<std::string, std::string>> call_events(const std::string& message_id) override {
    auto it = s_.call_events.find(message_id);
    if (it == s_.call_events.end()) throw not_plannable("call events read before the call");
    return it->second;
  }
  void add_call_event(const std::string& message_id, const std::string& event_key, const std::string& kind,
                      timestamp at, const std::string& payload_json) override {
    out.call_events.push_back({message_id, event_key, kind, at, payload_json});
  }
  void update_call(const std::string& message_id, const std::string& call_json, const std::string& outcome,
                   timestamp occurred_at) override {
    out.call_updates.push_back({message_id, call_json, outcome, occurred_at});
  }

 private:
  template <class Ask>
  std::optional<thread_candidate> lookup(std::map<std::string, std::optional<thread_candidate>>& known,
                                         const char* kind, const std::string& k, std::vector<std::string>& keys,
                                         Ask ask) {
    if (auto it = known.find(k); it != known.end()) return it->second;
    missing = true;
    if (want_.once(kind, k)) {
      ask();
      keys.push_back(k);
    }
    return std::nullopt;
  }

  void answer(const std::string& scope, const std::string& key, const std::string& response) {
    auto it = claimed_.find(join(scope, key));
    if (it == claimed_.end()) throw not_plannable("an answer for a key that was not claimed");
    out.answers.push_back({scope, key, it->second.first, it->second.second, response});
  }

  pqxx::transaction_base& tx_;
  snapshot& s_;
  std::map<std::string, std::pair<std::string, std::optional<long long>>> claimed_;  // request hash, ttl
  snapshot::wanted& want_;
  std::set<std::string> created_;
  std::set<std::string> new_tickets_;
};

template <class T>
void append(std::vector<T>& to, std::vector<T>& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

void add(batch::writes& all, batch::writes& w) {
  append(all.customers, w.customers);
  append(all.identities, w.identities);
  append(all.suggestions, w.suggestions);
  append(all.touches, w.touches);
  append(all.tickets, w.tickets);
  append(all.ticket_updates, w.ticket_updates);
  append(all.messages, w.messages);
  append(all.call_events, w.call_events);
  append(all.call_updates, w.call_updates);
  append(all.events, w.events);
  append(all.answers, w.answers);
}

// Two events of the batch may still meet on one customer or ticket through
// different identities. Contacts of one customer fold into one; two changes
// of one ticket's status cannot be decided apart, so that batch goes back.
void settle_overlaps(batch::writes& w) {
  std::map<std::string, std::size_t> seen;
  std::vector<batch::customer_touch> touches;
  for (auto& t : w.touches) {
    auto [it, fresh] = seen.emplace(t.id, touches.size());
    if (fresh) {
      touches.push_back(std::move(t));
      continue;
    }
    auto& kept = touches[it->second];
    kept.at = std::max(kept.at, t.at);
    if (kept.name.empty()) kept.name = t.name;
  }
  w.touches = std::move(touches);
  std::set<std::string> updated;
  for (const auto& u : w.ticket_updates)
    if (!updated.insert(u.id).second) throw not_plannable("two events of the batch change one ticket");
  std::set<std::string> calls;
  for (const auto& u : w.call_updates)
    if (!calls.insert(u.message_id).second) throw not_plannable("two events of the batch change one call");
}

constexpr int max_passes = 6;

}  // namespace

void run_batch(pqxx::transaction_base& tx, const std::vector<store::batchable*>& jobs) {
  std::vector<job*> pending;
  for (auto* b : jobs) {
    auto* j = dynamic_cast<job*>(b);
    if (!j) throw not_plannable("not an ingest job");
    pending.push_back(j);
  }
  store::ingest_batch::plan_by_index(tx);
  snapshot known;
  batch::writes all;
  for (int pass = 0; !pending.empty(); ++pass) {
    if (pass == max_passes) throw not_plannable("the batch did not settle");
    snapshot::wanted want;
    std::vector<job*> again;
    for (auto* j : pending) {
      batch_port p(tx, known, want);
      try {
        j->planned = j->decide(p);
      } catch (const not_plannable&) {
        throw;
      } catch (...) {
        // On a guessed read the decision may well fail; only a decision
        // made on real data speaks for the event.
        if (!p.missing) throw;
      }
      if (p.missing) {
        again.push_back(j);
      } else {
        add(all, p.out);
      }
    }
    if (!again.empty()) {
      if (want.reads.empty()) throw not_plannable("an event asked for nothing new");
      known.absorb(want, batch::fetch(tx, want.reads));
      for (const auto& [key, taken] : known.held)
        if (taken) throw not_plannable("a key of the batch is taken: a replay");
    }
    pending = std::move(again);
  }
  settle_overlaps(all);
  const auto numbers = batch::flush(tx, all);
  for (auto* j : jobs) {
    auto& r = static_cast<job*>(j)->planned;
    auto it = numbers.find(r.ticket_id);
    if (it == numbers.end()) continue;
    // "PREFIX-0" becomes "PREFIX-1042".
    r.ticket_number = r.ticket_number.substr(0, r.ticket_number.rfind('-') + 1) + std::to_string(it->second);
  }
}

}  // namespace helpdesk::app::ingest
