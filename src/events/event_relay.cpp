#include "helpdesk/events/event_relay.hpp"

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include <map>
#include <set>

#include "helpdesk/domain/ids.hpp"
#include "helpdesk/domain/webhook_target.hpp"
#include "helpdesk/store/event_repos.hpp"

namespace helpdesk::events {
namespace {

using json = nlohmann::json;

// Ticket-event kinds that integrations hear of as "ticket.updated". The rest
// (queueing, routing widenings, callback dialling) are the router's inner
// workings; assignments reach them through the outbox as ticket.assigned.
const std::set<std::string>& update_kinds() {
  static const std::set<std::string> kinds = {"status_changed", "priority_changed", "tags_changed", "queue_changed",
                                              "subject_changed", "unassigned", "chat_ended", "merged", "reopened"};
  return kinds;
}

json ticket_summary(const store::ticket_row& t) {
  return {{"id", t.id},
          {"number", t.display_number()},
          {"subject", t.subject},
          {"status", t.status},
          {"priority", t.priority},
          {"assignee_id", t.assignee_id ? json(*t.assignee_id) : json(nullptr)}};
}

struct domain_event {
  std::string type;
  const store::relay::source_row* source = nullptr;
  const store::ticket_row* ticket = nullptr;
  const store::message_row* message = nullptr;
  json change;                           // ticket.updated: what changed
  std::set<std::string> recipients;      // agents told live
  bool to_integrations = true;           // notes never are
};

class translator {
 public:
  // Messages are read only for events someone will hear of: the ticket has
  // an assignee (the live feed) or a subscription takes message events of the
  // brand. Inbound traffic to unassigned tickets with nobody subscribed then
  // costs the relay one read of its tickets.
  translator(pqxx::transaction_base& tx, const renderers& render, const std::vector<store::relay::source_row>& rows,
             const std::vector<store::webhooks::subscription>& subs)
      : render_(render), rows_(rows) {
    std::set<std::string> ticket_ids, message_ids;
    for (const auto& r : rows)
      if (r.ticket_id && is_uuid(*r.ticket_id)) ticket_ids.insert(*r.ticket_id);
    for (auto& t : store::tickets::find_many(tx, {ticket_ids.begin(), ticket_ids.end()})) {
      const std::string id = t.id;
      tickets_.emplace(id, std::move(t));
    }
    std::set<std::string> message_brands;
    for (const auto& sub : subs)
      for (const char* type : {"message.created", "message.outbound", "message.updated"})
        if (webhooks::wants(sub.events, type)) {
          if (sub.brands.empty()) message_brands.insert("*");
          message_brands.insert(sub.brands.begin(), sub.brands.end());
        }
    for (const auto& r : rows) {
      if (r.from_outbox || (r.kind != "message_added" && r.kind != "call_updated" && r.kind != "delivery")) continue;
      const auto* t = ticket_of(r);
      const bool heard = (t && t->assignee_id) || message_brands.count("*") || message_brands.count(r.brand_id);
      if (!heard) continue;
      auto d = json::parse(r.data_json, nullptr, false);
      if (d.is_object() && d.contains("message_id") && d["message_id"].is_string() &&
          is_uuid(d["message_id"].get<std::string>()))
        message_ids.insert(d["message_id"].get<std::string>());
    }
    for (auto& m : store::messages::find_many(tx, {message_ids.begin(), message_ids.end()})) {
      const std::string id = m.id;
      messages_.emplace(id, std::move(m));
    }
  }

  std::vector<domain_event> events() const {
    std::vector<domain_event> out;
    for (const auto& r : rows_) translate(r, out);
    return out;
  }

  json body(const domain_event& e) const {
    json data = json::object();
    if (e.source->from_outbox) {
      data = json::parse(e.source->data_json, nullptr, false);
      if (!data.is_object()) data = json::object();
    }
    if (e.ticket) data["ticket"] = render_.ticket(*e.ticket);
    if (e.message) data["message"] = render_.message(*e.message);
    if (!e.change.is_null()) data["change"] = e.change;
    return {{"type", e.type}, {"timestamp", format_rfc3339(e.source->at)}, {"data", data}};
  }

