#include <gtest/gtest.h>

#include <date/tz.h>

#include <map>

#include "helpdesk/domain/sla.hpp"

using namespace helpdesk;
using namespace helpdesk::sla;
using domain::business_calendar;
using domain::calendar_definition;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

constexpr std::int64_t hour_s = 3600;

timestamp utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return timestamp{date::sys_days{date::year{y} / mo / d}} + hours{h} + minutes{mi} + seconds{s};
}

// Prague wall time to UTC, asked of date-tz directly rather than of the code under test.
timestamp prague(int y, int mo, int d, int h, int mi = 0) {
  const auto local = date::local_days{date::year{y} / mo / d} + hours{h} + minutes{mi};
  return date::locate_zone("Europe/Prague")->to_sys(local, date::choose::earliest);
}

// Whole seconds print without a fraction, so that a stray microsecond still shows.
std::string show(std::optional<timestamp> t) {
  if (!t) return "none";
  const auto whole = std::chrono::floor<seconds>(*t);
  return whole == *t ? date::format("%FT%TZ", whole) : date::format("%FT%TZ", *t);
}

// Mon-Fri 09:00-17:00 in Prague; January 2026: Fri 9th, Mon 12th, Tue 13th, Wed 14th.
calendar_definition prague_office(std::vector<domain::holiday> holidays = {}) {
  calendar_definition def;
  def.time_zone = "Europe/Prague";
  for (int w = 0; w < 5; ++w) def.weekly[w] = {{9 * 60, 17 * 60}};
  def.holidays = std::move(holidays);
  return def;
}

const business_calendar& office() {
  static const auto cal = business_calendar::compile(prague_office());
  return cal;
}
const business_calendar& office_with_monday_off() {
  static const auto cal = business_calendar::compile(
      prague_office({date::year_month_day{date::year{2026}, date::month{1}, date::day{12}}}));
  return cal;
}
const business_calendar& never_open() {
  static const auto cal = business_calendar::compile(calendar_definition{});
  return cal;
}

const calendar_lookup calendars = [](const std::string& id) -> const business_calendar* {
  if (id == "cz") return &office();
  if (id == "cz-holiday") return &office_with_monday_off();
  if (id == "never") return &never_open();
  return nullptr;
};

target_def target(target_kind k, std::int64_t secs, std::string calendar = {}, double warn = 0.75) {
  return target_def{k, secs, std::move(calendar), warn};
}

policy_def policy(std::vector<target_def> targets) {
  policy_def p;
  p.id = "pol_1";
  p.brand_id = "br_1";
  p.name = "Default";
  p.targets = std::move(targets);
  return p;
}

timeline_entry message(timestamp t) { return {t, entry_kind::customer_message}; }
timeline_entry reply(timestamp t) { return {t, entry_kind::agent_reply}; }
timeline_entry status(timestamp t, ticket_status s) { return {t, entry_kind::status_change, s}; }
timeline_entry waived(timestamp t) { return {t, entry_kind::response_waived}; }
timeline_entry callback_requested(timestamp t) { return {t, entry_kind::callback_requested}; }
timeline_entry callback_done(timestamp t) { return {t, entry_kind::callback_done}; }

std::vector<sla::clock> of_kind(const std::vector<sla::clock>& all, target_kind k) {
  std::vector<sla::clock> out;
  for (const auto& c : all)
    if (c.target == k) out.push_back(c);
  return out;
}

// The only clock of that kind; fails the test when there is not exactly one.
sla::clock only(const std::vector<sla::clock>& all, target_kind k) {
  auto found = of_kind(all, k);
  EXPECT_EQ(found.size(), 1u) << to_string(k);
  return found.empty() ? sla::clock{} : found.front();
}

// --- Calendar time and business time ----------------------------------------

TEST(SlaClocks, AmazonDayInCalendarTimeRunsThroughTheWeekend) {
  const auto p = policy({target(target_kind::first_response, 24 * hour_s)});
  const auto friday_night = utc(2026, 1, 9, 23);
  const auto c = only(compute_clocks(p, calendars, {message(friday_night)}, utc(2026, 1, 10, 12)),
                      target_kind::first_response);
  EXPECT_EQ(c.state, clock_state::running);
  EXPECT_EQ(c.cycle, 1);
  EXPECT_EQ(c.started_at, friday_night);
  EXPECT_EQ(show(c.due_at), "2026-01-10T23:00:00Z");
  EXPECT_EQ(show(c.warn_at), "2026-01-10T17:00:00Z");
  EXPECT_EQ(c.remaining_seconds, 11 * hour_s);
  EXPECT_FALSE(c.business_hours);
  EXPECT_EQ(c.calendar_id, "");
  EXPECT_FALSE(c.breached);
  EXPECT_FALSE(c.stopped_at);
}

