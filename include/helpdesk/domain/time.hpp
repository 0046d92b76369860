#pragma once
// Instants are UTC microseconds; formatting follows RFC 3339 with a `Z`.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace helpdesk {

using timestamp = std::chrono::sys_time<std::chrono::microseconds>;

std::string format_rfc3339(timestamp t);
std::optional<timestamp> parse_rfc3339(std::string_view s);
timestamp from_unix_micros(long long us);
long long to_unix_micros(timestamp t);
timestamp now_utc();

}  // namespace helpdesk
