#pragma once
// Headers of the mail Helpdesk sends. Pure: whatever user data goes into a
// header is stripped of CR, LF and NUL first (no header injection), and
// non-ASCII display names and subjects become RFC 2047 encoded words.
#include <string>
#include <string_view>
#include <vector>

namespace helpdesk::mail_out {

// CR, LF, NUL and other control characters become spaces; runs of spaces collapse.
std::string header_safe(std::string_view value);
// The value as it may stand in a header: ASCII as is, otherwise UTF-8
// base64 encoded words ("=?UTF-8?B?...?=") of at most 75 characters each,
// split only between whole characters.
std::string encode_words(std::string_view value);
// "Name <addr>" with the name quoted or encoded as needed; the address alone
// when the name is empty.
std::string mailbox(std::string_view name, std::string_view address);
// "Re: <subject>" unless it already starts with a reply prefix, with the
// ticket token appended when missing.
std::string reply_subject(std::string_view subject, std::string_view token);
// References of a reply: the parent's references then the parent itself,
// without duplicates, at most `limit` (the oldest kept first, as RFC 5322 asks).
std::vector<std::string> reply_references(const std::vector<std::string>& parent_references,
                                          std::string_view parent_id, std::size_t limit = 20);

}  // namespace helpdesk::mail_out
