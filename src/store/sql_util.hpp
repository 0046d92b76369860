#pragma once
// Small helpers shared by the repositories (private to the store module).
#include <pqxx/pqxx>

#include <optional>
#include <string>
#include <vector>

#include "helpdesk/domain/time.hpp"

namespace helpdesk::store::sql {

// libpqxx 6.4 sends a null const char* as SQL NULL.
inline const char* nullable(const std::optional<std::string>& s) { return s ? s->c_str() : nullptr; }
// An optional instant as the microsecond count HELPDESK_SQL_AT reads.
inline std::optional<std::string> micros_text(const std::optional<timestamp>& t) {
  if (!t) return std::nullopt;
  return std::to_string(to_unix_micros(*t));
}

// A PostgreSQL array literal of values that are known not to need quoting
// (validated UUIDs); anything else must go through a JSON parameter.
std::string uuid_array(const std::vector<std::string>& ids);
std::vector<std::string> parse_text_array(const pqxx::field& f);
// A PostgreSQL text[] literal of arbitrary strings, every element quoted.
std::string text_array(const std::vector<std::string>& values);  // from array_to_json(...)::text

inline std::optional<std::string> optional_text(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}

inline timestamp micros(const pqxx::field& f) { return from_unix_micros(f.as<long long>()); }
inline std::optional<timestamp> optional_micros(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return from_unix_micros(f.as<long long>());
}

// "(extract(epoch from col) * 1000000)::bigint": instants travel as integers.
#define HELPDESK_SQL_MICROS(col) "(extract(epoch from " col ") * 1000000)::bigint"

// The work channel of a ticket, as routing::channel_of decides it.
#define HELPDESK_SQL_WORK_CHANNEL(t)                                                                             \
  "CASE WHEN " t ".callback_required OR " t ".origin_channel = 'phone' THEN 'phone' WHEN " t ".origin_channel = " \
  "'chat' THEN 'chat' ELSE 'email' END"

}  // namespace helpdesk::store::sql

// The instant of a bigint of Unix microseconds. to_timestamp(double) is
// immutable, so the instant of a parameter is computed once, when the
// statement is planned. 'epoch' plus an interval is only stable (intervals
// of days depend on the time zone): the reports evaluated it about a dozen
// times for every row they read, 6 to 11 % of a year of response times in
// a serial plan (with parallel workers the wall time was within noise).
// The double is exact to the microsecond for any instant before 2106: its
// error stays under half a microsecond, and PostgreSQL rounds to whole
// microseconds (tests/integration/sql_at_pgtest.cpp).
#define HELPDESK_SQL_AT(param) "to_timestamp((" param ")::bigint / 1000000.0::float8)"

// Whether an inbound event sends a ticket back to the router to pick a
// queue again: a solved ticket reopened, or a missed call turning an
// unassigned ticket into a callback. `old_status` and the ticket's columns are
// the values before the update.
#define HELPDESK_SQL_REQUEUE(old_status, new_status, callback)                                               \
  "((" old_status " = 'solved' AND " new_status " <> " old_status ") OR (" callback " IS TRUE AND NOT "      \
  "callback_required AND assignee_id IS NULL))"
