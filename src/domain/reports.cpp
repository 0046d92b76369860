#include "helpdesk/domain/reports.hpp"

#include <algorithm>
#include <cmath>
#include <date/tz.h>

#include "helpdesk/domain/ids.hpp"
#include "helpdesk/domain/locale_codes.hpp"

namespace helpdesk::reports {
namespace {

struct kind_info {
  report_kind kind;
  std::string_view name;
  std::vector<std::string> groupings;
  std::vector<std::string> filters;
};

const std::vector<kind_info>& kinds() {
  static const std::vector<kind_info> all = {
      {report_kind::sla, "sla", {"brand", "queue", "agent", "channel", "priority"}, {"brand", "queue", "agent", "channel"}},
      {report_kind::response_times, "response-times", {"brand", "queue", "agent", "channel", "priority"},
       {"brand", "queue", "agent", "channel"}},
      {report_kind::volume, "volume", {"day", "week", "month"}, {"brand", "channel"}},
      {report_kind::calls, "calls", {"brand", "agent", "day"}, {"brand", "agent"}},
      {report_kind::interactions, "interactions", {"brand", "agent", "day"}, {"brand", "agent", "channel"}},
      {report_kind::contact_reasons, "contact-reasons", {"brand"}, {"brand", "channel"}},
      {report_kind::agents, "agents", {"agent"}, {"brand", "agent"}},
  };
  return all;
}

const kind_info& info(report_kind k) {
  for (const auto& i : kinds())
    if (i.kind == k) return i;
  return kinds().front();
}

bool is_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

std::optional<timestamp> next_local_midnight(std::string_view date, const std::string& tz) {
  const int y = std::stoi(std::string(date.substr(0, 4)));
  const unsigned m = std::stoul(std::string(date.substr(5, 2)));
  const unsigned d = std::stoul(std::string(date.substr(8, 2)));
  const date::year_month_day next{date::sys_days{date::year{y} / m / d} + date::days{1}};
  return local_midnight(date::format("%F", next), tz);
}

// An instant or a date; the date's midnight, or the next one for an inclusive end.
std::optional<timestamp> read_bound(const std::string& text, const std::string& tz, bool end) {
  if (is_date(text)) return end ? next_local_midnight(text, tz) : local_midnight(text, tz);
  return parse_rfc3339(text);
}

}  // namespace

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    auto item = s.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty() && std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

std::string_view to_string(report_kind k) { return info(k).name; }

std::optional<report_kind> parse_report_kind(std::string_view s) {
  for (const auto& i : kinds())
    if (i.name == s) return i.kind;
  return std::nullopt;
}

const std::vector<std::string>& groupings(report_kind k) { return info(k).groupings; }
const std::vector<std::string>& filters(report_kind k) { return info(k).filters; }

std::optional<std::string> raw_query::get(const std::string& key) const {
  auto it = params.find(key);
  if (it == params.end()) return std::nullopt;
  return it->second;
}

std::optional<timestamp> local_midnight(std::string_view text, const std::string& tz) {
  if (!is_date(text) || !is_time_zone(tz)) return std::nullopt;
  const int y = std::stoi(std::string(text.substr(0, 4)));
  const unsigned m = std::stoul(std::string(text.substr(5, 2)));
  const unsigned d = std::stoul(std::string(text.substr(8, 2)));
  const date::year_month_day ymd{date::year{y}, date::month{m}, date::day{d}};
  if (!ymd.ok()) return std::nullopt;
  const auto* zone = date::locate_zone(tz);
  const date::local_seconds midnight{date::local_days{ymd}.time_since_epoch()};
  const auto info = zone->get_info(midnight);
  date::sys_seconds at;
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous: at = date::sys_seconds{midnight.time_since_epoch() - info.first.offset}; break;
    // Midnight does not exist: the day starts when the clocks jump.
    case date::local_info::nonexistent: at = info.second.begin; break;
  }
  return timestamp{std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch())};
}

hour_span whole_hours(timestamp from, timestamp to, const std::string& tz) {
  using std::chrono::hours;
  const hour_span none{to, to};
  if (from >= to || !is_time_zone(tz)) return none;
  const auto first = std::chrono::ceil<hours>(from);
  const auto last = std::chrono::floor<hours>(to);
  if (first >= last) return none;
  // Every offset in force from the first hour to the last.
  const auto* zone = date::locate_zone(tz);
  for (auto at = std::chrono::time_point_cast<std::chrono::seconds>(first); at < last;) {
    const auto info = zone->get_info(at);
    if (info.offset % hours(1) != std::chrono::seconds(0)) return none;
    if (info.end <= at) break;  // the last rule: no transition ever after
    at = info.end;
  }
  return {first, last};
}

