#include "helpdesk/domain/outbound_mail.hpp"

#include <algorithm>

namespace helpdesk::mail_out {
namespace {

bool ascii_printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

std::string base64(std::string_view in) {
  static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += {table[(v >> 18) & 63], table[(v >> 12) & 63], table[(v >> 6) & 63], table[v & 63]};
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += {table[(v >> 18) & 63], table[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {table[(v >> 18) & 63], table[(v >> 12) & 63], table[(v >> 6) & 63], '='};
  }
  return out;
}

// Length of the UTF-8 sequence starting with byte c (1 for stray bytes).
std::size_t sequence_length(unsigned char c) {
  if (c >= 0xf0) return 4;
  if (c >= 0xe0) return 3;
  if (c >= 0xc0) return 2;
  return 1;
}

bool has_reply_prefix(std::string_view s) {
  std::string head(s.substr(0, 4));
  for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return head.rfind("re:", 0) == 0 || head.rfind("aw:", 0) == 0 || head.rfind("odp:", 0) == 0;
}

}  // namespace

std::string header_safe(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    const bool control = (static_cast<unsigned char>(c) < 0x20) || c == 0x7f;
    if (control) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string encode_words(std::string_view raw) {
  const std::string value = header_safe(raw);
  if (ascii_printable(value)) return value;
  // 75 characters per word: "=?UTF-8?B?" + "?=" leave 63 for base64, i.e. 45 bytes.
  constexpr std::size_t max_bytes = 45;
  std::string out;
  std::size_t i = 0;
  while (i < value.size()) {
    std::size_t end = i;
    while (end < value.size()) {
      const std::size_t len = sequence_length(static_cast<unsigned char>(value[end]));
      if (end + len - i > max_bytes) break;
      end += std::min(len, value.size() - end);
    }
    if (end == i) end = std::min(value.size(), i + max_bytes);
    if (!out.empty()) out += ' ';
    out += "=?UTF-8?B?" + base64(std::string_view(value).substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::string mailbox(std::string_view name, std::string_view address) {
  const std::string addr = header_safe(address);
  const std::string n = header_safe(name);
  if (n.empty()) return addr;
  if (!ascii_printable(n)) return encode_words(n) + " <" + addr + ">";
  std::string quoted = "\"";
  for (char c : n) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\" <" + addr + ">";
}

std::string reply_subject(std::string_view subject, std::string_view token) {
  const std::string clean = header_safe(subject);
  // Built by appending: g++ 12 warns falsely (-Wrestrict) on "literal" + string.
  std::string s;
  if (!has_reply_prefix(clean)) s.append("Re: ");
  s.append(clean);
  if (!token.empty() && s.find(token) == std::string::npos) s.append(" ").append(token);
  return s;
}

std::vector<std::string> reply_references(const std::vector<std::string>& parent_references, std::string_view parent_id,
                                          std::size_t limit) {
  std::vector<std::string> out;
  auto add = [&](const std::string& id) {
    const auto clean = header_safe(id);
    if (!clean.empty() && std::find(out.begin(), out.end(), clean) == out.end()) out.push_back(clean);
  };
  for (const auto& r : parent_references) add(r);
  if (!parent_id.empty()) add(std::string(parent_id));
  // Keep the thread's root and the newest ones.
  if (out.size() > limit && limit >= 2) out.erase(out.begin() + 1, out.end() - static_cast<std::ptrdiff_t>(limit - 1));
  return out;
}

}  // namespace helpdesk::mail_out
