#pragma once
// Tickets as the domain sees them: statuses, channels and the rules that move
// a ticket when a customer writes again.
#include <optional>
#include <string>
#include <string_view>

#include "helpdesk/domain/time.hpp"

namespace helpdesk {

enum class ticket_status { new_, open, pending, on_hold, solved, closed };
enum class channel { email, phone, chat, note };
enum class direction { inbound, outbound, internal };
enum class priority { low, normal, high, urgent };

std::string_view to_string(ticket_status s);
std::optional<ticket_status> parse_ticket_status(std::string_view s);
std::string_view to_string(channel c);
std::optional<channel> parse_channel(std::string_view s);
std::string_view to_string(direction d);
std::string_view to_string(priority p);
std::optional<priority> parse_priority(std::string_view s);

// The status a ticket takes when a customer's (non-automatic) message lands
// on it: pending/on_hold/solved become open; new and open stay.
ticket_status status_after_inbound(ticket_status s);

// Why an agent may not move a ticket from `from` to `to`, or nullopt when
// they may: closed is final (a customer's reply to it opens a follow-up),
// and no ticket goes back to new.
std::optional<std::string> status_change_refusal(ticket_status from, ticket_status to);

// A tag as stored: trimmed, lower case, 1 to 64 of [a-z0-9_:.-]; nullopt
// when it cannot be one (routing and reports compare tags byte for byte).
std::optional<std::string> normalize_tag(std::string_view raw);

// The external system an id comes from: "amazon-order:302-…" and
// "amazon:A1B2" both name "amazon"; nullopt for an id without a prefix.
std::optional<std::string> source_of_external_id(std::string_view id);

}  // namespace helpdesk