  json feed_data(const domain_event& e) const {
    json data = json::object();
    if (e.source->from_outbox) {
      data = json::parse(e.source->data_json, nullptr, false);
      if (!data.is_object()) data = json::object();
    }
    if (e.ticket) data["ticket"] = ticket_summary(*e.ticket);
    if (e.message)
      data["message"] = {{"id", e.message->id},
                         {"channel", e.message->channel},
                         {"direction", e.message->direction},
                         {"author_agent_id", e.message->author_agent_id ? json(*e.message->author_agent_id) : json(nullptr)}};
    if (!e.change.is_null()) data["change"] = e.change;
    return data;
  }

 private:
  const store::ticket_row* ticket_of(const store::relay::source_row& r) const {
    if (!r.ticket_id) return nullptr;
    auto it = tickets_.find(*r.ticket_id);
    return it == tickets_.end() ? nullptr : &it->second;
  }

  void translate(const store::relay::source_row& r, std::vector<domain_event>& out) const {
    domain_event e;
    e.source = &r;
    e.ticket = ticket_of(r);
    if (e.ticket && e.ticket->assignee_id) e.recipients.insert(*e.ticket->assignee_id);
    const auto data = json::parse(r.data_json, nullptr, false);
    auto text_of = [&](const char* key) -> std::optional<std::string> {
      if (data.is_object() && data.contains(key) && data[key].is_string()) return data[key].get<std::string>();
      return std::nullopt;
    };
    if (r.from_outbox) {
      e.type = r.kind;
      if (auto agent = text_of("agent_id")) e.recipients.insert(*agent);
      if (auto agent = text_of("assignee_id")) e.recipients.insert(*agent);
      out.push_back(std::move(e));
      return;
    }
    if (r.kind == "created") {
      e.type = "ticket.created";
      out.push_back(std::move(e));
    } else if (r.kind == "message_added" || r.kind == "call_updated") {
      auto id = text_of("message_id");
      auto it = id ? messages_.find(*id) : messages_.end();
      if (it != messages_.end()) e.message = &it->second;
      // The event's own data says what the message is when it was not read.
      const std::string channel = e.message ? e.message->channel : text_of("channel").value_or("");
      const std::string direction = e.message ? e.message->direction : text_of("direction").value_or("inbound");
      if (channel == "note" || direction == "internal") {
        e.type = "note.created";
        e.to_integrations = false;
        if (data.is_object() && data.contains("mentions") && data["mentions"].is_array())
          for (const auto& a : data["mentions"])
            if (a.is_string()) e.recipients.insert(a.get<std::string>());
        if (!e.message && id) e.change = {{"message_id", *id}};
        out.push_back(std::move(e));
        return;
      }
      if (!e.message) return;  // nobody hears of it (or it is gone)
      e.type = r.kind == "call_updated" ? "message.updated" : "message.created";
      const bool outbound = e.message->direction == "outbound" && r.kind == "message_added";
      out.push_back(e);
      if (outbound) {
        e.type = "message.outbound";
        e.recipients.clear();  // the agents heard of it as message.created
        out.push_back(std::move(e));
      }
    } else if (r.kind == "delivery") {
      auto id = text_of("message_id");
      auto it = id ? messages_.find(*id) : messages_.end();
      if (it != messages_.end()) e.message = &it->second;
      e.type = "message.delivery";
      e.change = data;
      out.push_back(std::move(e));
    } else if (update_kinds().count(r.kind)) {
      e.type = r.kind == "merged" ? "ticket.merged" : "ticket.updated";
      e.change = data.is_object() ? data : json::object();
      e.change["kind"] = r.kind;
      e.change["actor"] = r.actor;
      if (auto agent = text_of("agent_id")) e.recipients.insert(*agent);  // the one who lost the ticket
      out.push_back(std::move(e));
    }
  }

