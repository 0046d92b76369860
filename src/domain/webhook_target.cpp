#include "helpdesk/domain/webhook_target.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "helpdesk/domain/ascii.hpp"

namespace helpdesk::webhooks {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A plain dotted quad: four decimal parts 0..255 without leading zeros.
std::optional<std::uint32_t> dotted_quad(std::string_view s) {
  std::uint32_t value = 0;
  int parts = 0;
  std::size_t i = 0;
  while (parts < 4) {
    std::size_t j = i;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
    if (j == i || j - i > 3 || (j - i > 1 && s[i] == '0')) return std::nullopt;
    unsigned part = 0;
    std::from_chars(s.data() + i, s.data() + j, part);
    if (part > 255) return std::nullopt;
    value = (value << 8) | part;
    ++parts;
    if (parts < 4) {
      if (j >= s.size() || s[j] != '.') return std::nullopt;
      i = j + 1;
    } else if (j != s.size()) {
      return std::nullopt;
    }
  }
  return value;
}

// Hosts a resolver or browser would read as a number although they are not
// a plain dotted quad: "2130706433", "0x7f000001", "0177.0.0.1", "127.1".
bool numeric_form(std::string_view host) {
  if (host.empty() || !std::isdigit(static_cast<unsigned char>(host[0]))) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'x';
  }) && !dotted_quad(host);
}

std::optional<std::array<std::uint8_t, 16>> parse_ipv6(std::string_view s) {
  std::array<std::uint8_t, 16> out{};
  std::vector<std::uint16_t> head, tail;
  bool gap = false;
  auto* part = &head;
  std::size_t i = 0;
  if (s.substr(0, 2) == "::") {
    gap = true;
    part = &tail;
    i = 2;
  }
  std::optional<std::uint32_t> v4;
  while (i < s.size()) {
    std::size_t j = s.find(':', i);
    const auto piece = s.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
    if (piece.find('.') != std::string_view::npos) {
      if (j != std::string_view::npos) return std::nullopt;
      v4 = dotted_quad(piece);
      if (!v4) return std::nullopt;
      break;
    }
    if (piece.empty() || piece.size() > 4) return std::nullopt;
    unsigned v = 0;
    for (char c : piece) {
      if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
      v = v * 16 + static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10);
    }
    part->push_back(static_cast<std::uint16_t>(v));
    if (j == std::string_view::npos) break;
    if (j + 1 < s.size() && s[j + 1] == ':') {
      if (gap) return std::nullopt;
      gap = true;
      part = &tail;
      i = j + 2;
      if (i == s.size()) break;
    } else {
      i = j + 1;
      if (i == s.size()) return std::nullopt;
    }
  }
  const std::size_t groups = head.size() + tail.size() + (v4 ? 2 : 0);
  if (groups > 8 || (!gap && groups != 8) || (gap && groups == 8)) return std::nullopt;
  std::vector<std::uint16_t> all = head;
  all.resize(8 - tail.size() - (v4 ? 2 : 0), 0);
  all.insert(all.end(), tail.begin(), tail.end());
  if (v4) {
    all.push_back(static_cast<std::uint16_t>(*v4 >> 16));
    all.push_back(static_cast<std::uint16_t>(*v4 & 0xffff));
  }
  for (std::size_t k = 0; k < 8; ++k) {
    out[2 * k] = static_cast<std::uint8_t>(all[k] >> 8);
    out[2 * k + 1] = static_cast<std::uint8_t>(all[k] & 0xff);
  }
  return out;
}

bool in(std::uint32_t a, std::uint32_t net, int bits) {
  const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
  return (a & mask) == (net & mask);
}

}  // namespace

