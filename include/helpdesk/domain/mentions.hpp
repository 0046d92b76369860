#pragma once
// "@jana@shop.example" in an internal note mentions that agent. Pure.
#include <string>
#include <string_view>
#include <vector>

namespace helpdesk {

// The normalised addresses written as @address in the text, each once, in
// order of first mention.
std::vector<std::string> mentioned_addresses(std::string_view text);

// Delivery states of an outbound message in report order: a report that
// would step back (a late "sent" after "delivered") changes nothing.
bool delivery_advances(std::string_view from, std::string_view to);

}  // namespace helpdesk
