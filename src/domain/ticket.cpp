#include "helpdesk/domain/ticket.hpp"

#include "enum_names.hpp"

namespace helpdesk {

using detail::parse_by_name;

std::string_view to_string(ticket_status s) {
  switch (s) {
    case ticket_status::new_: return "new";
    case ticket_status::open: return "open";
    case ticket_status::pending: return "pending";
    case ticket_status::on_hold: return "on_hold";
    case ticket_status::solved: return "solved";
    case ticket_status::closed: return "closed";
  }
  return "new";
}

std::optional<ticket_status> parse_ticket_status(std::string_view s) {
  return parse_by_name(s, {ticket_status::new_, ticket_status::open, ticket_status::pending, ticket_status::on_hold,
                           ticket_status::solved, ticket_status::closed});
}

std::string_view to_string(channel c) {
  switch (c) {
    case channel::email: return "email";
    case channel::phone: return "phone";
    case channel::chat: return "chat";
    case channel::note: return "note";
  }
  return "email";
}

std::optional<channel> parse_channel(std::string_view s) {
  return parse_by_name(s, {channel::email, channel::phone, channel::chat, channel::note});
}

std::string_view to_string(direction d) {
  switch (d) {
    case direction::inbound: return "inbound";
    case direction::outbound: return "outbound";
    case direction::internal: return "internal";
  }
  return "inbound";
}

std::string_view to_string(priority p) {
  switch (p) {
    case priority::low: return "low";
    case priority::normal: return "normal";
    case priority::high: return "high";
    case priority::urgent: return "urgent";
  }
  return "normal";
}

std::optional<priority> parse_priority(std::string_view s) {
  return parse_by_name(s, {priority::low, priority::normal, priority::high, priority::urgent});
}

std::optional<std::string> normalize_tag(std::string_view raw) {
  while (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t')) raw.remove_prefix(1);
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
  if (raw.empty() || raw.size() > 64) return std::nullopt;
  std::string out;
  for (char c : raw) {
    const char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    const bool ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '_' || l == ':' || l == '.' || l == '-';
    if (!ok) return std::nullopt;
    out += l;
  }
  return out;
}

std::optional<std::string> source_of_external_id(std::string_view id) {
  const auto colon = id.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  auto system = id.substr(0, colon);
  system = system.substr(0, system.find('-'));
  return normalize_tag(system);
}

std::optional<std::string> status_change_refusal(ticket_status from, ticket_status to) {
  if (from == to) return std::nullopt;
  if (from == ticket_status::closed) return "a closed ticket is final; the customer's next message opens a follow-up";
  if (to == ticket_status::new_) return "a ticket cannot go back to new";
  return std::nullopt;
}

ticket_status status_after_inbound(ticket_status s) {
  switch (s) {
    case ticket_status::pending:
    case ticket_status::on_hold:
    case ticket_status::solved:
      return ticket_status::open;
    case ticket_status::new_:
    case ticket_status::open:
      return s;
    case ticket_status::closed:
      // Closed tickets are never reopened: threading starts a linked ticket
      // instead, so an inbound message cannot land here.
      return s;
  }
  return s;
}

}  // namespace helpdesk