TEST(SlaClocks, SixteenBusinessHoursFromFridayAfternoonAreDueTuesday) {
  const auto p = policy({target(target_kind::resolution, 16 * hour_s, "cz")});
  const auto c = only(compute_clocks(p, calendars, {message(prague(2026, 1, 9, 16, 30))}, prague(2026, 1, 12, 10)),
                      target_kind::resolution);
  EXPECT_EQ(c.due_at, prague(2026, 1, 13, 16, 30));
  EXPECT_TRUE(c.business_hours);
  EXPECT_EQ(c.calendar_id, "cz");
  EXPECT_EQ(c.remaining_seconds, 16 * hour_s - hour_s / 2 - hour_s);
}

TEST(SlaClocks, AMondayHolidayPushesTheDueTimeToWednesday) {
  const auto p = policy({target(target_kind::resolution, 16 * hour_s, "cz-holiday")});
  const auto c = only(compute_clocks(p, calendars, {message(prague(2026, 1, 9, 16, 30))}, prague(2026, 1, 12, 10)),
                      target_kind::resolution);
  EXPECT_EQ(c.due_at, prague(2026, 1, 14, 16, 30));
  EXPECT_EQ(c.remaining_seconds, 16 * hour_s - hour_s / 2);  // Monday counted nothing
}

TEST(SlaClocks, AnUnknownCalendarMeansCalendarTime) {
  const auto p = policy({target(target_kind::resolution, hour_s, "gone")});
  const auto c = only(compute_clocks(p, calendars, {message(utc(2026, 1, 10, 3))}, utc(2026, 1, 10, 3)),
                      target_kind::resolution);
  EXPECT_EQ(show(c.due_at), "2026-01-10T04:00:00Z");
  EXPECT_FALSE(c.business_hours);
  EXPECT_EQ(c.calendar_id, "");
  // An empty lookup function is no different.
  const auto d = only(compute_clocks(p, {}, {message(utc(2026, 1, 10, 3))}, utc(2026, 1, 10, 3)),
                      target_kind::resolution);
  EXPECT_EQ(d.due_at, c.due_at);
}

TEST(SlaClocks, ACalendarWithoutHoursHasNoDueTimeAndNeverBreaches) {
  const auto p = policy({target(target_kind::resolution, hour_s, "never")});
  const auto c = only(compute_clocks(p, calendars, {message(utc(2026, 1, 9))}, utc(2027, 1, 1)),
                      target_kind::resolution);
  EXPECT_EQ(c.state, clock_state::running);
  EXPECT_FALSE(c.due_at);
  EXPECT_FALSE(c.warn_at);
  EXPECT_FALSE(c.breached);
  EXPECT_EQ(c.remaining_seconds, hour_s);
}

// --- Pauses -------------------------------------------------------------------

TEST(SlaClocks, PendingPausesResolutionAndTheCustomersReplyResumesIt) {
  const auto p = policy({target(target_kind::resolution, 16 * hour_s, "cz")});
  const std::vector<timeline_entry> paused{message(prague(2026, 1, 12, 9)),
                                           status(prague(2026, 1, 12, 10), ticket_status::pending)};
  const auto while_paused = only(compute_clocks(p, calendars, paused, prague(2026, 1, 12, 12)), target_kind::resolution);
  EXPECT_EQ(while_paused.state, clock_state::paused);
  EXPECT_FALSE(while_paused.due_at);
  EXPECT_FALSE(while_paused.warn_at);
  EXPECT_EQ(while_paused.remaining_seconds, 15 * hour_s);

  auto resumed = paused;
  resumed.push_back(message(prague(2026, 1, 12, 14)));
  resumed.push_back(status(prague(2026, 1, 12, 14), ticket_status::open));
  const auto c = only(compute_clocks(p, calendars, resumed, prague(2026, 1, 12, 15)), target_kind::resolution);
  EXPECT_EQ(c.state, clock_state::running);
  // Unpaused it would be due Tuesday 17:00; four business hours of pause later it is Wednesday 13:00.
  EXPECT_EQ(c.due_at, prague(2026, 1, 14, 13));
  EXPECT_EQ(c.remaining_seconds, 14 * hour_s);
  EXPECT_EQ(c.started_at, prague(2026, 1, 12, 9));
}

TEST(SlaClocks, APauseOvernightPushesOnlyByTheBusinessTimeItCovered) {
  const auto p = policy({target(target_kind::resolution, 16 * hour_s, "cz")});
  const auto c = only(compute_clocks(p, calendars,
                                     {message(prague(2026, 1, 12, 9)),
                                      status(prague(2026, 1, 12, 16), ticket_status::pending),
                                      status(prague(2026, 1, 13, 10), ticket_status::open)},
                                     prague(2026, 1, 13, 10)),
                      target_kind::resolution);
  EXPECT_EQ(c.due_at, prague(2026, 1, 14, 9) + hours{2});  // Tuesday 17:00 + 16:00-17:00 and 09:00-10:00
  EXPECT_EQ(c.remaining_seconds, 9 * hour_s);
}

TEST(SlaClocks, OnHoldPausesLikePending) {
  const auto p = policy({target(target_kind::resolution, 16 * hour_s, "cz")});
  const auto c = only(compute_clocks(p, calendars,
                                     {message(prague(2026, 1, 12, 9)),
                                      status(prague(2026, 1, 12, 10), ticket_status::on_hold),
                                      status(prague(2026, 1, 12, 14), ticket_status::open)},
                                     prague(2026, 1, 12, 15)),
                      target_kind::resolution);
  EXPECT_EQ(c.due_at, prague(2026, 1, 14, 13));
}

