// SLA clocks replayed from a ticket's timeline. Every clock is rebuilt from
// the first entry on each call, so a late or re-sent event cannot leave a
// clock in a state that a fresh replay would not reach.
#include "helpdesk/domain/sla.hpp"

#include <cmath>
#include <initializer_list>

namespace helpdesk::sla {
namespace {

using domain::business_calendar;

const business_calendar& calendar_time() {
  static const business_calendar cal = business_calendar::always_open();
  return cal;
}

// ceil(seconds x fraction), except that a product off an integer only by
// floating-point noise (100 x 0.07 = 7.000000000000001) counts as that integer.
std::int64_t warn_seconds(std::int64_t seconds, double fraction) {
  if (!(fraction > 0.0)) return 0;  // also NaN: an unvalidated policy must not reach undefined casts
  if (fraction >= 1.0) return seconds;
  const double exact = static_cast<double>(seconds) * fraction;
  const double nearest = std::round(exact);
  if (std::abs(exact - nearest) < 1e-6) return static_cast<std::int64_t>(nearest);
  return static_cast<std::int64_t>(std::ceil(exact));
}

bool is_final(ticket_status s) { return s == ticket_status::solved || s == ticket_status::closed; }

// A policy target with its calendar looked up once.
struct resolved_target {
  const target_def* def = nullptr;
  const business_calendar* cal = nullptr;
  std::string calendar_id;  // empty when 24x7 calendar time stands in
  std::int64_t warn_after = 0;
};

resolved_target resolve(const target_def& t, const calendar_lookup& calendars) {
  const business_calendar* cal = nullptr;
  if (!t.calendar_id.empty() && calendars) cal = calendars(t.calendar_id);
  resolved_target r{&t, cal ? cal : &calendar_time(), cal ? t.calendar_id : std::string{}, 0};
  r.warn_after = warn_seconds(t.seconds, t.warn_at);
  return r;
}

// One cycle of one target: running stretches separated by pauses, then a stop.
class stopwatch {
 public:
  stopwatch(const resolved_target& target, int cycle, timestamp start, bool start_paused)
      : target_(&target), cycle_(cycle), started_at_(start) {
    if (!start_paused) open_stretch(start);
  }

  bool active() const { return !stopped_at_; }

  void pause(timestamp t) {
    if (!active() || !stretch_start_) return;
    close_stretch(t);
    due_.reset();
    warn_.reset();
  }

  void resume(timestamp t) {
    if (active() && !stretch_start_) open_stretch(t);
  }

  // The deadlines in force at the stop stay on the clock: they are what it
  // was measured against.
  void stop(timestamp t, bool cancel) {
    if (!active()) return;
    if (stretch_start_) close_stretch(t);
    stopped_at_ = t;
    cancelled_ = cancel;
  }

  clock snapshot(timestamp now) const {
    clock c;
    c.target = target_->def->kind;
    c.cycle = cycle_;
    c.started_at = started_at_;
    c.stopped_at = stopped_at_;
    c.due_at = due_;
    c.warn_at = warn_;
    c.business_hours = !target_->cal->is_always_open();
    c.calendar_id = target_->calendar_id;
    std::int64_t elapsed = elapsed_;
    c.breached = breached_;
    if (stopped_at_) {
      c.state = cancelled_ ? clock_state::cancelled : breached_ ? clock_state::breached : clock_state::met;
    } else if (stretch_start_) {
      elapsed += business_seconds_between(*target_->cal, *stretch_start_, now);
      c.breached = breached_ || (due_ && *due_ <= now);
      c.state = c.breached ? clock_state::breached : clock_state::running;
    } else {
      c.state = clock_state::paused;
    }
    c.remaining_seconds = target_->def->seconds - elapsed;
    return c;
  }

 private:
  // The business time already used shortens what is left, so a pause pushes
  // both deadlines by exactly the business time it lasted.
  void open_stretch(timestamp t) {
    stretch_start_ = t;
    due_ = add_business_seconds(*target_->cal, t, target_->def->seconds - elapsed_);
    warn_ = add_business_seconds(*target_->cal, t, target_->warn_after - elapsed_);
  }

  // A breach is for good: once the due time passed while the clock ran, no
  // pause and resume can make the cycle met again. Reaching the due time
  // exactly is not yet a breach.
  void close_stretch(timestamp t) {
    elapsed_ += business_seconds_between(*target_->cal, *stretch_start_, t);
    if (due_ && *due_ < t) breached_ = true;
    stretch_start_.reset();
  }

