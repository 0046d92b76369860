#include <gtest/gtest.h>

#include <date/tz.h>

#include <algorithm>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "helpdesk/domain/calendar.hpp"

using namespace helpdesk;
using namespace helpdesk::domain;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

constexpr const char* prague = "Europe/Prague";
constexpr const char* warsaw = "Europe/Warsaw";
constexpr const char* new_york = "America/New_York";
constexpr std::int64_t hour_s = 3600;

constexpr int hm(int h, int m = 0) { return h * 60 + m; }

timestamp utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return timestamp{date::sys_days{date::year{y} / mo / d}} + hours{h} + minutes{mi} + seconds{s};
}

// Local wall time to UTC, asked of date-tz directly.
timestamp wall(const char* zone, int y, int mo, int d, int h, int mi = 0) {
  const auto local = date::local_days{date::year{y} / mo / d} + hours{h} + minutes{mi};
  return date::locate_zone(zone)->to_sys(local, date::choose::earliest);
}

std::string show(std::optional<timestamp> t) { return t ? date::format("%FT%TZ", *t) : "none"; }

holiday fixed(int y, int m, int d) {
  return date::year_month_day{date::year{y}, date::month{static_cast<unsigned>(m)}, date::day{static_cast<unsigned>(d)}};
}
holiday yearly(int m, int d) {
  return date::month_day{date::month{static_cast<unsigned>(m)}, date::day{static_cast<unsigned>(d)}};
}

calendar_definition weekdays(const char* zone, std::vector<local_interval> hours_of_day,
                             std::vector<holiday> holidays = {}) {
  calendar_definition def;
  def.time_zone = zone;
  for (int w = 0; w < 5; ++w) def.weekly[w] = hours_of_day;
  def.holidays = std::move(holidays);
  return def;
}

calendar_definition every_day(const char* zone, std::vector<local_interval> hours_of_day) {
  calendar_definition def = weekdays(zone, hours_of_day);
  def.weekly[5] = def.weekly[6] = hours_of_day;
  return def;
}

business_calendar office(const char* zone = prague, std::vector<holiday> holidays = {}) {
  return business_calendar::compile(weekdays(zone, {{hm(9), hm(17)}}, std::move(holidays)));
}

business_calendar split_office() {
  return business_calendar::compile(weekdays(prague, {{hm(9), hm(12)}, {hm(13), hm(17)}}));
}

std::vector<std::string> pointers(const std::vector<field_error>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.pointer);
  return out;
}

}  // namespace

// --- Parsing and validation ------------------------------------------------

TEST(CalendarParse, ClockTimes) {
  EXPECT_EQ(parse_clock_time("09:00", clock_edge::opening), 540);
  EXPECT_EQ(parse_clock_time("23:59", clock_edge::closing), 1439);
  EXPECT_EQ(parse_clock_time("00:00", clock_edge::opening), 0);
  EXPECT_EQ(parse_clock_time("24:00", clock_edge::closing), 1440);
  EXPECT_EQ(parse_clock_time("24:00", clock_edge::opening), std::nullopt);
  for (const char* bad : {"24:01", "25:00", "9:00", "09:0", "09:60", "0900", "ab:cd", "09-00", " 9:00", ""})
    EXPECT_EQ(parse_clock_time(bad, clock_edge::closing), std::nullopt) << bad;
}

TEST(CalendarParse, HolidayDatesBySyntaxOnly) {
  const auto d = parse_holiday_date("2026-12-24");
  ASSERT_TRUE(d);
  EXPECT_EQ(holiday{*d}, fixed(2026, 12, 24));
  const auto impossible = parse_holiday_date("2026-02-30");
  ASSERT_TRUE(impossible);  // validate_calendar points at it
  EXPECT_FALSE(impossible->ok());
  for (const char* bad : {"2026-2-03", "2026/02/03", "26-02-03", "2026-02-03T00", "x026-02-03"})
    EXPECT_EQ(parse_holiday_date(bad), std::nullopt) << bad;

  EXPECT_EQ(parse_holiday_month_day("12-25"), (date::month_day{date::month{12}, date::day{25}}));
  ASSERT_TRUE(parse_holiday_month_day("02-30"));
  EXPECT_FALSE(parse_holiday_month_day("02-30")->ok());
  EXPECT_TRUE(parse_holiday_month_day("02-29")->ok());
  for (const char* bad : {"2-25", "12/25", "1225", "12-2x"}) EXPECT_EQ(parse_holiday_month_day(bad), std::nullopt) << bad;
}

TEST(CalendarValidation, AGoodDefinitionHasNoErrors) {
  auto def = weekdays(prague, {{hm(9), hm(12)}, {hm(12), hm(17)}}, {fixed(2026, 12, 24), yearly(2, 29)});
  def.weekly[6] = {{0, 1440}};
  EXPECT_TRUE(validate_calendar(def).empty());
  EXPECT_TRUE(validate_calendar(calendar_definition{}).empty());  // UTC, no hours: valid, just never open
}

