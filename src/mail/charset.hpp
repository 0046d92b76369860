#pragma once
// Private to src/mail: turning bytes of any (claimed) charset into UTF-8.
// Mail lies about charsets often enough that none of these may fail.
#include <string>
#include <string_view>

namespace helpdesk::mail::detail {

bool is_valid_utf8(std::string_view bytes);

// Keeps every well-formed UTF-8 sequence and reads each remaining byte as
// windows-1252, so mixed or mislabelled text still comes out readable. NUL
// characters are dropped: no consumer (PostgreSQL text, JSON) wants them.
std::string repair_utf8(std::string_view bytes);

// Decodes text declared as `charset` (a MIME charset label, possibly empty,
// unknown or wrong). The result is always valid UTF-8 without NULs.
std::string decode_to_utf8(std::string_view bytes, std::string_view charset);

}  // namespace helpdesk::mail::detail