TEST(SlaClocks, APolicyWithoutPauseStatusesKeepsRunning) {
  auto p = policy({target(target_kind::resolution, 16 * hour_s, "cz")});
  p.pause_on.clear();
  const auto c = only(compute_clocks(p, calendars,
                                     {message(prague(2026, 1, 12, 9)),
                                      status(prague(2026, 1, 12, 10), ticket_status::pending)},
                                     prague(2026, 1, 12, 12)),
                      target_kind::resolution);
  EXPECT_EQ(c.state, clock_state::running);
  EXPECT_EQ(c.due_at, prague(2026, 1, 13, 17));
  EXPECT_EQ(c.remaining_seconds, 13 * hour_s);
}

TEST(SlaClocks, OnlyTheListedStatusesPause) {
  auto p = policy({target(target_kind::resolution, 16 * hour_s, "cz")});
  p.pause_on = {ticket_status::pending};
  const auto c = only(compute_clocks(p, calendars,
                                     {message(prague(2026, 1, 12, 9)),
                                      status(prague(2026, 1, 12, 10), ticket_status::pending),
                                      status(prague(2026, 1, 12, 11), ticket_status::on_hold)},
                                     prague(2026, 1, 12, 12)),
                      target_kind::resolution);
  EXPECT_EQ(c.state, clock_state::running);
  EXPECT_EQ(c.due_at, prague(2026, 1, 14, 10));  // one business hour later than without the pause
}

TEST(SlaClocks, ResponseClocksIgnorePending) {
  const auto p = policy({target(target_kind::first_response, hour_s)});
  const auto c = only(compute_clocks(p, calendars,
                                     {message(utc(2026, 1, 12, 9)), status(utc(2026, 1, 12, 9, 10), ticket_status::pending)},
                                     utc(2026, 1, 12, 9, 30)),
                      target_kind::first_response);
  EXPECT_EQ(c.state, clock_state::running);
  EXPECT_EQ(show(c.due_at), "2026-01-12T10:00:00Z");
}

TEST(SlaClocks, SolvedWhilePausedIsMetWithoutDeadline) {
  const auto p = policy({target(target_kind::resolution, 16 * hour_s, "cz")});
  const auto c = only(compute_clocks(p, calendars,
                                     {message(prague(2026, 1, 12, 9)),
                                      status(prague(2026, 1, 12, 10), ticket_status::pending),
                                      status(prague(2026, 1, 20, 10), ticket_status::solved)},
                                     prague(2026, 1, 21, 10)),
                      target_kind::resolution);
  EXPECT_EQ(c.state, clock_state::met);
  EXPECT_FALSE(c.due_at);
  EXPECT_EQ(c.remaining_seconds, 15 * hour_s);
  EXPECT_EQ(c.stopped_at, prague(2026, 1, 20, 10));
}

// --- Response targets ---------------------------------------------------------

TEST(SlaClocks, AReplyBeforeTheDueTimeIsMet) {
  const auto p = policy({target(target_kind::first_response, hour_s)});
  const auto t = utc(2026, 1, 12, 9);
  const auto c = only(compute_clocks(p, calendars, {message(t), reply(t + minutes{59})}, t + hours{5}),
                      target_kind::first_response);
  EXPECT_EQ(c.state, clock_state::met);
  EXPECT_EQ(c.stopped_at, t + minutes{59});
  EXPECT_EQ(c.due_at, t + hours{1});
  EXPECT_EQ(c.remaining_seconds, 60);
  EXPECT_FALSE(c.breached);
}

TEST(SlaClocks, AReplyAfterTheDueTimeIsBreached) {
  const auto p = policy({target(target_kind::first_response, hour_s)});
  const auto t = utc(2026, 1, 12, 9);
  const auto c = only(compute_clocks(p, calendars, {message(t), reply(t + hours{2})}, t + hours{5}),
                      target_kind::first_response);
  EXPECT_EQ(c.state, clock_state::breached);
  EXPECT_TRUE(c.breached);
  EXPECT_EQ(c.remaining_seconds, -hour_s);
}

TEST(SlaClocks, AReplyExactlyAtTheDueTimeIsMetAndAMicrosecondLaterIsNot) {
  const auto p = policy({target(target_kind::first_response, hour_s)});
  const auto t = utc(2026, 1, 12, 9) + microseconds{250};
  const auto on_time = only(compute_clocks(p, calendars, {message(t), reply(t + hours{1})}, t + hours{5}),
                            target_kind::first_response);
  EXPECT_EQ(on_time.due_at, t + hours{1});
  EXPECT_EQ(on_time.state, clock_state::met);
  EXPECT_EQ(on_time.remaining_seconds, 0);
  const auto late = only(compute_clocks(p, calendars, {message(t), reply(t + hours{1} + microseconds{1})}, t + hours{5}),
                         target_kind::first_response);
  EXPECT_EQ(late.state, clock_state::breached);
}

