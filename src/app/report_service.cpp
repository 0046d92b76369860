#include "helpdesk/app/report_service.hpp"

#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "helpdesk/store/report_repos.hpp"

namespace helpdesk::app {
namespace {

using json = nlohmann::json;
// One consistent view of the logs for every statement of a report.
using snapshot = pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only>;

// The brands a report covers: those asked for (ids or slugs), or every brand
// the caller sees. A brand outside the caller's scope reads as unknown.
std::vector<std::string> covered_brands(pqxx::transaction_base& tx, const principal& who,
                                        const std::vector<std::string>& asked) {
  if (asked.empty()) return who.all_brands ? store::reports::all_brands(tx) : who.brand_ids;
  std::vector<std::string> unknown;
  auto ids = store::reports::resolve_brands(tx, asked, unknown);
  std::vector<field_error> errors;
  for (const auto& u : unknown) errors.push_back({"/query/brand", "there is no brand \"" + u + "\""});
  std::vector<std::string> out;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (!who.can_see_brand(ids[i])) errors.push_back({"/query/brand", "there is no brand \"" + ids[i] + "\""});
    else if (std::find(out.begin(), out.end(), ids[i]) == out.end()) out.push_back(ids[i]);
  }
  if (!errors.empty()) throw error::validation(std::move(errors));
  return out;
}

store::reports::query query_of(const reports::report_request& r, std::vector<std::string> brands) {
  store::reports::query q;
  q.brand_ids = std::move(brands);
  q.from = r.from;
  q.to = r.to;
  q.tz = r.tz;
  q.queue_ids = r.queues;
  q.agent_ids = r.agents;
  q.channel = r.channel;
  q.group_by = r.group_by;
  return q;
}

json compliance_json(long long met, long long breached) {
  auto c = reports::compliance(met, breached);
  return c ? json(*c) : json(nullptr);
}

// Counts add up across groups: the total is their sum.
json sum_of(const json& rows, const std::vector<std::string>& keys) {
  json total = json::object();
  for (const auto& k : keys) total[k] = 0;
  for (const auto& row : rows)
    for (const auto& k : keys) total[k] = total[k].get<long long>() + row.value(k, 0LL);
  return total;
}

json sla_report(pqxx::transaction_base& tx, const store::reports::query& q) {
  json rows = store::reports::sla(tx, q);
  static const std::vector<std::string> counts = {"started", "met", "breached", "running", "cancelled"};
  std::map<std::string, json> by_target;
  for (auto& row : rows) {
    row["compliance"] = compliance_json(row["met"], row["breached"]);
    auto& t = by_target[row["target"].get<std::string>()];
    if (t.is_null()) t = json::array();
    t.push_back(row);
  }
  json total = sum_of(rows, counts);
  total["compliance"] = compliance_json(total["met"], total["breached"]);
  json targets = json::object();
  for (const auto& [target, list] : by_target) {
    json t = sum_of(list, counts);
    t["compliance"] = compliance_json(t["met"], t["breached"]);
    targets[target] = std::move(t);
  }
  total["targets"] = std::move(targets);
  return {{"rows", std::move(rows)}, {"total", std::move(total)}};
}

json response_report(pqxx::transaction_base& tx, const store::reports::query& q) {
  json out = store::reports::response_times(tx, q);
  json by_metric = json::object();
  for (auto& t : out["total"]) by_metric[t["metric"].get<std::string>()] = t;
  out["total"] = std::move(by_metric);
  return out;
}

json calls_report(pqxx::transaction_base& tx, const store::reports::query& q) {
  json out = store::reports::calls(tx, q);
  auto rate = [](json& row) {
    const auto offered = row["offered"].get<long long>();
    row["answer_rate"] = offered ? json(std::round(10000.0 * row["answered"].get<double>() / offered) / 100.0) : json(nullptr);
  };
  for (auto& row : out["rows"]) rate(row);
  json total = out["total"].empty() ? json{{"offered", 0}, {"answered", 0}, {"missed", 0}, {"voicemail", 0},
                                           {"callbacks_required", 0}, {"callbacks_attempted", 0}, {"callbacks_reached", 0}}
                                    : out["total"][0];
  rate(total);
  out["total"] = std::move(total);
  return out;
}

json volume_report(pqxx::transaction_base& tx, const store::reports::query& q) {
  long long backlog = 0;
  json rows = store::reports::volume(tx, q, backlog);
  const long long start = backlog;
  for (auto& row : rows) {
    backlog += row["created"].get<long long>() - row["solved"].get<long long>() + row["reopened"].get<long long>();
    row["backlog"] = backlog;
  }
  json grid = store::reports::inbound_grid(tx, q);
  json total = sum_of(rows, {"created", "solved", "reopened"});
  total["backlog_start"] = start;
  total["backlog_end"] = backlog;
  total["inbound"] = sum_of(grid, {"count"})["count"];
  return {{"rows", std::move(rows)}, {"grid", std::move(grid)}, {"total", std::move(total)}};
}

json interactions_report(pqxx::transaction_base& tx, const store::reports::query& q) {
  json rows = store::reports::interactions(tx, q);
  json total = sum_of(rows, {"count"});
  json by_channel = json::object(), by_direction = json::object();
  for (const auto& r : rows) {
    by_channel[r["channel"].get<std::string>()] = by_channel.value(r["channel"].get<std::string>(), 0LL) + r["count"].get<long long>();
    by_direction[r["direction"].get<std::string>()] =
        by_direction.value(r["direction"].get<std::string>(), 0LL) + r["count"].get<long long>();
  }
  total["by_channel"] = std::move(by_channel);
  total["by_direction"] = std::move(by_direction);
  return {{"rows", std::move(rows)}, {"total", std::move(total)}};
}

// Each tag against the period of the same length just before.
json contact_reasons_report(pqxx::transaction_base& tx, const store::reports::query& q) {
  const auto previous_from = q.from - (q.to - q.from);
  std::map<std::pair<std::string, std::string>, json> merged;
  for (const auto& r : store::reports::tag_counts(tx, q, previous_from))
    merged[{r["brand_id"].get<std::string>(), r["tag"].get<std::string>()}] = {
        {"group", r["brand_id"]}, {"group_name", r["brand_name"]}, {"tag", r["tag"]},
        {"count", r["count"]},    {"previous", r["previous"]}};
  json rows = json::array();
  for (auto& [key, row] : merged) {
    const auto now = row["count"].get<long long>(), prev = row["previous"].get<long long>();
    row["change"] = now - prev;
    row["change_pct"] = prev ? json(std::round(10000.0 * static_cast<double>(now - prev) / prev) / 100.0) : json(nullptr);
    rows.push_back(std::move(row));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const json& a, const json& b) {
    if (a["group_name"] != b["group_name"]) return a["group_name"].get<std::string>() < b["group_name"].get<std::string>();
    return a["count"].get<long long>() > b["count"].get<long long>();
  });
  json total = sum_of(rows, {"count", "previous"});
  total["previous_from"] = format_rfc3339(previous_from);
  total["previous_to"] = format_rfc3339(q.from);
  return {{"rows", std::move(rows)}, {"total", std::move(total)}};
}

