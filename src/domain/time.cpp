#include "helpdesk/domain/time.hpp"

#include <date/date.h>

#include <sstream>

namespace helpdesk {

std::string format_rfc3339(timestamp t) {
  // Millisecond precision is what clients and reports need; trailing
  // microseconds only add noise to JSON.
  auto ms = std::chrono::floor<std::chrono::milliseconds>(t);
  return date::format("%FT%TZ", ms);
}

std::optional<timestamp> parse_rfc3339(std::string_view s) {
  if (s.size() < 20 || s.size() > 40) return std::nullopt;
  std::string text(s);
  for (const char* fmt : {"%FT%T%Ez", "%FT%TZ", "%FT%T%z"}) {
    std::istringstream in(text);
    date::sys_time<std::chrono::microseconds> tp;
    in >> date::parse(fmt, tp);
    if (!in.fail() && in.peek() == std::char_traits<char>::eof()) return tp;
  }
  return std::nullopt;
}

timestamp from_unix_micros(long long us) {
  return timestamp(std::chrono::microseconds(us));
}

long long to_unix_micros(timestamp t) { return t.time_since_epoch().count(); }

timestamp now_utc() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

}  // namespace helpdesk