TEST(SlaClocks, EachWaitAfterAReplyIsTheNextCycleOfNextResponse) {
  const auto p = policy({target(target_kind::first_response, hour_s), target(target_kind::next_response, hour_s)});
  const auto t = utc(2026, 1, 12, 9);
  const auto all = compute_clocks(p, calendars,
                                  {message(t), reply(t + minutes{10}), message(t + minutes{20}), reply(t + minutes{30}),
                                   message(t + minutes{40}), reply(t + minutes{50}), message(t + minutes{60})},
                                  t + minutes{70});
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].target, target_kind::first_response);
  EXPECT_EQ(all[0].state, clock_state::met);
  const auto next = of_kind(all, target_kind::next_response);
  ASSERT_EQ(next.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(next[i].cycle, i + 1);
    EXPECT_EQ(next[i].started_at, t + minutes{20 * (i + 1)});
  }
  EXPECT_EQ(next[0].state, clock_state::met);
  EXPECT_EQ(next[1].state, clock_state::met);
  EXPECT_EQ(next[2].state, clock_state::running);
  EXPECT_EQ(next[2].remaining_seconds, 50 * 60);
}

TEST(SlaClocks, MoreMessagesWhileWaitingDoNotRestartTheClock) {
  const auto p = policy({target(target_kind::first_response, hour_s), target(target_kind::next_response, hour_s)});
  const auto t = utc(2026, 1, 12, 9);
  const auto all = compute_clocks(p, calendars, {message(t), message(t + minutes{30}), message(t + minutes{50})},
                                  t + minutes{70});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].started_at, t);
  EXPECT_EQ(all[0].state, clock_state::breached);
  EXPECT_EQ(all[0].remaining_seconds, -600);
}

TEST(SlaClocks, NoResponseNeededCancelsWithoutBreach) {
  const auto p = policy({target(target_kind::first_response, hour_s)});
  const auto t = utc(2026, 1, 12, 9);
  const auto c = only(compute_clocks(p, calendars, {message(t), waived(t + minutes{5})}, t + hours{3}),
                      target_kind::first_response);
  EXPECT_EQ(c.state, clock_state::cancelled);
  EXPECT_FALSE(c.breached);
  EXPECT_EQ(c.stopped_at, t + minutes{5});
}

TEST(SlaClocks, WaivingAfterTheDueTimeKeepsTheBreachOnRecord) {
  const auto p = policy({target(target_kind::first_response, hour_s)});
  const auto t = utc(2026, 1, 12, 9);
  const auto c = only(compute_clocks(p, calendars, {message(t), waived(t + hours{2})}, t + hours{3}),
                      target_kind::first_response);
  EXPECT_EQ(c.state, clock_state::cancelled);
  EXPECT_TRUE(c.breached);
}

TEST(SlaClocks, WaivingAnOldMessageLeavesTheCustomersNewWaitRunning) {
  const auto p = policy({target(target_kind::first_response, hour_s), target(target_kind::next_response, hour_s)});
  const auto t = utc(2026, 1, 12, 9);
  timeline_entry late_waiver{t + minutes{40}, entry_kind::response_waived, {}, t};  // about the first message
  const auto all = compute_clocks(p, calendars, {message(t), reply(t + minutes{10}), message(t + minutes{30}), late_waiver},
                                  t + minutes{45});
  EXPECT_EQ(only(all, target_kind::first_response).state, clock_state::met);
  EXPECT_EQ(only(all, target_kind::next_response).state, clock_state::running) << "the new wait is not the one waived";
  timeline_entry this_wait{t + minutes{40}, entry_kind::response_waived, {}, t + minutes{30}};
  const auto waived_now = compute_clocks(p, calendars, {message(t), reply(t + minutes{10}), message(t + minutes{30}), this_wait},
                                         t + minutes{45});
  EXPECT_EQ(only(waived_now, target_kind::next_response).state, clock_state::cancelled);
}

TEST(SlaClocks, AfterAWaiverWithoutReplyTheNextWaitIsStillForTheFirstResponse) {
  const auto p = policy({target(target_kind::first_response, hour_s), target(target_kind::next_response, hour_s)});
  const auto t = utc(2026, 1, 12, 9);
  const auto all = compute_clocks(p, calendars, {message(t), waived(t + minutes{5}), message(t + minutes{10})},
                                  t + minutes{20});
  const auto first = of_kind(all, target_kind::first_response);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[1].cycle, 2);
  EXPECT_EQ(first[1].state, clock_state::running);
  EXPECT_TRUE(of_kind(all, target_kind::next_response).empty());
}

TEST(SlaClocks, SolvingCancelsResponseClocksAndMeetsResolution) {
  const auto p = policy({target(target_kind::first_response, hour_s), target(target_kind::resolution, 8 * hour_s)});
  const auto t = utc(2026, 1, 12, 9);
  const auto all = compute_clocks(p, calendars, {message(t), status(t + minutes{30}, ticket_status::solved)},
                                  t + hours{10});
  const auto response = only(all, target_kind::first_response);
  EXPECT_EQ(response.state, clock_state::cancelled);
  EXPECT_FALSE(response.breached);
  const auto resolution = only(all, target_kind::resolution);
  EXPECT_EQ(resolution.state, clock_state::met);
  EXPECT_EQ(resolution.stopped_at, t + minutes{30});
  EXPECT_EQ(resolution.remaining_seconds, 8 * hour_s - 1800);
}

