// Business-time arithmetic over a compiled calendar. date-tz's own
// conversions build a sys_info (with strings) per call, far too slow for a
// million deadlines a second, so compile() reads the zone's offsets once into
// sorted periods and every conversion after that is integer arithmetic.
#include <algorithm>
#include <limits>

#include <date/tz.h>

#include "helpdesk/domain/calendar.hpp"

namespace helpdesk::domain {
namespace {

constexpr std::int64_t seconds_per_day = 86'400;
constexpr std::int64_t days_per_week = 7;
constexpr std::int64_t micros_per_second = 1'000'000;
constexpr std::int64_t far_past = std::numeric_limits<std::int64_t>::min() / 4;
constexpr std::int64_t far_future = std::numeric_limits<std::int64_t>::max() / 4;

// The tz database is read over these years; before and after them the
// nearest period's offset holds (date-tz itself has no rules past 2037 from
// the system database, so nothing is lost at the far end).
constexpr int first_read_year = 1800;
constexpr int last_read_year = 2400;

// Local day number of 9999-12-31: no due time beyond it, which also keeps
// every microsecond sum far from overflowing.
constexpr std::int64_t last_day =
    date::sys_days{date::year{9999} / 12 / 31}.time_since_epoch().count();
constexpr std::int64_t latest_micros = (last_day + 1) * seconds_per_day * micros_per_second;
constexpr std::int64_t max_seconds = latest_micros / micros_per_second;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Monday is 0; 1970-01-01, day 0, was a Thursday.
int weekday_of(std::int64_t day) { return static_cast<int>(((day % 7) + 7 + 3) % 7); }

struct utc_span {
  std::int64_t begin;  // microseconds
  std::int64_t end;
};

}  // namespace

// Walks local days forward from the day of an instant. Both cursors only
// move forward because the local times it converts never decrease.
struct business_calendar::walker {
  const business_calendar& cal;
  std::int64_t day = 0;
  int weekday = 0;
  std::size_t period = 0;         // the earliest period whose local_end lies beyond the times converted
  std::size_t fixed_holiday = 0;  // the first fixed holiday not before `day`

  walker(const business_calendar& c, std::int64_t t_micros) : cal(c) {
    const std::int64_t t = floor_div(t_micros, micros_per_second);
    const auto& ps = cal.periods_;
    const auto holding = std::upper_bound(ps.begin(), ps.end(), t,
                                          [](std::int64_t v, const zone_period& p) { return v < p.utc_begin; });
    day = floor_div(t + std::prev(holding)->offset, seconds_per_day);
    weekday = weekday_of(day);
    // In the hour a fall-back repeats, midnight may belong to the period before t's.
    const std::int64_t midnight = day * seconds_per_day;
    period = static_cast<std::size_t>(
        std::upper_bound(ps.begin(), ps.end(), midnight,
                         [](std::int64_t v, const zone_period& p) { return v < p.local_end; }) -
        ps.begin());
    fixed_holiday = static_cast<std::size_t>(
        std::lower_bound(cal.fixed_holidays_.begin(), cal.fixed_holidays_.end(), day) -
        cal.fixed_holidays_.begin());
  }

  // Earliest UTC second for a local second; a skipped one maps to the transition.
  std::int64_t to_utc(std::int64_t local) {
    while (local >= cal.periods_[period].local_end) ++period;
    const zone_period& p = cal.periods_[period];
    return local >= p.local_begin ? local - p.offset : p.utc_begin;
  }

  void next_day() {
    ++day;
    weekday = weekday == 6 ? 0 : weekday + 1;
  }

  bool yearly_holiday(std::int64_t d) const {
    if (!cal.has_yearly_holidays_) return false;
    const date::year_month_day ymd{date::sys_days{date::days{static_cast<int>(d)}}};
    return (cal.yearly_holidays_[static_cast<unsigned>(ymd.month())] >> static_cast<unsigned>(ymd.day())) & 1U;
  }

  bool holiday_today() {
    const auto& fixed = cal.fixed_holidays_;
    while (fixed_holiday < fixed.size() && fixed[fixed_holiday] < day) ++fixed_holiday;
    return (fixed_holiday < fixed.size() && fixed[fixed_holiday] == day) || yearly_holiday(day);
  }

