#pragma once
// Who a customer is, across channels: every identity an event carries is
// normalised here so that one person matches one card whatever the spelling.
#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace helpdesk {

enum class identity_kind {
  email,      // addr-spec, lower-cased
  phone,      // valid number in E.164 ("+420777123456")
  raw_phone,  // a caller id that is not a valid number: kept as written (trimmed), never guessed
  chat,       // chat handle, or a `client:`/`sip:` caller
  external,   // id in another system: Amazon buyer or order id, shop account id
};

std::string_view to_string(identity_kind k);
std::optional<identity_kind> parse_identity_kind(std::string_view s);

struct identity {
  identity_kind kind = identity_kind::email;
  std::string value;
  auto operator<=>(const identity&) const = default;
};

// "Jan Novák <JAN.Novak@Example.CZ>" -> "jan.novak@example.cz". Comments,
// quotes and display names are stripped; nullopt when no addr-spec is there.
std::optional<std::string> normalize_email(std::string_view raw);
// The display name of a mailbox ("Jan Novák" above), unquoted; empty if none.
std::string display_name(std::string_view raw_mailbox);

// A caller id as telephony sends it: a phone number in any spelling
// ("777 123 456", "+420 777 123 456", "00420777123456"), read with the
// brand's default region (ISO 3166 alpha-2), or a `client:`/`sip:` address,
// which is a chat-like handle. Nullopt for an empty or anonymous caller.
std::optional<identity> normalize_caller(std::string_view raw, std::string_view default_region);

// A chat handle, trimmed; nullopt when empty.
std::optional<identity> normalize_chat_handle(std::string_view raw);
// An external id ("amazon-order:302-1234567-1234567"), trimmed; nullopt when empty.
std::optional<identity> normalize_external_id(std::string_view raw);

// For search: the E.164 form of a query that reads as a phone number.
std::optional<std::string> phone_query(std::string_view q, std::string_view default_region);

}  // namespace helpdesk