TEST(SlaClocks, ClosingAfterTheDueTimeBreachesResolution) {
  const auto p = policy({target(target_kind::resolution, hour_s)});
  const auto t = utc(2026, 1, 12, 9);
  const auto c = only(compute_clocks(p, calendars, {message(t), status(t + hours{3}, ticket_status::closed)}, t + hours{4}),
                      target_kind::resolution);
  EXPECT_EQ(c.state, clock_state::breached);
  EXPECT_EQ(c.remaining_seconds, -2 * hour_s);
}

// --- Resolution cycles --------------------------------------------------------

TEST(SlaClocks, AReopenStartsTheSecondResolutionCycleWithTheFullDuration) {
  const auto p = policy({target(target_kind::resolution, 8 * hour_s)});
  const auto t = utc(2026, 1, 12, 9);
  const auto all = compute_clocks(p, calendars,
                                  {message(t), status(t + hours{1}, ticket_status::solved),
                                   message(t + hours{5}), status(t + hours{5}, ticket_status::open)},
                                  t + hours{6});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].cycle, 1);
  EXPECT_EQ(all[0].state, clock_state::met);
  EXPECT_EQ(all[1].cycle, 2);
  EXPECT_EQ(all[1].state, clock_state::running);
  EXPECT_EQ(all[1].started_at, t + hours{5});
  EXPECT_EQ(all[1].due_at, t + hours{13});
  EXPECT_EQ(all[1].remaining_seconds, 7 * hour_s);
}

TEST(SlaClocks, AReopenIntoPendingStartsThePausedCycle) {
  const auto p = policy({target(target_kind::resolution, 8 * hour_s)});
  const auto t = utc(2026, 1, 12, 9);
  const auto all = compute_clocks(p, calendars,
                                  {message(t), status(t + hours{1}, ticket_status::solved),
                                   status(t + hours{2}, ticket_status::pending)},
                                  t + hours{6});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].state, clock_state::paused);
  EXPECT_EQ(all[1].started_at, t + hours{2});
  EXPECT_EQ(all[1].remaining_seconds, 8 * hour_s);
}

TEST(SlaClocks, SolvedThenClosedStopsOnce) {
  const auto p = policy({target(target_kind::resolution, 8 * hour_s)});
  const auto t = utc(2026, 1, 12, 9);
  const auto all = compute_clocks(p, calendars,
                                  {message(t), status(t + hours{1}, ticket_status::solved),
                                   status(t + hours{30}, ticket_status::closed)},
                                  t + hours{40});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].state, clock_state::met);
  EXPECT_EQ(all[0].stopped_at, t + hours{1});
}

TEST(SlaClocks, OnlyACustomerMessageStartsResolution) {
  const auto p = policy({target(target_kind::resolution, hour_s)});
  const auto t = utc(2026, 1, 12, 9);
  const auto none = compute_clocks(p, calendars, {status(t, ticket_status::open), reply(t + minutes{1})}, t + hours{1});
  EXPECT_TRUE(none.empty());
  const auto later = only(compute_clocks(p, calendars, {reply(t), message(t + minutes{10})}, t + hours{1}),
                          target_kind::resolution);
  EXPECT_EQ(later.started_at, t + minutes{10});
}

TEST(SlaClocks, ABreachSurvivesAPauseAndResume) {
  const auto p = policy({target(target_kind::resolution, hour_s)});
  const auto t = utc(2026, 1, 12, 9);
  const std::vector<timeline_entry> paused{message(t), status(t + hours{2}, ticket_status::pending)};
  const auto while_paused = only(compute_clocks(p, calendars, paused, t + hours{3}), target_kind::resolution);
  EXPECT_EQ(while_paused.state, clock_state::paused);
  EXPECT_TRUE(while_paused.breached);
  EXPECT_EQ(while_paused.remaining_seconds, -hour_s);

  auto solved = paused;
  solved.push_back(status(t + hours{4}, ticket_status::open));
  solved.push_back(status(t + hours{4}, ticket_status::solved));
  const auto c = only(compute_clocks(p, calendars, solved, t + hours{5}), target_kind::resolution);
  EXPECT_EQ(c.state, clock_state::breached);
  EXPECT_TRUE(c.breached);
}

TEST(SlaClocks, AClockRunningPastItsDueTimeIsBreachedWithNegativeBusinessTimeLeft) {
  const auto p = policy({target(target_kind::resolution, hour_s, "cz")});
  const auto c = only(compute_clocks(p, calendars, {message(prague(2026, 1, 12, 16, 30))}, prague(2026, 1, 13, 10)),
                      target_kind::resolution);
  EXPECT_EQ(c.due_at, prague(2026, 1, 13, 9, 30));
  EXPECT_EQ(c.state, clock_state::breached);
  EXPECT_TRUE(c.breached);
  EXPECT_EQ(c.remaining_seconds, -1800);
}

