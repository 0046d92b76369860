#include "helpdesk/domain/calls.hpp"

#include <algorithm>
#include <tuple>

namespace helpdesk {

namespace {

// A total order over events: the sequence number the provider assigned
// (events without one rank below those with one), then the time, then every
// other field. Two events equal under it are identical, so "the highest
// event carrying X" names one value whatever the order of arrival.
auto order_key(const call_event& e) {
  return std::tie(e.sequence, e.at, e.kind, e.agent_id, e.wait_seconds, e.duration_seconds, e.recording_url,
                  e.voicemail_url);
}

bool before(const call_event& a, const call_event& b) { return order_key(a) < order_key(b); }

bool is_terminal(call_event_kind k) {
  return k == call_event_kind::missed || k == call_event_kind::voicemail || k == call_event_kind::completed ||
         k == call_event_kind::transferred;
}

// The value from the highest-ranked event that carries one.
template <typename Has, typename Get>
auto latest_of(const std::vector<call_event>& events, Has has, Get get) -> decltype(get(events.front())) {
  const call_event* best = nullptr;
  for (const auto& e : events)
    if (has(e) && (best == nullptr || before(*best, e))) best = &e;
  if (best == nullptr) return {};
  return get(*best);
}

}  // namespace

std::string_view to_string(call_event_kind k) {
  switch (k) {
    case call_event_kind::ringing: return "ringing";
    case call_event_kind::answered: return "answered";
    case call_event_kind::missed: return "missed";
    case call_event_kind::voicemail: return "voicemail";
    case call_event_kind::completed: return "completed";
    case call_event_kind::transferred: return "transferred";
  }
  return "ringing";
}

std::optional<call_event_kind> parse_call_event_kind(std::string_view s) {
  for (auto k : {call_event_kind::ringing, call_event_kind::answered, call_event_kind::missed,
                 call_event_kind::voicemail, call_event_kind::completed, call_event_kind::transferred})
    if (to_string(k) == s) return k;
  return std::nullopt;
}

std::string_view to_string(call_outcome o) {
  switch (o) {
    case call_outcome::ringing: return "ringing";
    case call_outcome::in_progress: return "in_progress";
    case call_outcome::answered: return "answered";
    case call_outcome::missed: return "missed";
    case call_outcome::voicemail: return "voicemail";
    case call_outcome::transferred: return "transferred";
  }
  return "ringing";
}

bool call_state::callback_required() const {
  return inbound && (outcome == call_outcome::missed || outcome == call_outcome::voicemail);
}

bool call_state::ended() const { return outcome != call_outcome::ringing && outcome != call_outcome::in_progress; }

call_state fold_call(bool inbound, const std::vector<call_event>& events) {
  call_state s;
  s.inbound = inbound;
  bool seen[6] = {};
  for (const auto& e : events) {
    seen[static_cast<int>(e.kind)] = true;
    if (!s.started_at || e.at < *s.started_at) s.started_at = e.at;
    if (e.kind == call_event_kind::answered && (!s.answered_at || e.at < *s.answered_at)) s.answered_at = e.at;
    if (is_terminal(e.kind) && (!s.ended_at || e.at > *s.ended_at)) s.ended_at = e.at;
  }
  auto has = [&](call_event_kind k) { return seen[static_cast<int>(k)]; };

  // The outcome depends only on which kinds were seen, never on their order,
  // so a late "ringing" cannot undo a "completed".
  if (has(call_event_kind::answered)) {
    if (has(call_event_kind::transferred)) {
      s.outcome = call_outcome::transferred;
    } else if (has(call_event_kind::completed) || has(call_event_kind::voicemail) ||
               has(call_event_kind::missed)) {
      // Someone spoke to the caller; a voicemail or missed leg afterwards
      // (e.g. a second agent not picking up) does not change that.
      s.outcome = call_outcome::answered;
    } else {
      s.outcome = call_outcome::in_progress;
    }
  } else if (has(call_event_kind::voicemail)) {
    s.outcome = call_outcome::voicemail;
  } else if (has(call_event_kind::missed)) {
    s.outcome = call_outcome::missed;
  } else if (has(call_event_kind::transferred)) {
    s.outcome = call_outcome::transferred;
  } else if (has(call_event_kind::completed)) {
    // Completed without an answer: inbound, nobody picked up; outbound, the
    // customer did not. Either way the conversation did not happen.
    s.outcome = call_outcome::missed;
  } else {
    s.outcome = call_outcome::ringing;
  }

  s.agent_id = latest_of(events, [](const call_event& e) { return !e.agent_id.empty(); },
                         [](const call_event& e) { return e.agent_id; });
  s.wait_seconds = latest_of(events, [](const call_event& e) { return e.wait_seconds.has_value(); },
                             [](const call_event& e) { return e.wait_seconds; });
  s.duration_seconds = latest_of(events, [](const call_event& e) { return e.duration_seconds.has_value(); },
                                 [](const call_event& e) { return e.duration_seconds; });
  s.recording_url = latest_of(events, [](const call_event& e) { return !e.recording_url.empty(); },
                              [](const call_event& e) { return e.recording_url; });
  s.voicemail_url = latest_of(events, [](const call_event& e) { return !e.voicemail_url.empty(); },
                              [](const call_event& e) { return e.voicemail_url; });
  return s;
}

}  // namespace helpdesk