  // The day's open spans in UTC, in order; those a spring-forward swallowed
  // whole come out empty.
  template <typename Visit>
  void for_each_span(Visit&& visit) {
    const std::int64_t midnight = day * seconds_per_day;
    for (std::uint32_t i = cal.weekday_first_[weekday]; i < cal.weekday_first_[weekday + 1]; ++i) {
      const local_range& r = cal.ranges_[i];
      const std::int64_t begin = to_utc(midnight + r.open);
      const std::int64_t end = to_utc(midnight + r.close);
      if (!visit(utc_span{begin * micros_per_second, end * micros_per_second})) return;
    }
  }

  // The coming seven days hold exactly the weekly business time when one
  // offset holds throughout and no holiday falls in them; then the whole week
  // can be taken at once. True when that is so and the week lies in [from, to].
  bool plain_week_within(std::int64_t from, std::int64_t to) {
    const std::int64_t midnight = day * seconds_per_day;
    const std::int64_t week_end = midnight + days_per_week * seconds_per_day;
    while (midnight >= cal.periods_[period].local_end) ++period;
    const zone_period& p = cal.periods_[period];
    // Strict at the end: the midnight closing the week must not fall into the next period.
    if (midnight < p.local_begin || week_end >= p.local_end) return false;
    if ((midnight - p.offset) * micros_per_second < from || (week_end - p.offset) * micros_per_second > to)
      return false;
    const auto& fixed = cal.fixed_holidays_;
    while (fixed_holiday < fixed.size() && fixed[fixed_holiday] < day) ++fixed_holiday;
    if (fixed_holiday < fixed.size() && fixed[fixed_holiday] < day + days_per_week) return false;
    for (std::int64_t d = day; d < day + days_per_week; ++d)
      if (yearly_holiday(d)) return false;
    return true;
  }

  void skip_week() { day += days_per_week; }