TEST(CalendarValidation, EveryErrorCarriesItsPointer) {
  calendar_definition def;
  def.time_zone = "Europe/Praha";
  def.weekly[0] = {{hm(9), hm(12)}, {hm(11), hm(17)}};   // overlap
  def.weekly[1] = {{hm(13), hm(17)}, {hm(9), hm(12)}};   // out of order
  def.weekly[2] = {{1440, 1440}};                         // opening at 24:00
  def.weekly[3] = {{hm(10), hm(10)}};                     // empty
  def.weekly[4] = {{-1, 1441}};                           // both ends out of range
  def.holidays = {fixed(2026, 12, 24), fixed(2026, 2, 30), yearly(2, 30), yearly(13, 1)};
  const auto errors = validate_calendar(def);
  EXPECT_EQ(pointers(errors),
            (std::vector<std::string>{"/time_zone", "/weekly/mon/1", "/weekly/tue/1", "/weekly/wed/0/0",
                                      "/weekly/thu/0", "/weekly/fri/0/0", "/weekly/fri/0/1", "/holidays/1/date",
                                      "/holidays/2/month_day", "/holidays/3/month_day"}));
  EXPECT_EQ(errors[0].message, "'Europe/Praha' is not an IANA time zone");
  EXPECT_EQ(errors[1].message, "intervals overlap: opens at 11:00, before the previous one closes at 12:00");
  EXPECT_EQ(errors[7].message, "'2026-02-30' is not a date");
  EXPECT_EQ(errors[8].message, "'02-30' is not a day of the year");
}

TEST(CalendarValidation, CompileRefusesAnInvalidDefinition) {
  auto def = weekdays("Mars/Olympus", {{hm(9), hm(17)}});
  try {
    (void)business_calendar::compile(def);
    FAIL() << "compiled";
  } catch (const helpdesk::error& e) {
    EXPECT_EQ(e.code(), errc::validation);
    EXPECT_EQ(pointers(e.errors()), std::vector<std::string>{"/time_zone"});
  }
}

// --- An office, Prague, Mon-Fri 09:00-17:00 -------------------------------

TEST(CalendarOffice, IssueExampleTwoBusinessDaysFromFridayAfternoon) {
  const timestamp friday = wall(prague, 2026, 11, 20, 16, 30);
  EXPECT_EQ(add_business_seconds(office(), friday, 16 * hour_s), wall(prague, 2026, 11, 24, 16, 30));
  EXPECT_EQ(add_business_seconds(office(prague, {fixed(2026, 11, 23)}), friday, 16 * hour_s),
            wall(prague, 2026, 11, 25, 16, 30));
  EXPECT_EQ(business_seconds_between(office(), friday, wall(prague, 2026, 11, 24, 16, 30)), 16 * hour_s);
}

TEST(CalendarOffice, StartInsideOrOutsideHours) {
  const auto cal = office();
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 11, 24, 9), hour_s), utc(2026, 11, 24, 10));  // Tue 10:00 CET
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 11, 24, 6), hour_s), utc(2026, 11, 24, 9));   // from 09:00
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 11, 24, 17), hour_s), utc(2026, 11, 25, 9));  // 18:00 -> Wed
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 11, 21, 10), hour_s), utc(2026, 11, 23, 9));  // Saturday
}

TEST(CalendarOffice, ZeroSeconds) {
  const auto cal = office();
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 11, 24, 10, 17), 0), utc(2026, 11, 24, 10, 17));  // inside
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 11, 24, 8), 0), utc(2026, 11, 24, 8));            // at opening
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 11, 24, 17), 0), utc(2026, 11, 25, 8));           // after hours
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 11, 24, 16), 0), utc(2026, 11, 25, 8));           // at the close
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 11, 22, 12), 0), utc(2026, 11, 23, 8));           // Sunday
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 11, 24, 10), -5), utc(2026, 11, 24, 10));         // negative
}

TEST(CalendarOffice, EndingExactlyAtTheCloseIsDueAtTheClose) {
  const auto cal = office();
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 11, 24, 15), hour_s), utc(2026, 11, 24, 16));
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 11, 20, 8), 8 * hour_s), utc(2026, 11, 20, 16));  // Friday
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 11, 20, 8), 8 * hour_s + 1), utc(2026, 11, 23, 8, 0, 1));
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 11, 19, 17), 8 * hour_s), utc(2026, 11, 20, 16));  // from outside
}

