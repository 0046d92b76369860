#pragma once
// Mail written by machines (auto-replies, bounces, lists) is stored but never
// reopens a ticket and never counts as a customer waiting for an answer.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace helpdesk {

using header_list = std::vector<std::pair<std::string, std::string>>;  // name, value (any case)

struct automatic_verdict {
  bool automatic = false;
  bool bounce = false;   // a delivery failure: belongs to the ticket of the bounced message
  std::string reason;    // e.g. "Auto-Submitted: auto-replied"; empty when not automatic
};

// from: the sender's addr-spec (normalised). The Return-Path is read from
// `headers` (an empty "<>" marks a machine-sent message).
automatic_verdict classify_automatic(const header_list& headers, std::string_view from,
                                     bool delivery_status_report);

}  // namespace helpdesk
