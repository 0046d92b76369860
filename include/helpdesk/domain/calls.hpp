#pragma once
// One phone call is one interaction assembled from provider events that may
// arrive late, twice or out of order. Its state is a pure function of the
// set of events seen, so the order of arrival cannot change the outcome.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "helpdesk/domain/time.hpp"

namespace helpdesk {

enum class call_event_kind { ringing, answered, missed, voicemail, completed, transferred };
enum class call_outcome { ringing, in_progress, answered, missed, voicemail, transferred };

std::string_view to_string(call_event_kind k);
std::optional<call_event_kind> parse_call_event_kind(std::string_view s);
std::string_view to_string(call_outcome o);

struct call_event {
  call_event_kind kind = call_event_kind::ringing;
  timestamp at{};
  std::optional<long long> sequence;
  std::string agent_id;
  std::optional<long long> wait_seconds;
  std::optional<long long> duration_seconds;
  std::string recording_url;
  std::string voicemail_url;
};

struct call_state {
  call_outcome outcome = call_outcome::ringing;
  bool inbound = true;
  std::optional<timestamp> started_at;   // earliest event
  std::optional<timestamp> answered_at;
  std::optional<timestamp> ended_at;     // terminal event
  std::string agent_id;
  std::optional<long long> wait_seconds;
  std::optional<long long> duration_seconds;
  std::string recording_url;
  std::string voicemail_url;
  // An inbound call nobody answered (missed, or voicemail without an agent).
  bool callback_required() const;
  bool ended() const;
};

// Folds every event of a call (any order) into its state.
call_state fold_call(bool inbound, const std::vector<call_event>& events);

}  // namespace helpdesk