TEST(CalendarOffice, MicrosecondsAreKept) {
  const auto cal = office();
  const timestamp start = utc(2026, 11, 24, 9) + microseconds{123'456};
  EXPECT_EQ(add_business_seconds(cal, start, 60), start + seconds{60});
  // Half a second before Tuesday's close, one second: half of it on Wednesday.
  const timestamp late = utc(2026, 11, 24, 15, 59, 59) + microseconds{500'000};
  EXPECT_EQ(add_business_seconds(cal, late, 1), utc(2026, 11, 25, 8) + microseconds{500'000});
  EXPECT_EQ(business_seconds_between(cal, late, utc(2026, 11, 25, 8) + microseconds{500'000}), 1);
  EXPECT_EQ(business_seconds_between(cal, late, utc(2026, 11, 25, 8) + microseconds{499'999}), 0);  // rounds down
}

TEST(CalendarOffice, OpenAndNextOpening) {
  const auto cal = office();
  EXPECT_TRUE(is_open(cal, utc(2026, 11, 24, 8)));
  EXPECT_TRUE(is_open(cal, utc(2026, 11, 24, 16) - microseconds{1}));
  EXPECT_FALSE(is_open(cal, utc(2026, 11, 24, 16)));
  EXPECT_FALSE(is_open(cal, utc(2026, 11, 21, 12)));
  EXPECT_EQ(next_opening(cal, utc(2026, 11, 24, 10)), utc(2026, 11, 24, 10));
  EXPECT_EQ(next_opening(cal, utc(2026, 11, 21, 12)), utc(2026, 11, 23, 8));
  EXPECT_EQ(next_opening(cal, utc(2026, 11, 24, 16)), utc(2026, 11, 25, 8));
}

TEST(CalendarOffice, BusinessSecondsBetween) {
  const auto cal = office();
  EXPECT_EQ(business_seconds_between(cal, utc(2026, 11, 24, 10), utc(2026, 11, 24, 10)), 0);
  EXPECT_EQ(business_seconds_between(cal, utc(2026, 11, 24, 12), utc(2026, 11, 24, 10)), 0);
  EXPECT_EQ(business_seconds_between(cal, utc(2026, 11, 21, 0), utc(2026, 11, 23, 0)), 0);  // weekend
  EXPECT_EQ(business_seconds_between(cal, utc(2026, 11, 23, 0), utc(2026, 11, 30, 0)), 40 * hour_s);
  EXPECT_EQ(business_seconds_between(cal, utc(2026, 11, 24, 7), utc(2026, 11, 24, 8, 30)), 1800);
}

TEST(CalendarOffice, BetweenUndoesAdd) {
  const auto cal = split_office();
  for (timestamp start = utc(2026, 3, 23, 8); start < utc(2026, 4, 4); start += minutes{97}) {
    for (std::int64_t n : std::initializer_list<std::int64_t>{0, 1, 59, hour_s, 7 * hour_s, 7 * hour_s + 1, 35 * hour_s,
                                                             200 * hour_s}) {
      const auto due = add_business_seconds(cal, start, n);
      ASSERT_TRUE(due);
      EXPECT_EQ(business_seconds_between(cal, start, *due), n) << show(start) << " + " << n;
      if (is_open(cal, start) && n > 0) {
        EXPECT_GT(*due, start);
      }
    }
  }
}

TEST(CalendarOffice, ManyWeeks) {
  const auto cal = office();
  const std::int64_t week = 40 * hour_s;
  EXPECT_EQ(cal.weekly_business_seconds(), week);
  EXPECT_EQ(add_business_seconds(cal, wall(prague, 2026, 6, 1, 9), 10 * week), wall(prague, 2026, 8, 7, 17));
  EXPECT_EQ(add_business_seconds(cal, wall(prague, 2026, 6, 1, 0), 10 * week), wall(prague, 2026, 8, 7, 17));
  EXPECT_EQ(add_business_seconds(cal, wall(prague, 2026, 6, 1, 9), 10 * week + 1), utc(2026, 8, 10, 7, 0, 1));
  // Across the spring change, and across the autumn one with two Czech holidays (Oct 28, Nov 17).
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 3, 2, 8), 8 * week), utc(2026, 4, 24, 15));
  const auto czech = office(prague, {yearly(10, 28), yearly(11, 17)});
  EXPECT_EQ(add_business_seconds(czech, utc(2026, 10, 5, 7), 8 * week), utc(2026, 12, 1, 16));
  EXPECT_EQ(business_seconds_between(czech, utc(2026, 10, 5, 7), utc(2026, 12, 1, 16)), 8 * week);
  const auto years = add_business_seconds(czech, utc(2026, 10, 5, 7), 250 * week);
  ASSERT_TRUE(years);
  EXPECT_EQ(business_seconds_between(czech, utc(2026, 10, 5, 7), *years), 250 * week);
}

TEST(CalendarSplitShift, LunchBreak) {
  const auto cal = split_office();  // 09-12, 13-17 CET
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 11, 24, 10, 30), hour_s), utc(2026, 11, 24, 12, 30));
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 11, 24, 10), hour_s), utc(2026, 11, 24, 11));  // at the close
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 11, 24, 11, 30), 0), utc(2026, 11, 24, 12));   // lunch
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 11, 24, 11), 1), utc(2026, 11, 24, 12, 0, 1));
  EXPECT_FALSE(is_open(cal, utc(2026, 11, 24, 11, 30)));
  EXPECT_EQ(business_seconds_between(cal, utc(2026, 11, 24, 0), utc(2026, 11, 25, 0)), 7 * hour_s);
}

