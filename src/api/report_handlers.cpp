// Reports and live statistics for managers: the query string is checked by
// the pure reports module, the numbers come from the report service, and
// this file only picks JSON or CSV.
#include "helpdesk/api/csv.hpp"
#include "handlers.hpp"
#include "helpdesk/app/services.hpp"

namespace helpdesk::api {
namespace {

reports::raw_query raw_of(const request_context& ctx) {
  reports::raw_query q;
  // A repeated parameter (brand=a&brand=b) is one list.
  for (auto& [k, v] : ctx.query_params()) {
    auto [it, fresh] = q.params.emplace(k, v);
    if (!fresh) it->second += "," + v;
  }
  return q;
}

bool wants_csv(const request_context& ctx, const reports::report_request& r) {
  if (r.csv) return true;
  if (ctx.query("format")) return false;  // format=json wins over the header
  const auto accept = ctx.req[bhttp::field::accept];
  return accept.find("text/csv") != std::string_view::npos;
}

const std::vector<std::string>& csv_columns(reports::report_kind k) {
  using reports::report_kind;
  static const std::map<report_kind, std::vector<std::string>> columns = {
      {report_kind::sla, {"target", "group", "group_name", "started", "met", "breached", "running", "cancelled", "compliance"}},
      {report_kind::response_times,
       {"group", "group_name", "metric", "count", "calendar.avg", "calendar.median", "calendar.p90", "business.avg",
        "business.median", "business.p90"}},
      {report_kind::volume, {"day", "created", "solved", "reopened", "backlog"}},
      {report_kind::calls,
       {"group", "group_name", "offered", "answered", "missed", "voicemail", "answer_rate", "wait_avg_s", "wait_p90_s",
        "callbacks_required", "callbacks_attempted", "callbacks_reached", "time_to_callback_median_s",
        "time_to_callback_p90_s"}},
      {report_kind::interactions, {"group", "group_name", "channel", "direction", "count"}},
      {report_kind::contact_reasons, {"group", "group_name", "tag", "count", "previous", "change", "change_pct"}},
      {report_kind::agents,
       {"agent_id", "name", "tickets_handled", "replies", "first_response_median_s", "met", "breached", "compliance",
        "online_s", "away_s"}},
  };
  return columns.at(k);
}

response csv_response(const request_context& ctx, std::string body, const std::string& name) {
  auto res = http::make_response(bhttp::status::ok, std::move(body), "text/csv; charset=utf-8", ctx.req.version());
  res.set(bhttp::field::content_disposition, "attachment; filename=\"" + name + ".csv\"");
  res.set(bhttp::field::cache_control, "private, no-store");
  return res;
}

std::string file_name(const reports::report_request& r) {
  auto day = [](timestamp t) { return format_rfc3339(t).substr(0, 10); };
  return "helpdesk-" + std::string(reports::to_string(r.kind)) + "-" + day(r.from) + "-" + day(r.to);
}

awaitable<response> report(env& e, request_context& ctx, reports::report_kind kind) {
  std::vector<field_error> errors;
  auto r = reports::parse_request(kind, raw_of(ctx), now_utc(), errors);
  if (!errors.empty()) throw error::validation(std::move(errors));
  const bool csv_out = wants_csv(ctx, r);
  if (r.detail && !csv_out)
    throw error::validation({{"/query/detail", "the message list is a CSV export: add format=csv"}});
  if (r.detail) {
    auto lines = co_await e.svc.reports.interaction_details(ctx.caller(), r);
    std::string body;
    for (const auto& l : lines) body += csv::line(l.cells);
    co_return csv_response(ctx, std::move(body), file_name(r) + "-messages");
  }
  auto body = co_await e.svc.reports.run(ctx.caller(), r);
  if (csv_out) co_return csv_response(ctx, csv::table(body["rows"], csv_columns(kind)), file_name(r));
  co_return json_response(bhttp::status::ok, body, ctx.req.version());
}

}  // namespace

HELPDESK_HANDLER(get_report_sla) { co_return co_await report(e, ctx, reports::report_kind::sla); }
HELPDESK_HANDLER(get_report_response_times) { co_return co_await report(e, ctx, reports::report_kind::response_times); }
HELPDESK_HANDLER(get_report_volume) { co_return co_await report(e, ctx, reports::report_kind::volume); }
HELPDESK_HANDLER(get_report_calls) { co_return co_await report(e, ctx, reports::report_kind::calls); }
HELPDESK_HANDLER(get_report_interactions) { co_return co_await report(e, ctx, reports::report_kind::interactions); }
HELPDESK_HANDLER(get_report_contact_reasons) {
  co_return co_await report(e, ctx, reports::report_kind::contact_reasons);
}
HELPDESK_HANDLER(get_report_agents) { co_return co_await report(e, ctx, reports::report_kind::agents); }

HELPDESK_HANDLER(get_stats_live) {
  std::vector<std::string> brands;
  for (auto& [k, v] : ctx.query_params()) {
    if (k != "brand") throw error::validation({{"/query/" + k, "is not a parameter of the live statistics"}});
    for (auto& b : reports::split_list(v)) brands.push_back(std::move(b));
  }
  auto body = co_await e.svc.reports.live(ctx.caller(), std::move(brands));
  auto res = json_response(bhttp::status::ok, body, ctx.req.version());
  res.set(bhttp::field::cache_control, "no-store");
  co_return res;
}

}  // namespace helpdesk::api