  const resolved_target* target_;
  int cycle_;
  timestamp started_at_;
  std::optional<timestamp> stretch_start_;  // set while running
  std::optional<timestamp> stopped_at_;
  std::optional<timestamp> due_;
  std::optional<timestamp> warn_;
  std::int64_t elapsed_ = 0;  // business seconds of the closed stretches
  bool breached_ = false;
  bool cancelled_ = false;
};

// The cycles of one target; a target the policy lacks collects nothing.
class target_track {
 public:
  explicit target_track(std::optional<resolved_target> target) : target_(std::move(target)) {}
  target_track(const target_track&) = delete;  // stopwatches point into target_
  target_track& operator=(const target_track&) = delete;

  stopwatch* active() { return !cycles_.empty() && cycles_.back().active() ? &cycles_.back() : nullptr; }
  bool started() const { return !cycles_.empty(); }

  void start(timestamp t, bool paused = false) {
    if (target_) cycles_.emplace_back(*target_, static_cast<int>(cycles_.size()) + 1, t, paused);
  }
  void stop(timestamp t, bool cancel = false) {
    if (auto* w = active()) w->stop(t, cancel);
  }

  void append_to(std::vector<clock>& out, timestamp now) const {
    for (const auto& w : cycles_) out.push_back(w.snapshot(now));
  }

 private:
  std::optional<resolved_target> target_;
  std::vector<stopwatch> cycles_;
};

// Replays the timeline once, feeding every target's track.
class replay {
 public:
  replay(const policy_def& p, const calendar_lookup& calendars)
      : policy_(p),
        first_(lookup(p, target_kind::first_response, calendars)),
        next_(lookup(p, target_kind::next_response, calendars)),
        resolution_(lookup(p, target_kind::resolution, calendars)),
        callback_(lookup(p, target_kind::callback, calendars)) {}

  void apply(const timeline_entry& e) {
    switch (e.kind) {
      case entry_kind::customer_message: on_customer_message(e.at); break;
      case entry_kind::agent_reply:
        replied_ = true;
        stop_response(e.at, false);
        break;
      case entry_kind::response_waived:
        if (!e.about || *e.about >= wait_started_) stop_response(e.at, true);
        break;
      case entry_kind::status_change: on_status(e.at, e.status); break;
      case entry_kind::callback_requested:
        if (!callback_.active()) callback_.start(e.at);
        break;
      case entry_kind::callback_done: callback_.stop(e.at); break;
    }
  }

  std::vector<clock> clocks(timestamp now) const {
    std::vector<clock> out;
    for (const target_track* t : {&first_, &next_, &resolution_, &callback_}) t->append_to(out, now);
    return out;
  }

 private:
  static std::optional<resolved_target> lookup(const policy_def& p, target_kind k, const calendar_lookup& calendars) {
    const target_def* t = find_target(p, k);
    if (!t) return std::nullopt;
    return resolve(*t, calendars);
  }

  bool pauses(ticket_status s) const {
    for (ticket_status p : policy_.pause_on)
      if (p == s) return true;
    return false;
  }

  bool response_running() { return first_.active() || next_.active(); }

  void stop_response(timestamp t, bool cancel) {
    first_.stop(t, cancel);
    next_.stop(t, cancel);
  }

  // Until a human has replied, every wait is still for the first response,
  // even after an earlier one was waived or cancelled by solving.
  void on_customer_message(timestamp t) {
    customer_seen_ = true;
    if (!response_running()) {
      (replied_ ? next_ : first_).start(t);
      wait_started_ = t;
    }
    if (!resolution_.started() && !is_final(status_)) resolution_.start(t, pauses(status_));
  }

  void on_status(timestamp t, ticket_status s) {
    const ticket_status before = status_;
    status_ = s;
    if (is_final(s)) stop_response(t, true);  // nobody waits for a reply on a solved ticket
    if (stopwatch* w = resolution_.active()) {
      if (is_final(s))
        w->stop(t, false);
      else if (pauses(s))
        w->pause(t);
      else
        w->resume(t);
    } else if (is_final(before) && !is_final(s) && customer_seen_) {
      resolution_.start(t, pauses(s));  // a reopen: the full duration again
    }
  }

  const policy_def& policy_;
  target_track first_, next_, resolution_, callback_;
  ticket_status status_ = ticket_status::new_;
  bool replied_ = false;
  bool customer_seen_ = false;
  timestamp wait_started_{};  // when the running response clock's wait began
};

}  // namespace

std::vector<clock> compute_clocks(const policy_def& policy, const calendar_lookup& calendars,
                                  const std::vector<timeline_entry>& sorted_entries, timestamp now) {
  replay r(policy, calendars);
  for (const auto& e : sorted_entries) r.apply(e);
  return r.clocks(now);
}

}  // namespace helpdesk::sla
