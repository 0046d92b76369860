// Parsing and validation of calendar definitions; the arithmetic is in calendar.cpp.
#include <cstdio>

#include "helpdesk/domain/calendar.hpp"
#include "helpdesk/domain/locale_codes.hpp"

namespace helpdesk::domain {
namespace {

// Limits keep one calendar's compiled tables and per-day work small.
constexpr std::size_t max_intervals_per_day = 48;
constexpr std::size_t max_holidays = 1000;

// Digits at `positions` of `text` as a number, or -1 when one is not a digit.
template <std::size_t N>
int digits_at(std::string_view text, const std::array<std::size_t, N>& positions) {
  int value = 0;
  for (std::size_t p : positions) {
    const char c = text[p];
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::string clock_text(int minute) {
  char out[32];
  std::snprintf(out, sizeof out, "%02d:%02d", minute / 60, minute % 60);
  return out;
}

std::string date_text(const date::year_month_day& d) {
  char out[32];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return out;
}

std::string month_day_text(const date::month_day& md) {
  char out[32];
  std::snprintf(out, sizeof out, "%02u-%02u", static_cast<unsigned>(md.month()), static_cast<unsigned>(md.day()));
  return out;
}

// Appending, not "'" + s: g++ 12 warns falsely (-Wrestrict) about the latter.
std::string quoted(std::string_view s) {
  std::string out = "'";
  out += s;
  out += '\'';
  return out;
}

void check_day(const std::vector<local_interval>& day, const std::string& path, std::vector<field_error>& out) {
  if (day.size() > max_intervals_per_day) {
    out.push_back({path, "at most " + std::to_string(max_intervals_per_day) + " intervals a day"});
    return;
  }
  const local_interval* previous = nullptr;  // the last interval that was itself valid
  for (std::size_t i = 0; i < day.size(); ++i) {
    const auto& iv = day[i];
    const std::string at = path + "/" + std::to_string(i);
    const bool open_ok = iv.open_minute >= 0 && iv.open_minute < minutes_per_day;
    const bool close_ok = iv.close_minute > 0 && iv.close_minute <= minutes_per_day;
    if (!open_ok) out.push_back({at + "/0", "an opening must be between 00:00 and 23:59"});
    if (!close_ok) out.push_back({at + "/1", "a closing must be between 00:01 and 24:00"});
    if (!open_ok || !close_ok) continue;
    if (iv.close_minute <= iv.open_minute) {
      out.push_back({at, "closes at " + clock_text(iv.close_minute) + ", not after it opens at " +
                             clock_text(iv.open_minute)});
      continue;
    }
    if (previous && iv.open_minute < previous->open_minute)
      out.push_back({at, "intervals out of order: each must open after the one before it"});
    else if (previous && iv.open_minute < previous->close_minute)
      out.push_back({at, "intervals overlap: opens at " + clock_text(iv.open_minute) +
                             ", before the previous one closes at " + clock_text(previous->close_minute)});
    previous = &iv;
  }
}

}  // namespace

std::optional<int> parse_clock_time(std::string_view text, clock_edge edge) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  const int hours = digits_at(text, std::array<std::size_t, 2>{0, 1});
  const int minutes = digits_at(text, std::array<std::size_t, 2>{3, 4});
  if (hours < 0 || minutes < 0 || minutes > 59) return std::nullopt;
  if (hours == 24 && minutes == 0 && edge == clock_edge::closing) return minutes_per_day;
  if (hours > 23) return std::nullopt;
  return hours * 60 + minutes;
}

std::optional<date::year_month_day> parse_holiday_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const int y = digits_at(text, std::array<std::size_t, 4>{0, 1, 2, 3});
  const int m = digits_at(text, std::array<std::size_t, 2>{5, 6});
  const int d = digits_at(text, std::array<std::size_t, 2>{8, 9});
  if (y < 0 || m < 0 || d < 0) return std::nullopt;
  return date::year_month_day{date::year{y}, date::month{static_cast<unsigned>(m)},
                              date::day{static_cast<unsigned>(d)}};
}

std::optional<date::month_day> parse_holiday_month_day(std::string_view text) {
  if (text.size() != 5 || text[2] != '-') return std::nullopt;
  const int m = digits_at(text, std::array<std::size_t, 2>{0, 1});
  const int d = digits_at(text, std::array<std::size_t, 2>{3, 4});
  if (m < 0 || d < 0) return std::nullopt;
  return date::month_day{date::month{static_cast<unsigned>(m)}, date::day{static_cast<unsigned>(d)}};
}

std::vector<field_error> validate_calendar(const calendar_definition& def) {
  std::vector<field_error> out;
  if (!is_time_zone(def.time_zone)) out.push_back({"/time_zone", quoted(def.time_zone) + " is not an IANA time zone"});
  for (std::size_t w = 0; w < def.weekly.size(); ++w)
    check_day(def.weekly[w], "/weekly/" + std::string(weekday_keys[w]), out);
  if (def.holidays.size() > max_holidays) {
    out.push_back({"/holidays", "at most " + std::to_string(max_holidays) + " holidays"});
    return out;
  }
  for (std::size_t i = 0; i < def.holidays.size(); ++i) {
    const std::string at = "/holidays/" + std::to_string(i);
    if (const auto* d = std::get_if<date::year_month_day>(&def.holidays[i])) {
      if (!d->ok()) out.push_back({at + "/date", quoted(date_text(*d)) + " is not a date"});
    } else if (const auto& md = std::get<date::month_day>(def.holidays[i]); !md.ok()) {
      out.push_back({at + "/month_day", quoted(month_day_text(md)) + " is not a day of the year"});
    }
  }
  return out;
}

}  // namespace helpdesk::domain
