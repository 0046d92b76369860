#pragma once
// Where a webhook may be delivered. Pure: the URL is read here, addresses are
// judged here as bytes; the delivery client resolves names and asks again
// about every address it got, so a name that resolves to a private address
// (or starts to, after registration) is refused too.
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace helpdesk::webhooks {

struct target_url {
  std::string scheme;  // "http" or "https"
  std::string host;    // lower case; an IPv6 literal without brackets
  std::uint16_t port = 0;
  std::string target;  // path and query, at least "/"
  bool ip_literal = false;
};

// An absolute http(s) URL without user info or fragment; otherwise the reason.
std::variant<target_url, std::string> parse_target_url(std::string_view url);

// Why an address must not be called (loopback, private, link-local, ...), or
// nullopt for a public address. IPv4-mapped and IPv4-compatible IPv6 forms
// are judged as the IPv4 address they carry.
std::optional<std::string> refused_ipv4(std::uint32_t address);
std::optional<std::string> refused_ipv6(const std::array<std::uint8_t, 16>& address);

// The registration check of a parsed URL: names such as "localhost",
// numeric host forms other than a plain dotted quad ("2130706433",
// "0x7f.1", "127.1"), and IP literals of refused ranges. Hosts on the
// allow-list (exact names or addresses, for development and tests) pass.
std::optional<std::string> refused_target(const target_url& url, const std::vector<std::string>& allowed_hosts);
bool host_allowed(std::string_view host, const std::vector<std::string>& allowed_hosts);

// Reads "a,b , c" into trimmed, lower-case host names.
std::vector<std::string> parse_allowed_hosts(std::string_view list);

// The wait before attempt `attempt` (2 = the first retry) after a failure:
// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (about 3 days in all),
// each stretched by up to +20 % of jitter (`jitter` in [0, 1)); nullopt once
// the schedule is exhausted and the delivery is given up.
std::optional<std::chrono::milliseconds> retry_delay(int attempt, double jitter);
inline constexpr int max_attempts = 10;

// The event types a subscription may ask for ("*" is all of them). Internal
// notes have no type here: they never leave for an integration.
const std::vector<std::string>& event_types();
bool wants(const std::vector<std::string>& subscribed, std::string_view type);

}  // namespace helpdesk::webhooks