json agents_report(pqxx::transaction_base& tx, const store::reports::query& q) {
  json rows = store::reports::agents(tx, q);
  for (auto& row : rows) row["compliance"] = compliance_json(row["met"], row["breached"]);
  json total = sum_of(rows, {"tickets_handled", "replies", "met", "breached"});
  total["compliance"] = compliance_json(total["met"], total["breached"]);
  double online = 0, away = 0;
  for (const auto& row : rows) online += row["online_s"].get<double>(), away += row["away_s"].get<double>();
  total["online_s"] = online;
  total["away_s"] = away;
  return {{"rows", std::move(rows)}, {"total", std::move(total)}};
}

json report_body(pqxx::transaction_base& tx, const store::reports::query& q, reports::report_kind kind) {
  switch (kind) {
    case reports::report_kind::sla: return sla_report(tx, q);
    case reports::report_kind::response_times: return response_report(tx, q);
    case reports::report_kind::volume: return volume_report(tx, q);
    case reports::report_kind::calls: return calls_report(tx, q);
    case reports::report_kind::interactions: return interactions_report(tx, q);
    case reports::report_kind::contact_reasons: return contact_reasons_report(tx, q);
    case reports::report_kind::agents: return agents_report(tx, q);
  }
  return json::object();
}

}  // namespace

report_service::report_service(store::db_pool& db, report_options opts) : db_(db), opts_(opts) {}
report_service::~report_service() = default;

void report_service::start(asio::io_context& ioc) {
  if (opts_.fold_tick.count() <= 0 || loop_) return;
  auto pass = [this]() -> awaitable<void> {
    if (auto n = co_await fold_counts(); n > 0) spdlog::debug("reports: folded {} count rows", n);
  };
  loop_ = std::make_unique<background_loop>(ioc, "report counts", opts_.fold_tick, opts_.fold_tick, std::move(pass));
  loop_->start();
}

void report_service::stop() {
  if (loop_) loop_->stop();
}

void report_service::finish() { loop_.reset(); }

awaitable<long long> report_service::fold_counts() {
  // In parts, each its own transaction: a backlog of millions of rows never
  // holds one statement past the timeout or the pool for long.
  constexpr long long part = 50000;
  constexpr int most_parts = 20;
  long long total = 0;
  for (int i = 0; i < most_parts; ++i) {
    auto job = [](pqxx::connection_base& c) {
      pqxx::work tx(c);
      const auto n = store::reports::fold_counts(tx, part);
      tx.commit();
      return n;
    };
    const auto n = co_await db_.run(std::move(job));
    total += n;
    if (n < part) break;
  }
  co_return total;
}