  const renderers& render_;
  const std::vector<store::relay::source_row>& rows_;
  std::map<std::string, store::ticket_row> tickets_;
  std::map<std::string, store::message_row> messages_;
};

bool subscribed(const store::webhooks::subscription& s, const domain_event& e) {
  if (!e.to_integrations || !webhooks::wants(s.events, e.type)) return false;
  if (s.brands.empty()) return true;
  return std::find(s.brands.begin(), s.brands.end(), e.source->brand_id) != s.brands.end();
}

// One window in one transaction. False when there was nothing (more) to do.
relay_report relay_window(pqxx::connection_base& c, const renderers& render, long long window_rows, bool& more) {
  relay_report report;
  pqxx::work tx(c);
  auto w = store::relay::begin(tx, window_rows);
  if (!w) {
    more = false;
    return report;  // another process is relaying
  }
  more = static_cast<long long>(w->rows.size()) >= window_rows;
  if (w->rows.empty()) {
    store::relay::finish(tx, w->upper, w->seq);
    tx.commit();
    return report;
  }
  const auto subs = store::webhooks::receiving(tx);
  translator tr(tx, render, w->rows, subs);
  std::vector<store::relay::feed_row> feed;
  std::vector<store::webhooks::new_delivery> deliveries;
  long long seq = w->seq;
  for (const auto& e : tr.events()) {
    ++seq;
    ++report.events;
    if (!e.recipients.empty()) {
      const std::string data = tr.feed_data(e).dump();
      for (const auto& agent : e.recipients) {
        if (!is_uuid(agent)) continue;
        feed.push_back({seq, agent, e.source->brand_id, e.type,
                        e.ticket ? std::optional<std::string>(e.ticket->id) : std::nullopt, data, e.source->at});
      }
    }
    std::optional<std::string> body;
    for (const auto& s : subs) {
      if (!subscribed(s, e)) continue;
      if (!body) body = tr.body(e).dump();
      deliveries.push_back({new_uuid_v7(), s.id, "msg_" + std::to_string(seq), e.type, e.source->brand_id, *body});
    }
  }
  store::relay::append_feed(tx, feed);
  store::webhooks::insert_deliveries(tx, deliveries);
  store::relay::finish(tx, w->upper, seq);
  if (!feed.empty()) store::relay::notify_feed(tx, seq);
  if (!deliveries.empty()) store::webhooks::notify_deliveries(tx);
  tx.commit();
  report.feed_rows = static_cast<long long>(feed.size());
  report.deliveries = static_cast<long long>(deliveries.size());
  return report;
}

}  // namespace

event_relay::event_relay(store::db_pool& db, renderers render, relay_options opts,
                         std::function<void(const relay_report&)> on_relayed)
    : db_(db), render_(std::move(render)), opts_(opts), on_relayed_(std::move(on_relayed)) {}
event_relay::~event_relay() = default;

void event_relay::start(asio::io_context& ioc) {
  if (loop_) return;
  auto pass = [this]() -> awaitable<void> {
    auto r = co_await run_once();
    if (r.events) spdlog::debug("relay: {} events, {} feed rows, {} deliveries", r.events, r.feed_rows, r.deliveries);
  };
  // Every write request kicks the relay; the gap caps it at 50 passes a second under load.
  loop_ = std::make_unique<app::background_loop>(ioc, "relay", opts_.tick, std::chrono::milliseconds(20), std::move(pass));
  loop_->start();
}

void event_relay::stop() {
  if (loop_) loop_->stop();
}

void event_relay::finish() { loop_.reset(); }

void event_relay::kick() {
  if (loop_) loop_->kick();
}

awaitable<relay_report> event_relay::run_once() {
  auto job = [this](pqxx::connection_base& c) {
    relay_report total;
    bool more = true;
    for (int i = 0; i < 8 && more; ++i) {
      auto r = relay_window(c, render_, opts_.window, more);
      total.events += r.events;
      total.feed_rows += r.feed_rows;
      total.deliveries += r.deliveries;
    }
    return total;
  };
  auto report = co_await db_.run(std::move(job));
  if ((report.feed_rows || report.deliveries) && on_relayed_) on_relayed_(report);
  co_return report;
}

}  // namespace helpdesk::events