TEST(CalendarSplitShift, DaysWithoutHours) {
  calendar_definition def;
  def.time_zone = prague;
  def.weekly[0] = def.weekly[2] = {{hm(9), hm(17)}};  // Monday and Wednesday only
  const auto cal = business_calendar::compile(def);
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 11, 23, 15), 2 * hour_s), utc(2026, 11, 25, 9));
  EXPECT_EQ(next_opening(cal, utc(2026, 11, 26, 12)), utc(2026, 11, 30, 8));
}

// --- Holidays --------------------------------------------------------------

TEST(CalendarHolidays, YearlyHolidaysRecurAcrossYears) {
  const auto cal = office(prague, {yearly(12, 24), yearly(12, 25), yearly(12, 26), yearly(1, 1)});
  EXPECT_EQ(add_business_seconds(cal, wall(prague, 2026, 12, 23, 16), 2 * hour_s), wall(prague, 2026, 12, 28, 10));
  EXPECT_EQ(add_business_seconds(cal, wall(prague, 2027, 12, 23, 16), 2 * hour_s), wall(prague, 2027, 12, 27, 10));
  EXPECT_EQ(add_business_seconds(cal, wall(prague, 2026, 12, 31, 16), 2 * hour_s), wall(prague, 2027, 1, 4, 10));
  EXPECT_FALSE(is_open(cal, wall(prague, 2030, 12, 24, 10)));
  EXPECT_TRUE(is_open(cal, wall(prague, 2030, 12, 23, 10)));
}

TEST(CalendarHolidays, HolidayOnAWeekendChangesNothing) {
  const auto cal = office(prague, {fixed(2026, 11, 21), yearly(11, 22)});  // Saturday, Sunday
  EXPECT_EQ(add_business_seconds(cal, wall(prague, 2026, 11, 20, 16, 30), 16 * hour_s),
            wall(prague, 2026, 11, 24, 16, 30));
}

TEST(CalendarHolidays, FebruaryTwentyNinthOnlyInLeapYears) {
  const auto cal = office(prague, {yearly(2, 29)});
  EXPECT_EQ(add_business_seconds(cal, wall(prague, 2028, 2, 28, 16), 2 * hour_s), wall(prague, 2028, 3, 1, 10));
  EXPECT_EQ(add_business_seconds(cal, wall(prague, 2027, 2, 26, 16), 2 * hour_s), wall(prague, 2027, 3, 1, 10));
}

TEST(CalendarHolidays, TwoYearsOfHolidayMondaysStillEndInADeadline) {
  calendar_definition def;
  def.time_zone = "UTC";
  def.weekly[0] = {{hm(9), hm(17)}};
  for (auto d = date::sys_days{date::year{2026} / 1 / 5}; d < date::sys_days{date::year{2028} / 1 / 1};
       d += date::days{7})
    def.holidays.push_back(date::year_month_day{d});
  const auto cal = business_calendar::compile(def);
  EXPECT_EQ(add_business_seconds(cal, utc(2026, 1, 1), 0), utc(2028, 1, 3, 9));  // the first free Monday
}

// --- Daylight saving -------------------------------------------------------

TEST(CalendarDst, NightIntervalSpanningTheChange) {
  // 01:00-05:00 every day: 3 real hours on a spring-forward day, 5 on a fall-back day.
  for (const char* zone : {prague, warsaw}) {
    const auto cal = business_calendar::compile(every_day(zone, {{hm(1), hm(5)}}));
    EXPECT_EQ(business_seconds_between(cal, utc(2026, 3, 28, 22), utc(2026, 3, 29, 22)), 3 * hour_s) << zone;
    EXPECT_EQ(add_business_seconds(cal, utc(2026, 3, 29, 0), 3 * hour_s), utc(2026, 3, 29, 3)) << zone;
    EXPECT_EQ(add_business_seconds(cal, utc(2026, 3, 29, 0), 3 * hour_s + 1), utc(2026, 3, 29, 23, 0, 1)) << zone;
    EXPECT_TRUE(is_open(cal, utc(2026, 3, 29, 0, 59, 59))) << zone;  // 01:59:59 CET
    EXPECT_TRUE(is_open(cal, utc(2026, 3, 29, 1))) << zone;          // 03:00 CEST
    EXPECT_FALSE(is_open(cal, utc(2026, 3, 29, 3))) << zone;         // 05:00 CEST
    EXPECT_EQ(business_seconds_between(cal, utc(2026, 10, 24, 12), utc(2026, 10, 25, 12)), 5 * hour_s) << zone;
    EXPECT_EQ(add_business_seconds(cal, utc(2026, 10, 24, 23), 5 * hour_s), utc(2026, 10, 25, 4)) << zone;
  }
  const auto ny = business_calendar::compile(every_day(new_york, {{hm(1), hm(5)}}));
  EXPECT_EQ(business_seconds_between(ny, utc(2026, 3, 8, 0), utc(2026, 3, 8, 18)), 3 * hour_s);
  EXPECT_EQ(add_business_seconds(ny, utc(2026, 3, 8, 6), 3 * hour_s), utc(2026, 3, 8, 9));
  EXPECT_EQ(business_seconds_between(ny, utc(2026, 11, 1, 0), utc(2026, 11, 1, 18)), 5 * hour_s);
  EXPECT_EQ(add_business_seconds(ny, utc(2026, 11, 1, 5), 5 * hour_s), utc(2026, 11, 1, 10));
}

