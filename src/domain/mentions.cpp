#include "helpdesk/domain/mentions.hpp"

#include <algorithm>
#include <cctype>

#include "helpdesk/domain/identity.hpp"

namespace helpdesk {
namespace {

bool address_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' ||
         c == '@';
}

int delivery_rank(std::string_view s) {
  if (s == "queued" || s.empty()) return 0;
  if (s == "sent") return 1;
  if (s == "delivered") return 2;
  return 3;  // failed, bounced: final
}

}  // namespace

std::vector<std::string> mentioned_addresses(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '@') continue;
    if (i > 0 && address_char(text[i - 1])) continue;  // the middle of an address, not a mention
    std::size_t end = i + 1;
    while (end < text.size() && address_char(text[end])) ++end;
    auto token = text.substr(i + 1, end - i - 1);
    while (!token.empty() && (token.back() == '.' || token.back() == '-')) token.remove_suffix(1);
    if (token.find('@') != std::string_view::npos) {
      if (auto a = normalize_email(token); a && std::find(out.begin(), out.end(), *a) == out.end()) out.push_back(*a);
    }
    i = end - 1;
  }
  return out;
}

bool delivery_advances(std::string_view from, std::string_view to) {
  const int a = delivery_rank(from), b = delivery_rank(to);
  return b > a;
}

}  // namespace helpdesk
