#pragma once
// What a manager asks a report for, checked before any query runs: the
// period (whole local days or exact instants), the time zone its days are
// counted in, the grouping and the filters each report understands.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "helpdesk/domain/error.hpp"
#include "helpdesk/domain/time.hpp"

namespace helpdesk::reports {

enum class report_kind { sla, response_times, volume, calls, interactions, contact_reasons, agents };

std::string_view to_string(report_kind k);
std::optional<report_kind> parse_report_kind(std::string_view s);

// A leap year, with room for a DST hour.
inline constexpr std::int64_t max_period_seconds = 366LL * 86400 + 3600;
inline constexpr std::int64_t default_period_seconds = 30LL * 86400;

// The query string as given; absent parameters are nullopt.
struct raw_query {
  std::map<std::string, std::string> params;
  std::optional<std::string> get(const std::string& key) const;
};

struct report_request {
  report_kind kind = report_kind::sla;
  timestamp from{};  // inclusive
  timestamp to{};    // exclusive
  std::string tz = "UTC";
  std::string group_by;
  std::vector<std::string> brands;  // ids or slugs, as given; empty = every brand the caller sees
  std::vector<std::string> queues;  // ids
  std::vector<std::string> agents;  // ids
  std::optional<std::string> channel;
  bool csv = false;
  bool detail = false;  // interactions: one CSV line per counted message
};

// The groupings a report accepts, the default first.
const std::vector<std::string>& groupings(report_kind k);
// The filters a report accepts, of brand, queue, agent, channel.
const std::vector<std::string>& filters(report_kind k);

// `from`/`to` are RFC 3339 instants or dates (YYYY-MM-DD). A date means its
// local midnight in `tz`; a `to` date includes that whole day. Defaults: the
// 30 days up to `now`. Every problem is reported at "/query/<name>".
report_request parse_request(report_kind kind, const raw_query& q, timestamp now, std::vector<field_error>& errors);

// The local midnight starting `date` (YYYY-MM-DD) in `tz`; nullopt for a
// malformed date or an unknown zone. Where DST skips midnight, the first
// instant of the day.
std::optional<timestamp> local_midnight(std::string_view date, const std::string& tz);

// The part of [from, to) that whole UTC hours cover, where the hourly
// counts answer: every local day, weekday and hour is then a set of whole
// UTC hours. Empty (from = to = `to`) when the zone's offset is not whole
// hours at some instant of the period (Asia/Kolkata, or a zone whose history
// had such offsets then); the logs answer the whole period then.
struct hour_span {
  timestamp from{};
  timestamp to{};
  bool empty() const { return from >= to; }
};
hour_span whole_hours(timestamp from, timestamp to, const std::string& tz);

// "a, b,a" -> {"a", "b"}: trimmed, empty items dropped, each once.
std::vector<std::string> split_list(const std::string& s);

// Met share of decided clocks, in percent rounded to 0.01; nullopt when
// nothing was decided yet.
std::optional<double> compliance(std::int64_t met, std::int64_t breached);

}  // namespace helpdesk::reports