TEST(CalendarDst, DayIntervalsMoveWithTheOffset) {
  struct weekend_case {
    const char* zone;
    timestamp friday_16;
    timestamp monday_10;
    timestamp sunday;  // the day of the change, 00:00 UTC
  };
  const weekend_case cases[] = {
      {prague, utc(2026, 3, 27, 15), utc(2026, 3, 30, 8), utc(2026, 3, 29)},
      {prague, utc(2026, 10, 23, 14), utc(2026, 10, 26, 9), utc(2026, 10, 25)},
      {warsaw, utc(2026, 3, 27, 15), utc(2026, 3, 30, 8), utc(2026, 3, 29)},
      {new_york, utc(2026, 3, 6, 21), utc(2026, 3, 9, 14), utc(2026, 3, 8)},
      {new_york, utc(2026, 10, 30, 20), utc(2026, 11, 2, 15), utc(2026, 11, 1)},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(add_business_seconds(office(c.zone), c.friday_16, 2 * hour_s), c.monday_10) << c.zone;
    const auto sundays = business_calendar::compile(every_day(c.zone, {{hm(9), hm(17)}}));
    EXPECT_EQ(business_seconds_between(sundays, c.sunday, c.sunday + hours{24}), 8 * hour_s) << c.zone;
  }
}

TEST(CalendarDst, SkippedLocalTimesMapToTheTransition) {
  const auto half = business_calendar::compile(every_day(prague, {{hm(2, 30), hm(4)}}));
  EXPECT_EQ(next_opening(half, utc(2026, 3, 29, 0)), utc(2026, 3, 29, 1));  // 02:30 does not exist: 03:00 CEST
  EXPECT_EQ(business_seconds_between(half, utc(2026, 3, 29, 0), utc(2026, 3, 29, 12)), hour_s);
  // Wholly inside the skipped hour: no business time that night.
  const auto lost = business_calendar::compile(every_day(prague, {{hm(2), hm(2, 45)}}));
  EXPECT_EQ(business_seconds_between(lost, utc(2026, 3, 28, 12), utc(2026, 3, 29, 12)), 0);
  EXPECT_EQ(next_opening(lost, utc(2026, 3, 28, 23)), utc(2026, 3, 30, 0));
  EXPECT_EQ(add_business_seconds(lost, utc(2026, 3, 28, 2), 45 * 60), utc(2026, 3, 30, 0, 45));
}

TEST(CalendarDst, RepeatedLocalTimesTakeTheEarliest) {
  // 02:30 on Oct 25 in Prague happens at 00:30Z and again at 01:30Z; the first counts.
  const auto opens = business_calendar::compile(every_day(prague, {{hm(2, 30), hm(4)}}));
  EXPECT_EQ(next_opening(opens, utc(2026, 10, 25, 0)), utc(2026, 10, 25, 0, 30));
  EXPECT_EQ(business_seconds_between(opens, utc(2026, 10, 25, 0), utc(2026, 10, 25, 12)), 9000);
  const auto closes = business_calendar::compile(every_day(prague, {{0, hm(2, 30)}}));
  EXPECT_EQ(business_seconds_between(closes, utc(2026, 10, 24, 12), utc(2026, 10, 25, 12)), 9000);
  EXPECT_FALSE(is_open(closes, utc(2026, 10, 25, 1, 15)));  // 02:15 CET, the second time round
  const auto ny = business_calendar::compile(every_day(new_york, {{hm(1, 30), hm(3)}}));
  EXPECT_EQ(business_seconds_between(ny, utc(2026, 11, 1), utc(2026, 11, 1, 12)), 9000);  // 05:30Z-08:00Z
}

TEST(CalendarDst, HalfHourOffset) {
  EXPECT_EQ(add_business_seconds(office("Asia/Kolkata"), utc(2026, 6, 1, 11), hour_s), utc(2026, 6, 2, 4));
}