awaitable<json> report_service::run(const principal& who, reports::report_request r) {
  auto job = [who, r, timeout = opts_.timeout](pqxx::connection_base& c) {
    snapshot tx(c);
    store::reports::analytic_settings(tx, timeout);
    const auto q = query_of(r, covered_brands(tx, who, r.brands));
    json body = report_body(tx, q, r.kind);
    json out = {{"report", std::string(reports::to_string(r.kind))},
                {"from", format_rfc3339(r.from)},
                {"to", format_rfc3339(r.to)},
                {"tz", r.tz},
                {"group_by", r.group_by},
                {"brands", q.brand_ids}};
    for (auto& [k, v] : body.items()) out[k] = std::move(v);
    return out;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<std::vector<detail_line>> report_service::interaction_details(const principal& who,
                                                                        reports::report_request r) {
  auto job = [who, r, timeout = opts_.timeout](pqxx::connection_base& c) {
    snapshot tx(c);
    store::reports::analytic_settings(tx, timeout);
    const auto q = query_of(r, covered_brands(tx, who, r.brands));
    std::vector<detail_line> out;
    out.push_back({{"brand_id", "brand", "ticket_id", "ticket_number", "message_id", "channel", "direction",
                    "agent_id", "occurred_at_local", "occurred_at"}});
    store::reports::interaction_details(tx, q, max_detail_rows + 1, [&](const pqxx::row& row) {
      detail_line l;
      for (int i = 0; i < 9; ++i) l.cells.push_back(row[i].is_null() ? std::string() : row[i].as<std::string>());
      l.cells.push_back(format_rfc3339(from_unix_micros(row[9].as<long long>())));
      out.push_back(std::move(l));
    });
    if (static_cast<long long>(out.size()) - 1 > max_detail_rows)
      throw error::validation({{"/query/to", "the period holds more than " + std::to_string(max_detail_rows) +
                                                 " interactions; ask for a shorter period"}});
    return out;
  };
  co_return co_await db_.run(std::move(job));
}

namespace {

// Callers who see the same brands and ask for the same ones get the same
// answer, whoever they are.
std::string live_key(const principal& who, std::vector<std::string> asked) {
  std::vector<std::string> scope = who.brand_ids;
  std::sort(scope.begin(), scope.end());
  std::sort(asked.begin(), asked.end());
  std::string key = who.all_brands ? "*" : "";
  for (const auto& b : scope) key += b + ",";
  key += "|";
  for (const auto& b : asked) key += b + ",";
  return key;
}

}  // namespace

awaitable<json> report_service::live(const principal& who, std::vector<std::string> brands) {
  if (opts_.live_cache.count() <= 0) co_return co_await compute_live(who, std::move(brands));
  const auto key = live_key(who, brands);
  {
    std::lock_guard lock(live_mutex_);
    auto it = live_cache_.find(key);
    if (it != live_cache_.end()) {
      // When it expires, the first caller computes it again and the rest are
      // served the previous one until then, rather than all queueing at once.
      if (it->second.until > std::chrono::steady_clock::now() || it->second.refreshing) co_return it->second.body;
      it->second.refreshing = true;
    }
  }
  json body;
  try {
    body = co_await compute_live(who, std::move(brands));
  } catch (...) {
    std::lock_guard lock(live_mutex_);
    if (auto it = live_cache_.find(key); it != live_cache_.end()) it->second.refreshing = false;
    throw;
  }
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(live_mutex_);
  if (live_cache_.size() > 1000) std::erase_if(live_cache_, [&](const auto& e) { return e.second.until <= now && !e.second.refreshing; });
  live_cache_[key] = {now + opts_.live_cache, body, false};
  co_return body;
}

awaitable<json> report_service::compute_live(const principal& who, std::vector<std::string> brands) {
  auto job = [who, brands, timeout = opts_.timeout](pqxx::connection_base& c) {
    snapshot tx(c);
    store::reports::analytic_settings(tx, timeout);
    const auto ids = covered_brands(tx, who, brands);
    json b = store::reports::live_brands(tx, ids);
    json q = store::reports::live_queues(tx, ids);
    json total = {{"agents", {{"online", 0}, {"away", 0}, {"offline", 0}}}};
    for (const auto& k : {"waiting", "breaching_next_hour", "overdue", "callbacks_open", "callbacks_overdue"}) total[k] = 0;
    json oldest = nullptr;
    for (const auto& row : b) {
      for (const auto& k : {"online", "away", "offline"})
        total["agents"][k] = total["agents"][k].get<long long>() + row["agents"][k].get<long long>();
      for (const auto& k : {"waiting", "breaching_next_hour", "overdue", "callbacks_open", "callbacks_overdue"})
        total[k] = total[k].get<long long>() + row[k].get<long long>();
      // RFC 3339 in UTC sorts as text.
      if (!row["oldest_waiting_at"].is_null() && (oldest.is_null() || row["oldest_waiting_at"] < oldest))
        oldest = row["oldest_waiting_at"];
    }
    total["oldest_waiting_at"] = oldest;
    return json{{"at", format_rfc3339(now_utc())}, {"brands", std::move(b)}, {"queues", std::move(q)}, {"total", std::move(total)}};
  };
  co_return co_await db_.run(std::move(job));
}

}  // namespace helpdesk::app
