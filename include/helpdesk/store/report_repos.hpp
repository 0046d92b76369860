#pragma once
// Reports for managers, each one statement over the append-only logs
// (messages, ticket events, SLA events, presence intervals, callback
// attempts). Rows come back as JSON objects in the shape the API answers.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "helpdesk/domain/time.hpp"

namespace helpdesk::store::reports {

struct query {
  std::vector<std::string> brand_ids;  // never empty: the brands the report covers
  timestamp from{};
  timestamp to{};
  std::string tz = "UTC";
  std::vector<std::string> queue_ids;  // empty: any
  std::vector<std::string> agent_ids;  // empty: any
  std::optional<std::string> channel;
  std::string group_by;
};

using json = nlohmann::json;

// Brand ids of the given ids or slugs; unknown ones come back in `unknown`.
std::vector<std::string> resolve_brands(pqxx::transaction_base& tx, const std::vector<std::string>& ids_or_slugs,
                                        std::vector<std::string>& unknown);
std::vector<std::string> all_brands(pqxx::transaction_base& tx);

// Settings for the report statements of this transaction: they scan months
// of a log once, which the planner costs for OLTP (see the definition).
void analytic_settings(pqxx::transaction_base& tx, std::chrono::milliseconds timeout);

// {target, group, group_name, started, met, breached, running, cancelled}
json sla(pqxx::transaction_base& tx, const query& q);
// {"rows": [{group, group_name, metric, count, calendar: {avg, median, p90}, business: {...}}], "total": [the
// same per metric, without group]}, in seconds
json response_times(pqxx::transaction_base& tx, const query& q);
// {day, created, solved, reopened, backlog}; `backlog_start` is the backlog at q.from.
json volume(pqxx::transaction_base& tx, const query& q, long long& backlog_start);
// {channel, weekday (1 = Monday), hour, count}
json inbound_grid(pqxx::transaction_base& tx, const query& q);
// {"rows": [{group, group_name, offered, answered, missed, voicemail, wait_avg_s, wait_p90_s, callbacks_required,
//  callbacks_attempted, callbacks_reached, time_to_callback_median_s, time_to_callback_p90_s}], "total": [one row
//  of the same, without group]}
json calls(pqxx::transaction_base& tx, const query& q);
// {group, group_name, channel, direction, count}
json interactions(pqxx::transaction_base& tx, const query& q);
// Every counted message, in time order, for the billing export.
void interaction_details(pqxx::transaction_base& tx, const query& q, long long limit,
                         const std::function<void(const pqxx::row&)>& each);
// {brand_id, brand_name, tag, count, previous}: tags of tickets created in
// [q.from, q.to), and in [previous_from, q.from)
json tag_counts(pqxx::transaction_base& tx, const query& q, timestamp previous_from);
// {agent_id, name, tickets_handled, replies, first_response_median_s, met, breached, online_s, away_s}
json agents(pqxx::transaction_base& tx, const query& q);

// Folds up to `most` of the rows appended to the hourly counts
// (report_counts_delta) into report_counts; the number folded, or 0 when
// another transaction holds the fold, so folds never wait on each other.
long long fold_counts(pqxx::transaction_base& tx, long long most);

// Live state of the brands, now.
json live_brands(pqxx::transaction_base& tx, const std::vector<std::string>& brand_ids);
json live_queues(pqxx::transaction_base& tx, const std::vector<std::string>& brand_ids);

}  // namespace helpdesk::store::reports
