#include "helpdesk/http/router.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace helpdesk::http {

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex(s[i + 1]);
      int lo = hex(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i] == '+' ? ' ' : s[i];
  }
  return out;
}

void router::add(route r) {
  r.segments = split_path(r.path);
  r.literal_segments = static_cast<std::size_t>(std::count_if(
      r.segments.begin(), r.segments.end(), [](const std::string& s) { return s.empty() || s.front() != '{'; }));
  auto shape = [](const std::vector<std::string>& segs) {
    std::vector<std::string> out;
    for (const auto& s : segs) out.push_back(!s.empty() && s.front() == '{' ? "{}" : s);
    return out;
  };
  for (const auto& existing : routes_)
    if (existing.method == r.method && shape(existing.segments) == shape(r.segments))
      throw std::logic_error("route registered twice: " + r.path);
  r.index = routes_.size();
  routes_.push_back(std::move(r));
}

namespace {

// Splits without allocating: a request path has few segments, and those
// beyond the longest route cannot match anyway.
struct path_parts {
  static constexpr std::size_t max = 16;
  std::array<std::string_view, max> items;
  std::size_t size = 0;
  bool overflow = false;
};

path_parts split_view(std::string_view path) {
  path_parts out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    auto j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (out.size == path_parts::max) {
      out.overflow = true;
      break;
    }
    out.items[out.size++] = path.substr(i, j - i);
    i = j;
  }
  return out;
}

}  // namespace

std::vector<std::string> split_path(std::string_view path) {
  const auto parts = split_view(path);
  return {parts.items.begin(), parts.items.begin() + static_cast<std::ptrdiff_t>(parts.size)};
}

namespace {

bool segments_match(const route& r, const path_parts& parts, std::vector<std::pair<std::string, std::string>>* params) {
  if (parts.overflow || r.segments.size() != parts.size) return false;
  for (std::size_t i = 0; i < parts.size; ++i) {
    const auto& seg = r.segments[i];
    if (!seg.empty() && seg.front() == '{') {
      if (params) params->emplace_back(seg.substr(1, seg.size() - 2), percent_decode(parts.items[i]));
    } else if (seg != parts.items[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

match_result router::match(bhttp::verb method, std::string_view path) const {
  match_result out;
  const auto parts = split_view(path);
  const route* best = nullptr;
  for (const auto& r : routes_) {
    if (!segments_match(r, parts, nullptr)) continue;
    out.path_exists = true;
    if (std::find(out.allowed.begin(), out.allowed.end(), r.method) == out.allowed.end())
      out.allowed.push_back(r.method);
    // A literal segment beats a parameter: /agents/me wins over /agents/{id}.
    if (r.method == method && (!best || r.literal_segments > best->literal_segments)) best = &r;
  }
  if (best) {
    out.found = best;
    segments_match(*best, parts, &out.params);
  }
  return out;
}

std::string_view request_context::path() const {
  std::string_view t = req.target();
  auto q = t.find('?');
  return q == std::string_view::npos ? t : t.substr(0, q);
}

std::string_view request_context::param(std::string_view name) const {
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return {};
}

std::vector<std::pair<std::string, std::string>> request_context::query_params() const {
  std::vector<std::pair<std::string, std::string>> out;
  std::string_view t = req.target();
  auto q = t.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view rest = t.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    auto eq = pair.find('=');
    if (!pair.empty())
      out.emplace_back(percent_decode(pair.substr(0, eq)),
                       eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return out;
}

std::optional<std::string> request_context::query(std::string_view name) const {
  for (auto& [k, v] : query_params())
    if (k == name) return std::move(v);
  return std::nullopt;
}

}  // namespace helpdesk::http