  // The first non-empty span ending after t, giving up after `max_idle_days`
  // consecutive days without one.
  std::optional<utc_span> first_span_ending_after(std::int64_t t, int max_idle_days) {
    for (int idle = 0; day <= last_day; next_day()) {
      std::optional<utc_span> found;
      if (!holiday_today()) {
        for_each_span([&](utc_span s) {
          if (s.end > t && s.begin < s.end) found = s;
          return !found;
        });
      }
      if (found) return found;
      if (++idle > max_idle_days) return std::nullopt;
    }
    return std::nullopt;
  }
};

business_calendar business_calendar::always_open() {
  business_calendar cal;
  cal.weekly_seconds_ = days_per_week * seconds_per_day;
  cal.periods_.push_back({far_past, 0, far_past, far_future});
  return cal;
}

business_calendar business_calendar::compile(const calendar_definition& def) {
  if (auto errors = validate_calendar(def); !errors.empty())
    throw error::validation(std::move(errors), "The calendar is invalid.");
  business_calendar cal;
  cal.always_open_ = false;
  cal.time_zone_ = def.time_zone;

  for (std::size_t w = 0; w < def.weekly.size(); ++w) {
    cal.weekday_first_[w] = static_cast<std::uint32_t>(cal.ranges_.size());
    for (const auto& iv : def.weekly[w]) {
      const local_range r{iv.open_minute * 60, iv.close_minute * 60};
      cal.weekly_seconds_ += r.close - r.open;
      // Touching intervals are one stretch of work; merged, the walk has less to do.
      if (cal.ranges_.size() > cal.weekday_first_[w] && cal.ranges_.back().close == r.open)
        cal.ranges_.back().close = r.close;
      else
        cal.ranges_.push_back(r);
    }
  }
  cal.weekday_first_[7] = static_cast<std::uint32_t>(cal.ranges_.size());

  for (const auto& h : def.holidays) {
    if (const auto* d = std::get_if<date::year_month_day>(&h)) {
      cal.fixed_holidays_.push_back(date::sys_days{*d}.time_since_epoch().count());
    } else {
      const auto& md = std::get<date::month_day>(h);
      cal.yearly_holidays_[static_cast<unsigned>(md.month())] |= 1U << static_cast<unsigned>(md.day());
      cal.has_yearly_holidays_ = true;
    }
  }
  std::sort(cal.fixed_holidays_.begin(), cal.fixed_holidays_.end());
  cal.fixed_holidays_.erase(std::unique(cal.fixed_holidays_.begin(), cal.fixed_holidays_.end()),
                            cal.fixed_holidays_.end());

  // Periods differing only in name or DST flag are one period for arithmetic.
  const date::time_zone* zone = date::locate_zone(def.time_zone);
  const date::sys_seconds stop{date::sys_days{date::year{last_read_year} / 1 / 1}};
  date::sys_seconds at{date::sys_days{date::year{first_read_year} / 1 / 1}};
  for (;;) {
    const date::sys_info info = zone->get_info(at);
    const std::int64_t offset = info.offset.count();
    if (cal.periods_.empty())
      cal.periods_.push_back({far_past, offset, far_past, far_future});
    else if (cal.periods_.back().offset != offset)
      cal.periods_.push_back({info.begin.time_since_epoch().count(), offset, 0, far_future});
    if (info.end >= stop) break;
    at = info.end;
  }
  for (std::size_t k = 1; k < cal.periods_.size(); ++k) {
    zone_period& p = cal.periods_[k];
    p.local_begin = p.utc_begin + p.offset;
    cal.periods_[k - 1].local_end = p.utc_begin + cal.periods_[k - 1].offset;
  }
  return cal;
}

bool is_open(const business_calendar& cal, timestamp t) {
  if (cal.always_open_) return true;
  if (cal.weekly_seconds_ == 0) return false;
  const std::int64_t at = to_unix_micros(t);
  // Only t's local day and the next can hold a span around t.
  const auto span = business_calendar::walker(cal, at).first_span_ending_after(at, 1);
  return span && span->begin <= at;
}

std::optional<timestamp> next_opening(const business_calendar& cal, timestamp t) {
  if (cal.always_open_) return t;
  if (cal.weekly_seconds_ == 0) return std::nullopt;
  const std::int64_t at = to_unix_micros(t);
  const auto span = business_calendar::walker(cal, at).first_span_ending_after(at, no_opening_horizon_days);
  if (!span) return std::nullopt;
  return from_unix_micros(std::max(span->begin, at));
}

std::optional<timestamp> add_business_seconds(const business_calendar& cal, timestamp start, std::int64_t seconds) {
  seconds = std::max<std::int64_t>(seconds, 0);
  const std::int64_t from = to_unix_micros(start);
  if (seconds > max_seconds) return std::nullopt;
  std::int64_t remaining = seconds * micros_per_second;
  if (cal.always_open_) {
    if (from > latest_micros - remaining) return std::nullopt;
    return from_unix_micros(from + remaining);
  }
  if (cal.weekly_seconds_ == 0) return std::nullopt;

  const std::int64_t weekly = cal.weekly_seconds_ * micros_per_second;
  business_calendar::walker w(cal, from);
  std::optional<std::int64_t> due;
  for (int idle = 0; w.day <= last_day && !due;) {
    // Strictly more than a week left: the due time lies beyond this week.
    if (remaining > weekly && w.plain_week_within(from, latest_micros)) {
      remaining -= weekly;
      w.skip_week();
      idle = 0;
      continue;
    }
    bool worked = false;
    if (!w.holiday_today()) {
      w.for_each_span([&](utc_span s) {
        if (s.end <= from || s.begin == s.end) return true;
        worked = true;
        const std::int64_t counted_from = std::max(s.begin, from);
        // `<=`: ending exactly at the close is due at the close, not at the next opening.
        if (remaining <= s.end - counted_from) {
          due = counted_from + remaining;
          return false;
        }
        remaining -= s.end - counted_from;
        return true;
      });
    }
    idle = worked ? 0 : idle + 1;
    if (idle > no_opening_horizon_days) return std::nullopt;
    w.next_day();
  }
  if (!due || *due > latest_micros) return std::nullopt;
  return from_unix_micros(*due);
}

std::int64_t business_seconds_between(const business_calendar& cal, timestamp a, timestamp b) {
  const std::int64_t from = to_unix_micros(a);
  const std::int64_t to = to_unix_micros(b);
  if (to <= from) return 0;
  if (cal.always_open_) return (to - from) / micros_per_second;
  if (cal.weekly_seconds_ == 0) return 0;

  const std::int64_t weekly = cal.weekly_seconds_ * micros_per_second;
  business_calendar::walker w(cal, from);
  std::int64_t total = 0;
  bool done = false;
  while (!done && w.day <= last_day) {
    if (w.plain_week_within(from, to)) {
      total += weekly;
      w.skip_week();
      continue;
    }
    if (!w.holiday_today()) {
      w.for_each_span([&](utc_span s) {
        if (s.begin >= to) {
          done = true;
          return false;
        }
        if (s.end > from) total += std::min(s.end, to) - std::max(s.begin, from);
        return true;
      });
    }
    w.next_day();
    if (w.to_utc(w.day * seconds_per_day) * micros_per_second >= to) done = true;
  }
  return total / micros_per_second;
}

}  // namespace helpdesk::domain