TEST(SlaClocks, ARunningClockIsBreachedFromTheDueInstantOn) {
  const auto p = policy({target(target_kind::first_response, hour_s)});
  const auto t = utc(2026, 1, 12, 9);
  const auto before = only(compute_clocks(p, calendars, {message(t)}, t + hours{1} - microseconds{1}),
                           target_kind::first_response);
  EXPECT_EQ(before.state, clock_state::running);
  const auto at = only(compute_clocks(p, calendars, {message(t)}, t + hours{1}), target_kind::first_response);
  EXPECT_EQ(at.state, clock_state::breached);
  EXPECT_EQ(at.remaining_seconds, 0);
}

// --- Callbacks ----------------------------------------------------------------

TEST(SlaClocks, TheFirstMissedCallStartsTheCallbackAndDoneMeetsIt) {
  const auto p = policy({target(target_kind::callback, 30 * 60, "cz")});
  const auto all = compute_clocks(p, calendars,
                                  {callback_requested(prague(2026, 1, 9, 16, 50)),
                                   callback_requested(prague(2026, 1, 9, 16, 55)),
                                   callback_done(prague(2026, 1, 12, 9, 15))},
                                  prague(2026, 1, 12, 12));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].started_at, prague(2026, 1, 9, 16, 50));
  EXPECT_EQ(all[0].due_at, prague(2026, 1, 12, 9, 20));
  EXPECT_EQ(all[0].state, clock_state::met);
  EXPECT_EQ(all[0].remaining_seconds, 5 * 60);
}

TEST(SlaClocks, ACallbackRequestedAgainAfterDoneIsTheNextCycle) {
  const auto p = policy({target(target_kind::callback, 30 * 60)});
  const auto t = utc(2026, 1, 12, 9);
  const auto all = compute_clocks(p, calendars,
                                  {callback_requested(t), callback_done(t + minutes{40}), callback_requested(t + hours{2})},
                                  t + hours{2});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].state, clock_state::breached);
  EXPECT_EQ(all[1].cycle, 2);
  EXPECT_EQ(all[1].state, clock_state::running);
}

// --- Warnings -----------------------------------------------------------------

TEST(SlaClocks, WarningAtThreeQuartersOfCalendarTime) {
  const auto p = policy({target(target_kind::first_response, 4 * hour_s)});
  const auto t = utc(2026, 1, 12, 9);
  const auto c = only(compute_clocks(p, calendars, {message(t)}, t), target_kind::first_response);
  EXPECT_EQ(c.warn_at, t + hours{3});
}

TEST(SlaClocks, WarningAtThreeQuartersOfBusinessTime) {
  const auto p = policy({target(target_kind::resolution, 16 * hour_s, "cz")});
  const auto c = only(compute_clocks(p, calendars, {message(prague(2026, 1, 9, 16, 30))}, prague(2026, 1, 9, 16, 30)),
                      target_kind::resolution);
  // 12 business hours: half an hour on Friday, eight on Monday, three and a half on Tuesday.
  EXPECT_EQ(c.warn_at, prague(2026, 1, 13, 12, 30));
}

TEST(SlaClocks, APausePushesTheWarningToo) {
  const auto p = policy({target(target_kind::resolution, 16 * hour_s, "cz")});
  const auto c = only(compute_clocks(p, calendars,
                                     {message(prague(2026, 1, 9, 16, 30)),
                                      status(prague(2026, 1, 12, 10), ticket_status::pending),
                                      status(prague(2026, 1, 12, 13), ticket_status::open)},
                                     prague(2026, 1, 12, 13)),
                      target_kind::resolution);
  EXPECT_EQ(c.warn_at, prague(2026, 1, 13, 15, 30));
  EXPECT_EQ(c.due_at, prague(2026, 1, 14, 11, 30));
}

TEST(SlaClocks, AWarningFractionRoundsUpToAWholeSecond) {
  const auto p = policy({target(target_kind::first_response, 10, {}, 0.33)});
  const auto t = utc(2026, 1, 12, 9);
  const auto c = only(compute_clocks(p, calendars, {message(t)}, t), target_kind::first_response);
  EXPECT_EQ(c.warn_at, t + seconds{4});
  // 100 x 0.07 is 7.000000000000001 in binary floating point; the warning is still at 7 s.
  const auto q = policy({target(target_kind::first_response, 100, {}, 0.07)});
  const auto d = only(compute_clocks(q, calendars, {message(t)}, t), target_kind::first_response);
  EXPECT_EQ(d.warn_at, t + seconds{7});
}

// --- Targets the policy has -----------------------------------------------------

TEST(SlaClocks, OnlyThePolicysTargetsGetClocks) {
  const auto p = policy({target(target_kind::resolution, 8 * hour_s)});
  const auto t = utc(2026, 1, 12, 9);
  const auto all = compute_clocks(p, calendars,
                                  {message(t), reply(t + minutes{5}), message(t + minutes{10}), callback_requested(t)},
                                  t + hours{1});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].target, target_kind::resolution);
}