// --- 24x7 and calendars without hours -------------------------------------

TEST(CalendarAlwaysOpen, IsPlainAddition) {
  const auto cal = business_calendar::always_open();
  EXPECT_TRUE(cal.is_always_open());
  const timestamp friday_23 = wall(prague, 2026, 11, 20, 23);
  EXPECT_EQ(add_business_seconds(cal, friday_23, 24 * hour_s), wall(prague, 2026, 11, 21, 23));
  const timestamp t = utc(2026, 3, 28, 22) + microseconds{7};
  EXPECT_EQ(add_business_seconds(cal, t, 86'400), t + hours{24});
  EXPECT_EQ(business_seconds_between(cal, t, t + seconds{90} + microseconds{999'999}), 90);
  EXPECT_TRUE(is_open(cal, t));
  EXPECT_EQ(next_opening(cal, t), t);
  // A Prague calendar open round the clock counts real time too: 24 h over the spring change.
  const auto round_the_clock = business_calendar::compile(every_day(prague, {{0, 1440}}));
  std::mt19937_64 rng(7);
  for (int i = 0; i < 500; ++i) {
    const timestamp start = utc(2026, 1, 1) + microseconds{static_cast<std::int64_t>(rng() % 31'536'000'000'000ULL)};
    const auto n = static_cast<std::int64_t>(rng() % (40 * 86'400));
    ASSERT_EQ(add_business_seconds(round_the_clock, start, n), add_business_seconds(cal, start, n)) << show(start);
    ASSERT_EQ(business_seconds_between(round_the_clock, start, start + seconds{n}), n);
  }
}

TEST(CalendarNoHours, GivesNoDeadline) {
  const auto empty = business_calendar::compile(calendar_definition{});
  calendar_definition every_date = weekdays(prague, {{hm(9), hm(17)}});
  for (unsigned m = 1; m <= 12; ++m)
    for (unsigned d = 1; d <= 31; ++d)
      if (date::month_day{date::month{m}, date::day{d}}.ok()) every_date.holidays.push_back(yearly(m, d));
  const auto all_holidays = business_calendar::compile(every_date);
  for (const auto* cal : {&empty, &all_holidays}) {
    EXPECT_EQ(add_business_seconds(*cal, utc(2026, 5, 5), 0), std::nullopt);
    EXPECT_EQ(add_business_seconds(*cal, utc(2026, 5, 5), 3600), std::nullopt);
    EXPECT_EQ(next_opening(*cal, utc(2026, 5, 5)), std::nullopt);
    EXPECT_FALSE(is_open(*cal, utc(2026, 5, 5, 10)));
    EXPECT_EQ(business_seconds_between(*cal, utc(2026, 1, 1), utc(2036, 1, 1)), 0);
  }
}

TEST(CalendarNoHours, AbsurdTargetsGiveNoDeadline) {
  EXPECT_EQ(add_business_seconds(office(), utc(2026, 5, 5), std::numeric_limits<std::int64_t>::max()), std::nullopt);
  EXPECT_EQ(add_business_seconds(office(), utc(2026, 5, 5), 400'000'000'000LL), std::nullopt);  // ~12,700 years
  EXPECT_EQ(add_business_seconds(business_calendar::always_open(), utc(2026, 5, 5),
                                 std::numeric_limits<std::int64_t>::max()),
            std::nullopt);
}

// --- Randomised comparison with a slow reference ---------------------------

namespace {

// The obvious model, sharing nothing with the implementation: an instant is
// open when some local day's interval, placed on the UTC axis by date-tz's own
// to_sys(choose::earliest), contains it. add and between walk the UTC axis a
// minute at a time; every boundary is a whole minute in these zones (checked),
// so a minute is either wholly open or wholly closed.
class reference_calendar {
 public:
  explicit reference_calendar(const calendar_definition& def)
      : def_(def), zone_(date::locate_zone(def.time_zone)) {}

  using span = std::pair<timestamp, timestamp>;

  std::vector<span> spans_of(int local_day) const {
    const date::local_days day{date::days{local_day}};
    const date::year_month_day ymd{day};
    for (const auto& h : def_.holidays) {
      if (const auto* d = std::get_if<date::year_month_day>(&h); d && *d == ymd) return {};
      if (const auto* md = std::get_if<date::month_day>(&h); md && md->month() == ymd.month() && md->day() == ymd.day())
        return {};
    }
    std::vector<span> out;
    for (const auto& iv : def_.weekly[date::weekday{day}.iso_encoding() - 1]) {
      const timestamp open = zone_->to_sys(day + minutes{iv.open_minute}, date::choose::earliest);
      const timestamp close = zone_->to_sys(day + minutes{iv.close_minute}, date::choose::earliest);
      EXPECT_EQ(open.time_since_epoch() % minutes{1}, microseconds{0});
      EXPECT_EQ(close.time_since_epoch() % minutes{1}, microseconds{0});
      out.emplace_back(open, close);
    }
    return out;
  }

  // The walk counts in plain microseconds: chrono calls are not inlined in the
  // sanitizer build, and this loop runs tens of millions of times.
  bool open_minute(timestamp minute) { return open_minute_at(to_unix_micros(minute)); }

  std::optional<timestamp> add(timestamp start, std::int64_t n, int max_minutes = 400 * 1440) {
    std::int64_t remaining = n * micros_per_second;
    std::int64_t t = to_unix_micros(start);
    for (int i = 0; i < max_minutes; ++i) {
      const std::int64_t minute = floor_to_minute(t);
      const std::int64_t next = minute + micros_per_minute;
      if (open_minute_at(minute)) {
        if (remaining <= next - t) return from_unix_micros(t + remaining);
        remaining -= next - t;
      }
      t = next;
    }
    return std::nullopt;
  }

  std::int64_t between(timestamp a, timestamp b) {
    const std::int64_t from = to_unix_micros(a), to = to_unix_micros(b);
    std::int64_t total = 0;
    for (std::int64_t minute = floor_to_minute(from); minute < to; minute += micros_per_minute)
      if (open_minute_at(minute)) total += std::min(minute + micros_per_minute, to) - std::max(minute, from);
    return total / micros_per_second;
  }

 private:
  static constexpr std::int64_t micros_per_second = 1'000'000;
  static constexpr std::int64_t micros_per_minute = 60 * micros_per_second;
  static constexpr std::int64_t micros_per_day = 1440 * micros_per_minute;

  static std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - (a % b < 0 ? 1 : 0); }
  static std::int64_t floor_to_minute(std::int64_t us) { return floor_div(us, micros_per_minute) * micros_per_minute; }

  bool open_minute_at(std::int64_t minute) {
    // A local day lies within one UTC day of its own date.
    const std::int64_t utc_day = floor_div(minute, micros_per_day);
    if (utc_day != cached_day_) {
      near_.clear();
      for (std::int64_t d = utc_day - 1; d <= utc_day + 1; ++d)
        for (const auto& [open, close] : spans_of(static_cast<int>(d)))
          near_.emplace_back(to_unix_micros(open), to_unix_micros(close));
      cached_day_ = utc_day;
    }
    for (const auto& [open, close] : near_)
      if (open <= minute && minute < close) return true;
    return false;
  }

  calendar_definition def_;
  const date::time_zone* zone_;
  std::int64_t cached_day_ = std::numeric_limits<std::int64_t>::min();
  std::vector<std::pair<std::int64_t, std::int64_t>> near_;
};

struct random_case {
  calendar_definition def;
  timestamp start;
};

std::string describe(const calendar_definition& def) {
  std::ostringstream out;
  out << def.time_zone;
  for (std::size_t w = 0; w < 7; ++w) {
    out << ' ' << weekday_keys[w] << '[';
    for (const auto& iv : def.weekly[w]) out << iv.open_minute << '-' << iv.close_minute << ' ';
    out << ']';
  }
  for (const auto& h : def.holidays) {
    if (const auto* d = std::get_if<date::year_month_day>(&h)) out << " h" << *d;
    else out << " y" << static_cast<unsigned>(std::get<date::month_day>(h).month()) << '-'
             << static_cast<unsigned>(std::get<date::month_day>(h).day());
  }
  return out.str();
}

class case_maker {
 public:
  explicit case_maker(std::uint64_t seed) : rng_(seed) {}

  std::int64_t uniform(std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  random_case make() {
    static const char* zones[] = {prague, warsaw, new_york, "UTC", "Asia/Kolkata"};
    random_case c;
    c.def.time_zone = zones[uniform(0, 4)];
    c.start = random_start(c.def.time_zone);
    bool any = false;
    for (auto& day : c.def.weekly) {
      day = random_day();
      any = any || !day.empty();
    }
    if (!any) c.def.weekly[uniform(0, 6)] = {{hm(9), hm(17)}};
    // Holidays near the start, so that they matter.
    const auto start_day = std::chrono::floor<date::days>(c.start);
    for (std::int64_t i = 0, n = uniform(0, 5); i < n; ++i)
      c.def.holidays.push_back(date::year_month_day{start_day + date::days{uniform(-3, 30)}});
    for (std::int64_t i = 0, n = uniform(0, 2); i < n; ++i) {
      const date::year_month_day d{start_day + date::days{uniform(-3, 30)}};
      c.def.holidays.push_back(date::month_day{d.month(), d.day()});
    }
    return c;
  }

 private:
  std::vector<local_interval> random_day() {
    const std::int64_t count = chance(0.25) ? 0 : uniform(1, 3);
    std::set<int> points;
    while (static_cast<std::int64_t>(points.size()) < 2 * count)
      // Half the boundaries fall in the small hours, where the changes happen.
      points.insert(chance(0.5) ? 15 * static_cast<int>(uniform(0, 20)) : 5 * static_cast<int>(uniform(0, 288)));
    std::vector<int> p(points.begin(), points.end());
    std::vector<local_interval> day;
    for (std::size_t i = 0; i + 1 < p.size(); i += 2) {
      day.push_back({p[i], p[i + 1]});
      if (i > 0 && chance(0.2)) day.back().open_minute = day[day.size() - 2].close_minute;  // touching
    }
    return day;
  }

  timestamp random_start(const std::string& zone) {
    const auto& changes = transitions(zone);
    timestamp t;
    if (!changes.empty() && chance(0.5)) {
      // Often within the skipped or repeated hour itself, where midnight and the start disagree on the offset.
      const std::int64_t reach = chance(0.4) ? 3 * hour_s : 4 * 86'400;
      t = changes[uniform(0, static_cast<std::int64_t>(changes.size()) - 1)] + seconds{uniform(-reach, reach)};
    } else {
      t = utc(2024, 1, 1) + seconds{uniform(0, 7LL * 365 * 86'400)};
    }
    if (chance(0.5)) t = std::chrono::floor<minutes>(t);
    if (chance(0.3)) t += microseconds{uniform(1, 999'999)};
    return t;
  }

  static const std::vector<timestamp>& transitions(const std::string& zone) {
    static std::map<std::string, std::vector<timestamp>> cache;
    auto& out = cache[zone];
    if (out.empty()) {
      const auto* z = date::locate_zone(zone);
      for (auto at = std::chrono::floor<seconds>(utc(2024, 1, 1)); at < utc(2031, 1, 1);) {
        const auto info = z->get_info(at);
        if (info.end >= utc(2031, 1, 1)) break;
        out.push_back(info.end);
        at = info.end;
      }
    }
    return out;
  }

  std::mt19937_64 rng_;
};

}  // namespace

TEST(CalendarRandom, MatchesMinuteByMinuteReference) {
  case_maker maker(20'261'120);
  int failures = 0;
  constexpr int cases = 5000;
  for (int i = 0; i < cases && failures < 5; ++i) {
    random_case c = maker.make();
    const auto cal = business_calendar::compile(c.def);
    reference_calendar ref(c.def);
    std::int64_t weekly = 0;
    for (const auto& day : c.def.weekly)
      for (const auto& iv : day) weekly += 60LL * (iv.close_minute - iv.open_minute);

    // Some starts sit exactly on a boundary; some targets end exactly at a close.
    const int start_day = static_cast<int>(std::chrono::floor<date::days>(c.start).time_since_epoch().count());
    if (maker.chance(0.15)) {
      const auto spans = ref.spans_of(start_day + static_cast<int>(maker.uniform(-1, 2)));
      if (!spans.empty()) {
        const auto& s = spans[maker.uniform(0, static_cast<std::int64_t>(spans.size()) - 1)];
        c.start = maker.chance(0.5) ? s.first : s.second;
      }
    }
    std::int64_t n = 0;
    const double kind = maker.uniform(0, 99) / 100.0;
    if (kind < 0.1) n = 0;
    else if (kind < 0.45) n = maker.uniform(1, 4 * hour_s);
    else if (kind < 0.75) n = maker.uniform(1, weekly);
    else if (kind < 0.85) n = maker.uniform(weekly, 3 * weekly);
    else {
      c.start = std::chrono::floor<seconds>(c.start);
      const auto spans = ref.spans_of(start_day + static_cast<int>(maker.uniform(0, 3)));
      for (const auto& s : spans)
        if (s.second > c.start) n = ref.between(c.start, s.second);
    }
    const timestamp end = c.start + microseconds{maker.uniform(0, 10LL * 86'400'000'000LL)};

    const auto got = add_business_seconds(cal, c.start, n);
    const auto want = ref.add(c.start, n);
    const auto got_between = business_seconds_between(cal, c.start, end);
    const auto want_between = ref.between(c.start, end);
    const bool open_now = is_open(cal, c.start);
    const bool open_ref = ref.open_minute(std::chrono::floor<minutes>(c.start));
    const auto opening = next_opening(cal, c.start);
    const bool round_trip = !got || business_seconds_between(cal, c.start, *got) == n;
    if (got != want || got_between != want_between || open_now != open_ref || opening != ref.add(c.start, 0) ||
        !round_trip) {
      ++failures;
      ADD_FAILURE() << "case " << i << ": " << describe(c.def) << "\n  start " << show(c.start) << " + " << n
                    << " s: got " << show(got) << ", reference " << show(want) << "\n  between to " << show(end)
                    << ": got " << got_between << ", reference " << want_between << "\n  open " << open_now
                    << " vs " << open_ref << ", next opening " << show(opening) << ", round trip " << round_trip;
    }
  }
  EXPECT_EQ(failures, 0);
}