std::variant<target_url, std::string> parse_target_url(std::string_view url) {
  if (url.size() > 2000) return std::string("The URL is longer than 2000 characters.");
  for (unsigned char c : url)
    if (c <= 0x20 || c >= 0x7f) return std::string("The URL contains spaces, control or non-ASCII characters.");
  target_url out;
  const auto colon = url.find("://");
  if (colon == std::string_view::npos) return std::string("The URL must be absolute (http:// or https://).");
  out.scheme = lower(url.substr(0, colon));
  if (out.scheme != "http" && out.scheme != "https") return std::string("Only http and https URLs can receive webhooks.");
  auto rest = url.substr(colon + 3);
  if (rest.find('#') != std::string_view::npos) return std::string("The URL must not have a fragment.");
  const auto slash = rest.find_first_of("/?");
  auto authority = rest.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (out.target[0] == '?') out.target = "/" + out.target;
  if (authority.find('@') != std::string_view::npos) return std::string("The URL must not carry user information.");
  out.port = out.scheme == "https" ? 443 : 80;
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    const auto end = authority.find(']');
    if (end == std::string_view::npos) return std::string("The IPv6 address of the URL is not closed with ']'.");
    host = authority.substr(1, end - 1);
    auto after = authority.substr(end + 1);
    if (!after.empty()) {
      if (after[0] != ':') return std::string("Unexpected text after the IPv6 address of the URL.");
      port = after.substr(1);
    }
    if (!parse_ipv6(host)) return std::string("The IPv6 address of the URL is not valid.");
    out.ip_literal = true;
  } else if (const auto c = authority.rfind(':'); c != std::string_view::npos) {
    host = authority.substr(0, c);
    port = authority.substr(c + 1);
  }
  if (!port.empty() || authority.back() == ':') {
    unsigned p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || p == 0 || p > 65535)
      return std::string("The port of the URL is not a number from 1 to 65535.");
    out.port = static_cast<std::uint16_t>(p);
  }
  if (host.empty()) return std::string("The URL has no host.");
  out.host = lower(host);
  if (!out.ip_literal) {
    if (out.host.back() == '.') out.host.pop_back();  // "example.com." is example.com
    for (char c : out.host)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_'))
        return std::string("The host of the URL is not a valid name.");
    out.ip_literal = dotted_quad(out.host).has_value();
  }
  return out;
}

std::optional<std::string> refused_ipv4(std::uint32_t a) {
  struct range {
    std::uint32_t net;
    int bits;
    const char* why;
  };
  static const range ranges[] = {
      {0x00000000, 8, "a 'this network' address (0.0.0.0/8)"},
      {0x0a000000, 8, "a private address (10.0.0.0/8)"},
      {0x64400000, 10, "a shared carrier-grade NAT address (100.64.0.0/10)"},
      {0x7f000000, 8, "a loopback address (127.0.0.0/8)"},
      {0xa9fe0000, 16, "a link-local address (169.254.0.0/16)"},
      {0xac100000, 12, "a private address (172.16.0.0/12)"},
      {0xc0000000, 24, "an IETF protocol address (192.0.0.0/24)"},
      {0xc0a80000, 16, "a private address (192.168.0.0/16)"},
      {0xc6120000, 15, "a benchmarking address (198.18.0.0/15)"},
      {0xe0000000, 4, "a multicast address (224.0.0.0/4)"},
      {0xf0000000, 4, "a reserved address (240.0.0.0/4)"},
  };
  for (const auto& r : ranges)
    if (in(a, r.net, r.bits)) return std::string(r.why);
  return std::nullopt;
}