TEST(SlaClocks, ClocksComeInTargetOrderWhateverThePolicyOrder) {
  const auto p = policy({target(target_kind::callback, hour_s), target(target_kind::resolution, hour_s),
                         target(target_kind::first_response, hour_s)});
  const auto t = utc(2026, 1, 12, 9);
  const auto all = compute_clocks(p, calendars, {callback_requested(t), message(t)}, t);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].target, target_kind::first_response);
  EXPECT_EQ(all[1].target, target_kind::resolution);
  EXPECT_EQ(all[2].target, target_kind::callback);
}

TEST(SlaClocks, NoEntriesNoClocks) {
  const auto p = policy({target(target_kind::first_response, hour_s), target(target_kind::resolution, hour_s)});
  EXPECT_TRUE(compute_clocks(p, calendars, {}, utc(2026, 1, 12)).empty());
}

// --- Policies -----------------------------------------------------------------

policy_def positioned(std::string id, int position, policy_conditions c = {}) {
  auto p = policy({target(target_kind::resolution, hour_s)});
  p.id = std::move(id);
  p.position = position;
  p.conditions = std::move(c);
  return p;
}

ticket_sla_facts email_ticket() {
  ticket_sla_facts t;
  t.origin = channel::email;
  t.prio = priority::normal;
  t.queue_id = "q_sales";
  t.tags = {"vip", "refund"};
  t.source = "amazon";
  return t;
}

TEST(SlaPolicy, TheLowestPositionWinsAndIdBreaksTies) {
  const std::vector<policy_def> ps{positioned("p_c", 2), positioned("p_b", 1), positioned("p_a", 1)};
  const auto* chosen = choose_policy(ps, email_ticket());
  ASSERT_NE(chosen, nullptr);
  EXPECT_EQ(chosen->id, "p_a");
}

TEST(SlaPolicy, EveryConditionSetMustHold) {
  policy_conditions amazon_vip;
  amazon_vip.channel = channel::email;
  amazon_vip.prio = priority::normal;
  amazon_vip.queue_id = "q_sales";
  amazon_vip.tags = {"gold", "vip"};
  amazon_vip.source = "amazon";
  const std::vector<policy_def> ps{positioned("p_all", 9), positioned("p_amazon", 1, amazon_vip)};
  EXPECT_EQ(choose_policy(ps, email_ticket())->id, "p_amazon");

  auto t = email_ticket();
  t.origin = channel::phone;
  EXPECT_EQ(choose_policy(ps, t)->id, "p_all");
  t = email_ticket();
  t.prio = priority::urgent;
  EXPECT_EQ(choose_policy(ps, t)->id, "p_all");
  t = email_ticket();
  t.queue_id = "q_support";
  EXPECT_EQ(choose_policy(ps, t)->id, "p_all");
  t = email_ticket();
  t.queue_id.reset();
  EXPECT_EQ(choose_policy(ps, t)->id, "p_all");
  t = email_ticket();
  t.tags = {"refund"};
  EXPECT_EQ(choose_policy(ps, t)->id, "p_all");
  t = email_ticket();
  t.source = "ebay";
  EXPECT_EQ(choose_policy(ps, t)->id, "p_all");
  t = email_ticket();
  t.source.reset();
  EXPECT_EQ(choose_policy(ps, t)->id, "p_all");
}

TEST(SlaPolicy, AnyOneTagIsEnough) {
  policy_conditions c;
  c.tags = {"gold", "refund"};
  const std::vector<policy_def> ps{positioned("p_tags", 1, c)};
  EXPECT_NE(choose_policy(ps, email_ticket()), nullptr);
}

TEST(SlaPolicy, ACustomerFlagSelectsThePolicyForThoseCustomers) {
  policy_conditions vip;
  vip.customer_flags = {"vip", "b2b"};
  const std::vector<policy_def> ps{positioned("p_vip", 1, vip), positioned("p_all", 9, {})};
  auto t = email_ticket();
  EXPECT_EQ(choose_policy(ps, t)->id, "p_all") << "no flags";
  t.customer_flags = {"b2b"};
  EXPECT_EQ(choose_policy(ps, t)->id, "p_vip");
  t.customer_flags = {"newsletter"};
  EXPECT_EQ(choose_policy(ps, t)->id, "p_all");
}

TEST(SlaPolicy, NoMatchIsNull) {
  policy_conditions chat;
  chat.channel = channel::chat;
  EXPECT_EQ(choose_policy({positioned("p_chat", 1, chat)}, email_ticket()), nullptr);
  EXPECT_EQ(choose_policy({}, email_ticket()), nullptr);
}

std::vector<std::string> pointers(const std::vector<field_error>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.pointer);
  return out;
}

TEST(SlaPolicy, AValidPolicyHasNoErrors) {
  auto p = policy({target(target_kind::first_response, 86400), target(target_kind::resolution, 57600, "cz", 0.5)});
  p.escalation = {{escalation_rule::when::breach, target_kind::resolution, escalation_rule::action::move_to_queue, "q_1"},
                  {escalation_rule::when::warning, std::nullopt, escalation_rule::action::notify, ""}};
  EXPECT_TRUE(validate_policy(p).empty());
  p.targets = {target(target_kind::callback, max_target_seconds, {}, 0.999)};
  p.escalation.clear();
  EXPECT_TRUE(validate_policy(p).empty());
}

