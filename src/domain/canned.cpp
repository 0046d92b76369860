#include "helpdesk/domain/canned.hpp"

#include <algorithm>

namespace helpdesk::canned {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

// Calls fn(name, begin, end) for each "{{ name }}" in the text.
template <class Fn>
void each_placeholder(std::string_view text, Fn fn) {
  std::size_t i = 0;
  while ((i = text.find("{{", i)) != std::string_view::npos) {
    const auto close = text.find("}}", i + 2);
    if (close == std::string_view::npos) return;
    fn(trim(text.substr(i + 2, close - i - 2)), i, close + 2);
    i = close + 2;
  }
}

}  // namespace

const std::vector<std::string>& placeholders() {
  static const std::vector<std::string> all = {"customer.name", "customer.first_name", "ticket.number",
                                               "ticket.subject", "agent.name",         "agent.first_name",
                                               "brand.name"};
  return all;
}

std::vector<std::string> unknown_placeholders(std::string_view text) {
  std::vector<std::string> out;
  const auto& known = placeholders();
  each_placeholder(text, [&](const std::string& name, std::size_t, std::size_t) {
    if (std::find(known.begin(), known.end(), name) == known.end() &&
        std::find(out.begin(), out.end(), name) == out.end())
      out.push_back(name);
  });
  return out;
}

std::string render(std::string_view text, const std::map<std::string, std::string>& values) {
  std::string out;
  std::size_t from = 0;
  each_placeholder(text, [&](const std::string& name, std::size_t begin, std::size_t end) {
    out.append(text.substr(from, begin - from));
    if (auto it = values.find(name); it != values.end()) out += it->second;
    from = end;
  });
  out.append(text.substr(from));
  return out;
}

std::string first_name(std::string_view full_name) {
  const auto name = trim(full_name);
  const auto space = name.find(' ');
  return space == std::string::npos ? name : name.substr(0, space);
}

}  // namespace helpdesk::canned