std::optional<std::string> refused_ipv6(const std::array<std::uint8_t, 16>& a) {
  const bool first10_zero = std::all_of(a.begin(), a.begin() + 10, [](std::uint8_t b) { return b == 0; });
  const std::uint32_t low = (std::uint32_t{a[12]} << 24) | (std::uint32_t{a[13]} << 16) | (std::uint32_t{a[14]} << 8) | a[15];
  if (first10_zero && a[10] == 0xff && a[11] == 0xff) return refused_ipv4(low);  // ::ffff:a.b.c.d
  if (first10_zero && a[10] == 0 && a[11] == 0) {
    if (low == 0) return std::string("the unspecified address (::)");
    if (low == 1) return std::string("a loopback address (::1)");
    return refused_ipv4(low);  // the deprecated ::a.b.c.d form
  }
  if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b) return refused_ipv4(low);  // NAT64 64:ff9b::/96
  if ((a[0] & 0xfe) == 0xfc) return std::string("a unique-local address (fc00::/7)");
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return std::string("a link-local address (fe80::/10)");
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) return std::string("a site-local address (fec0::/10)");
  if (a[0] == 0xff) return std::string("a multicast address (ff00::/8)");
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) return std::string("a documentation address (2001:db8::/32)");
  return std::nullopt;
}

bool host_allowed(std::string_view host, const std::vector<std::string>& allowed_hosts) {
  const auto h = lower(host);
  return std::find(allowed_hosts.begin(), allowed_hosts.end(), h) != allowed_hosts.end();
}

std::optional<std::string> refused_target(const target_url& url, const std::vector<std::string>& allowed_hosts) {
  if (host_allowed(url.host, allowed_hosts)) return std::nullopt;
  const auto refuse = [&](const std::string& why) { return "The host " + url.host + " is " + why + "."; };
  if (url.host == "localhost" || (url.host.size() > 10 && url.host.ends_with(".localhost")))
    return refuse("a loopback name");
  if (numeric_form(url.host)) return refuse("a numeric form of an address; write it as a dotted quad");
  if (url.host.find('.') == std::string::npos && !url.ip_literal && url.host.find(':') == std::string::npos)
    return refuse("a single-label name that only resolves on a local network");
  if (url.host.ends_with(".local") || url.host.ends_with(".internal")) return refuse("a local-network name");
  if (auto v4 = dotted_quad(url.host)) {
    if (auto why = refused_ipv4(*v4)) return refuse(*why);
    return std::nullopt;
  }
  if (auto v6 = parse_ipv6(url.host)) {
    if (auto why = refused_ipv6(*v6)) return refuse(*why);
  }
  return std::nullopt;
}

std::vector<std::string> parse_allowed_hosts(std::string_view list) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= list.size()) {
    auto j = list.find(',', i);
    if (j == std::string_view::npos) j = list.size();
    auto item = list.substr(i, j - i);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.remove_prefix(1);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.remove_suffix(1);
    if (item.size() > 2 && item.front() == '[' && item.back() == ']') item = item.substr(1, item.size() - 2);
    if (!item.empty()) out.push_back(lower(item));
    i = j + 1;
  }
  return out;
}

std::optional<std::chrono::milliseconds> retry_delay(int attempt, double jitter) {
  using namespace std::chrono;
  static const seconds schedule[] = {seconds(5), minutes(5), minutes(30), hours(2), hours(5),
                                     hours(10),  hours(14),  hours(20),   hours(24)};
  const int index = attempt - 2;
  if (index < 0 || index >= static_cast<int>(std::size(schedule))) return std::nullopt;
  const auto base = duration_cast<milliseconds>(schedule[index]);
  const double j = std::clamp(jitter, 0.0, 1.0);
  return milliseconds(base.count() + static_cast<long long>(static_cast<double>(base.count()) * 0.2 * j));
}

const std::vector<std::string>& event_types() {
  static const std::vector<std::string> all = {
      "ticket.created",  "ticket.updated", "ticket.assigned", "ticket.merged",      "message.created",
      "message.updated", "message.outbound", "message.delivery", "sla.warning",     "sla.breached",
      "sla.escalated",   "callback.requested", "customer.merged"};
  return all;
}

bool wants(const std::vector<std::string>& subscribed, std::string_view type) {
  return std::any_of(subscribed.begin(), subscribed.end(), [&](const std::string& s) { return s == "*" || s == type; });
}

}  // namespace helpdesk::webhooks