TEST(SlaPolicy, ValidationPointsAtEachProblem) {
  auto p = policy({target(target_kind::first_response, 0), target(target_kind::resolution, max_target_seconds + 1),
                   target(target_kind::first_response, 60, {}, 1.0), target(target_kind::callback, 60, {}, 0.0)});
  p.name = "";
  p.pause_on = {ticket_status::pending, ticket_status::solved};
  p.escalation = {{escalation_rule::when::breach, std::nullopt, escalation_rule::action::move_to_queue, ""},
                  {escalation_rule::when::warning, target_kind::next_response, escalation_rule::action::notify, ""}};
  EXPECT_EQ(pointers(validate_policy(p)),
            (std::vector<std::string>{"/name", "/targets/0/seconds", "/targets/1/seconds", "/targets/2/warn_at",
                                      "/targets/2/target", "/targets/3/warn_at", "/pause_on/1",
                                      "/escalation/0/queue_id", "/escalation/1/target"}));
}

TEST(SlaPolicy, NamesAndTargetsHaveLimits) {
  auto p = policy({});
  p.name = std::string(200, 'x');
  EXPECT_EQ(pointers(validate_policy(p)), std::vector<std::string>{"/targets"});
  p.name = std::string(201, 'x');
  EXPECT_EQ(pointers(validate_policy(p)), (std::vector<std::string>{"/name", "/targets"}));
  std::string czech;
  for (int i = 0; i < 200; ++i) czech += "\xC5\xA1";  // 200 characters, 400 bytes
  p.name = czech;
  EXPECT_EQ(pointers(validate_policy(p)), std::vector<std::string>{"/targets"});
}

TEST(SlaPolicy, TheDefaultPolicyPausesOnPendingAndOnHold) {
  EXPECT_EQ(policy_def{}.pause_on, (std::vector<ticket_status>{ticket_status::pending, ticket_status::on_hold}));
}

TEST(SlaPolicy, RaisedGoesOneStepUpAndStopsAtUrgent) {
  EXPECT_EQ(raised(priority::low), priority::normal);
  EXPECT_EQ(raised(priority::normal), priority::high);
  EXPECT_EQ(raised(priority::high), priority::urgent);
  EXPECT_EQ(raised(priority::urgent), priority::urgent);
}

TEST(SlaPolicy, EscalationsForMatchTheEventAndTheTarget) {
  auto p = policy({target(target_kind::first_response, 60), target(target_kind::resolution, 60)});
  p.escalation = {{escalation_rule::when::breach, target_kind::resolution, escalation_rule::action::raise_priority, ""},
                  {escalation_rule::when::breach, std::nullopt, escalation_rule::action::notify, ""},
                  {escalation_rule::when::warning, target_kind::first_response, escalation_rule::action::reroute, ""}};
  const auto on_breach = escalations_for(p, escalation_rule::when::breach, target_kind::resolution);
  ASSERT_EQ(on_breach.size(), 2u);
  EXPECT_EQ(on_breach[0], &p.escalation[0]);
  EXPECT_EQ(on_breach[1], &p.escalation[1]);
  const auto response_breach = escalations_for(p, escalation_rule::when::breach, target_kind::first_response);
  ASSERT_EQ(response_breach.size(), 1u);
  EXPECT_EQ(response_breach[0], &p.escalation[1]);
  const auto warning = escalations_for(p, escalation_rule::when::warning, target_kind::first_response);
  ASSERT_EQ(warning.size(), 1u);
  EXPECT_EQ(warning[0]->act, escalation_rule::action::reroute);
  EXPECT_TRUE(escalations_for(p, escalation_rule::when::warning, target_kind::resolution).empty());
}

TEST(SlaNames, RoundTripAndRejectUnknown) {
  for (auto k : {target_kind::first_response, target_kind::next_response, target_kind::resolution,
                 target_kind::callback})
    EXPECT_EQ(parse_target_kind(to_string(k)), k);
  for (auto s : {clock_state::running, clock_state::paused, clock_state::met, clock_state::breached,
                 clock_state::cancelled})
    EXPECT_EQ(parse_clock_state(to_string(s)), s);
  for (auto w : {escalation_rule::when::warning, escalation_rule::when::breach})
    EXPECT_EQ(parse_escalation_when(to_string(w)), w);
  for (auto a : {escalation_rule::action::raise_priority, escalation_rule::action::move_to_queue,
                 escalation_rule::action::reroute, escalation_rule::action::notify})
    EXPECT_EQ(parse_escalation_action(to_string(a)), a);
  EXPECT_EQ(to_string(target_kind::first_response), "first_response");
  EXPECT_EQ(to_string(clock_state::cancelled), "cancelled");
  EXPECT_FALSE(parse_target_kind("First_Response"));
  EXPECT_FALSE(parse_clock_state("warned"));
  EXPECT_FALSE(parse_escalation_action(""));
}

}  // namespace