report_request parse_request(report_kind kind, const raw_query& q, timestamp now, std::vector<field_error>& errors) {
  report_request r;
  r.kind = kind;
  const auto& allowed_filters = filters(kind);
  static const std::vector<std::string> general = {"from", "to", "tz", "group_by", "format", "detail"};
  for (const auto& [key, value] : q.params) {
    (void)value;
    const bool known = std::find(general.begin(), general.end(), key) != general.end() ||
                       std::find(allowed_filters.begin(), allowed_filters.end(), key) != allowed_filters.end();
    if (known) continue;
    static const std::vector<std::string> every_filter = {"brand", "queue", "agent", "channel"};
    if (std::find(every_filter.begin(), every_filter.end(), key) != every_filter.end())
      errors.push_back({"/query/" + key, "the " + std::string(to_string(kind)) + " report cannot be filtered by " + key});
    else
      errors.push_back({"/query/" + key, "is not a parameter of this report"});
  }

  if (auto tz = q.get("tz")) {
    if (is_time_zone(*tz)) r.tz = *tz;
    else errors.push_back({"/query/tz", "\"" + *tz + "\" is not an IANA time zone (for example Europe/Prague)"});
  }
  const auto& groups = groupings(kind);
  r.group_by = groups.front();
  if (auto g = q.get("group_by")) {
    if (std::find(groups.begin(), groups.end(), *g) != groups.end()) {
      r.group_by = *g;
    } else {
      std::string list;
      for (const auto& x : groups) list += (list.empty() ? "" : ", ") + x;
      errors.push_back({"/query/group_by", "must be one of: " + list});
    }
  }

  std::optional<timestamp> from, to;
  bool bounds_ok = true;
  if (auto t = q.get("to")) {
    to = read_bound(*t, r.tz, true);
    if (!to) errors.push_back({"/query/to", "must be an RFC 3339 instant or a date (YYYY-MM-DD)"}), bounds_ok = false;
  }
  if (auto f = q.get("from")) {
    from = read_bound(*f, r.tz, false);
    if (!from) errors.push_back({"/query/from", "must be an RFC 3339 instant or a date (YYYY-MM-DD)"}), bounds_ok = false;
  }
  if (bounds_ok) {
    r.to = to.value_or(now);
    r.from = from.value_or(r.to - std::chrono::seconds(default_period_seconds));
    if (r.from >= r.to) {
      errors.push_back({"/query/from", "must be before to"});
    } else if (r.to - r.from > std::chrono::seconds(max_period_seconds)) {
      errors.push_back({"/query/to", "the period may span at most 366 days"});
    }
  }

  if (auto b = q.get("brand")) r.brands = split_list(*b);
  auto ids = [&](const char* key, std::vector<std::string>& out) {
    auto v = q.get(key);
    if (!v) return;
    out = split_list(*v);
    for (std::size_t i = 0; i < out.size(); ++i)
      if (!is_uuid(out[i])) errors.push_back({std::string("/query/") + key, "\"" + out[i] + "\" is not an id"});
  };
  ids("queue", r.queues);
  ids("agent", r.agents);
  if (auto c = q.get("channel")) {
    static const std::vector<std::string> channels = {"email", "phone", "chat"};
    if (std::find(channels.begin(), channels.end(), *c) != channels.end()) r.channel = *c;
    else errors.push_back({"/query/channel", "must be one of: email, phone, chat"});
  }
  if (auto f = q.get("format")) {
    if (*f == "csv") r.csv = true;
    else if (*f != "json") errors.push_back({"/query/format", "must be json or csv"});
  }
  if (auto d = q.get("detail")) {
    if (kind != report_kind::interactions) errors.push_back({"/query/detail", "only the interactions report has details"});
    else if (*d == "true" || *d == "messages") r.detail = true;
    else if (*d != "false") errors.push_back({"/query/detail", "must be true or false"});
  }
  return r;
}

std::optional<double> compliance(std::int64_t met, std::int64_t breached) {
  if (met + breached <= 0) return std::nullopt;
  return std::round(10000.0 * static_cast<double>(met) / static_cast<double>(met + breached)) / 100.0;
}

}  // namespace helpdesk::reports
