#pragma once
// Business calendars: when a support team is at work, and the arithmetic SLA
// clocks need on top of that (add N business seconds to an instant, count the
// business seconds between two instants). Pure: the only outside input is the
// system tz database, read once when a calendar is compiled.
//
// Semantics, relied on by every SLA clock:
// - Business time is real elapsed time inside open intervals. A local interval
//   is placed on the UTC axis with the zone's rules of its own date, so a
//   01:00-05:00 interval lasts 3 real hours on Prague's spring-forward day
//   and 5 on its fall-back day.
// - A local time that does not exist (skipped by a spring-forward) maps to the
//   instant of the transition, i.e. the first instant that exists after it:
//   the behaviour of date-tz's to_sys for nonexistent times. An ambiguous one
//   (repeated by a fall-back) maps to its earliest instant (choose::earliest).
// - A start outside hours counts from the next opening; the N-th second ending
//   exactly at a close is due at that close; a holiday removes the whole local
//   date.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <date/date.h>

#include "helpdesk/domain/error.hpp"
#include "helpdesk/domain/time.hpp"

namespace helpdesk::domain {

inline constexpr int minutes_per_day = 1440;

// Index 0 is Monday, as in the API's "weekly" object.
inline constexpr std::array<std::string_view, 7> weekday_keys{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

// [open, close) in minutes of the local day; close 1440 is the midnight that
// ends the day.
struct local_interval {
  int open_minute = 0;
  int close_minute = 0;
  friend bool operator==(const local_interval&, const local_interval&) = default;
};

// One date, or a month and day that recurs every year (02-29 only in leap years).
using holiday = std::variant<date::year_month_day, date::month_day>;

struct calendar_definition {
  std::string time_zone = "UTC";                        // IANA name
  std::array<std::vector<local_interval>, 7> weekly;    // sorted, non-overlapping
  std::vector<holiday> holidays;
};

// --- Parsing and validation (what the HTTP layer needs for a 422) ----------

enum class clock_edge { opening, closing };

// "HH:MM" to minutes of the day; "24:00" is accepted only as a closing.
std::optional<int> parse_clock_time(std::string_view text, clock_edge edge);
// "YYYY-MM-DD" and "MM-DD" by syntax alone: "2026-02-30" parses, and
// validate_calendar then points at it as a date that does not exist.
std::optional<date::year_month_day> parse_holiday_date(std::string_view text);
std::optional<date::month_day> parse_holiday_month_day(std::string_view text);

// Every problem, each with its JSON pointer into the API shape:
// "/time_zone", "/weekly/mon/1" (or ".../1/0" for a bad opening minute),
// "/holidays/3/date", "/holidays/4/month_day". Limits: 48 intervals a day,
// 1,000 holidays.
std::vector<field_error> validate_calendar(const calendar_definition& def);

// --- Compiled calendars ----------------------------------------------------

// A local day with no business time for this long means the calendar has none
// to give: the search for a due time or an opening stops there.
inline constexpr int no_opening_horizon_days = 3 * 366;

// A definition turned into lookup tables: the zone's UTC offsets as sorted
// periods, holidays as day numbers, the week as flat arrays. Immutable once
// built, so one instance may be shared by any number of threads.
class business_calendar {
 public:
  // Calendar time: open all the time, no holidays, UTC. A default-constructed
  // calendar is the same.
  static business_calendar always_open();
  // Throws helpdesk::error (validation) with validate_calendar's errors.
  static business_calendar compile(const calendar_definition& def);

  bool is_always_open() const noexcept { return always_open_; }
  const std::string& time_zone() const noexcept { return time_zone_; }
  // Business seconds in a week without holidays or offset changes.
  std::int64_t weekly_business_seconds() const noexcept { return weekly_seconds_; }

  // Open at t (intervals are half-open: open at the opening, closed at the close).
  friend bool is_open(const business_calendar& cal, timestamp t);
  // The earliest instant >= t at which the calendar is open (t itself when it
  // is open); nullopt when no_opening_horizon_days pass without an opening.
  friend std::optional<timestamp> next_opening(const business_calendar& cal, timestamp t);
  // The instant by which `seconds` business seconds have passed since start
  // (negative counts as 0). nullopt means "no due time": no business time
  // within no_opening_horizon_days, or a due time after the year 9999.
  friend std::optional<timestamp> add_business_seconds(const business_calendar& cal, timestamp start,
                                                       std::int64_t seconds);
  // Whole business seconds in [a, b), rounded down; 0 when b <= a.
  friend std::int64_t business_seconds_between(const business_calendar& cal, timestamp a, timestamp b);

 private:
  // A stretch of UTC time with one offset. local_begin/local_end are its ends
  // in local seconds; the gap between one period's local_end and the next's
  // local_begin is time skipped by a spring-forward, an overlap is time repeated.
  struct zone_period {
    std::int64_t utc_begin;
    std::int64_t offset;
    std::int64_t local_begin;
    std::int64_t local_end;
  };
  struct local_range {
    std::int32_t open;   // seconds of the day
    std::int32_t close;
  };
  struct walker;  // steps through local days, turning their intervals into UTC spans

  bool always_open_ = true;
  std::string time_zone_ = "UTC";
  std::vector<local_range> ranges_;               // the week's intervals, Monday first
  std::array<std::uint32_t, 8> weekday_first_{};  // weekday w's ranges: [first[w], first[w + 1])
  std::int64_t weekly_seconds_ = 0;
  std::vector<std::int32_t> fixed_holidays_;      // local day numbers, sorted
  std::array<std::uint32_t, 13> yearly_holidays_{};  // bit d of [month]
  bool has_yearly_holidays_ = false;
  std::vector<zone_period> periods_;              // sorted; the first starts at -inf
};

bool is_open(const business_calendar& cal, timestamp t);
std::optional<timestamp> next_opening(const business_calendar& cal, timestamp t);
std::optional<timestamp> add_business_seconds(const business_calendar& cal, timestamp start, std::int64_t seconds);
std::int64_t business_seconds_between(const business_calendar& cal, timestamp a, timestamp b);

}  // namespace helpdesk::domain
