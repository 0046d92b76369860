#include "helpdesk/domain/identity.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <array>
#include <cstddef>

#include "helpdesk/domain/ascii.hpp"

namespace helpdesk {

namespace {

using namespace ascii;



// --- mailbox parsing -------------------------------------------------------

// A mailbox split into its display-name text and its addr-spec text. Quoted
// strings are unescaped into the name; comments are collected separately so
// that the old "addr (Name)" form can still yield a name.
struct mailbox_parts {
  std::string name;     // display name, comments removed, quotes resolved
  std::string addr;     // raw addr-spec (inside <> when present)
  std::string comment;  // text of the first top-level comment
  bool angle = false;
};

mailbox_parts split_mailbox(std::string_view raw) {
  mailbox_parts out;
  std::string outside;  // text outside <> with comments removed
  bool first_comment = true;
  std::size_t i = 0;
  while (i < raw.size()) {
    char c = raw[i];
    if (c == '"') {
      // Quoted string: kept (with quotes) so the addr-spec can still see a
      // quoted local part; the display name unquotes it later.
      std::size_t j = i + 1;
      std::string text = "\"";
      while (j < raw.size() && raw[j] != '"') {
        if (raw[j] == '\\' && j + 1 < raw.size()) text += raw[j++];
        text += raw[j++];
      }
      text += '"';
      (out.angle ? out.addr : outside) += text;
      i = j + 1;
    } else if (c == '(') {
      int depth = 1;
      std::size_t j = i + 1;
      std::string text;
      while (j < raw.size() && depth > 0) {
        if (raw[j] == '\\' && j + 1 < raw.size()) {
          text += raw[j + 1];
          j += 2;
          continue;
        }
        if (raw[j] == '(') ++depth;
        if (raw[j] == ')' && --depth == 0) break;
        text += raw[j++];
      }
      if (first_comment) out.comment = std::string(trim(text));
      first_comment = false;
      // A comment separates tokens like whitespace does.
      (out.angle ? out.addr : outside) += ' ';
      i = j + 1;
    } else if (c == '<' && !out.angle) {
      out.angle = true;
      out.name = outside;
      outside.clear();
      ++i;
    } else if (c == '>' && out.angle) {
      // Anything after the angle address (a trailing comment, junk) is ignored.
      break;
    } else {
      (out.angle ? out.addr : outside) += c;
      ++i;
    }
  }
  if (!out.angle) out.addr = outside;
  return out;
}

bool is_atext(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x80) return true;  // UTF-8 (RFC 6532)
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  static constexpr std::string_view specials = "!#$%&'*+-/=?^_`{|}~";
  return specials.find(c) != std::string_view::npos;
}

bool is_dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (s[i + 1] == '.') return false;
    } else if (!is_atext(s[i])) {
      return false;
    }
  }
  return true;
}

std::optional<std::string> normalize_local(std::string_view local) {
  if (local.size() >= 2 && local.front() == '"' && local.back() == '"') {
    std::string inner;
    for (std::size_t i = 1; i + 1 < local.size(); ++i) {
      if (local[i] == '\\' && i + 2 < local.size()) ++i;
      inner += local[i];
    }
    if (inner.empty()) return std::nullopt;
    // "jan.novak"@x and jan.novak@x are the same mailbox; keep quotes only
    // when the local part cannot be written without them.
    if (is_dot_atom(inner)) return lower(inner);
    return lower(local);
  }
  if (!is_dot_atom(local)) return std::nullopt;
  return lower(local);
}

std::optional<std::string> normalize_domain(std::string_view domain) {
  if (domain.size() >= 2 && domain.front() == '[' && domain.back() == ']') {
    for (char c : domain.substr(1, domain.size() - 2))
      if (is_space(c) || c == '[' || c == ']' || c == '\\') return std::nullopt;
    return lower(domain);
  }
  if (!is_dot_atom(domain)) return std::nullopt;
  return lower(domain);
}

std::string collapse_spaces(std::string_view s) {
  std::string out;
  bool pending = false;
  for (char c : trim(s)) {
    if (is_space(c)) {
      pending = true;
      continue;
    }
    if (pending && !out.empty()) out += ' ';
    pending = false;
    out += c;
  }
  return out;
}

// --- phone numbers ----------------------------------------------------------

// Caller ids and search queries are digits with punctuation. Anything with
// letters is not read as a number at all: libphonenumber would happily skip
// leading text or map vanity letters to digits, which is guessing.
bool looks_like_phone_text(std::string_view s) {
  bool digit = false;
  bool plus = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c == '+') {
      // "+420 ..." and "(+420) ...": the plus may only lead the digits.
      if (digit || plus) return false;
      plus = true;
    } else if (!(c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\t')) {
      return false;
    }
  }
  return digit;
}

std::optional<std::string> to_e164(std::string_view text, std::string_view region) {
  if (!looks_like_phone_text(text)) return std::nullopt;
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  std::string reg;
  for (char c : trim(region)) reg += ascii_upper(c);
  if (reg.empty()) reg = "ZZ";  // unknown region: only "+" numbers can parse
  PhoneNumber pn;
  if (util.Parse(std::string(text), reg, &pn) != PhoneNumberUtil::NO_PARSING_ERROR) return std::nullopt;
  if (!util.IsValidNumber(pn)) return std::nullopt;
  std::string out;
  util.Format(pn, PhoneNumberUtil::E164, &out);
  return out;
}

bool is_anonymous_word(std::string_view s) {
  static constexpr std::array<std::string_view, 7> words = {
      "anonymous", "unknown", "restricted", "private", "withheld", "unavailable", "blocked"};
  for (auto w : words)
    if (iequals(s, w)) return true;
  return false;
}

std::optional<identity> sip_identity(std::string_view uri) {
  // "sip:alice@example.com;transport=udp?subject=x": URI parameters and
  // headers describe the route, not the person.
  std::size_t colon = uri.find(':');
  std::string scheme = lower(uri.substr(0, colon));
  std::string_view rest = uri.substr(colon + 1);
  std::size_t at = rest.find('@');
  std::size_t cut = rest.find_first_of(";?", at == std::string_view::npos ? 0 : at);
  if (cut != std::string_view::npos) rest = rest.substr(0, cut);
  rest = trim(rest);
  if (rest.empty()) return std::nullopt;
  at = rest.find('@');
  std::string_view user = at == std::string_view::npos ? std::string_view{} : rest.substr(0, at);
  // RFC 3323 anonymity: "sip:anonymous@anonymous.invalid".
  if (is_anonymous_word(user) || (at != std::string_view::npos && (user.empty() || at + 1 == rest.size())))
    return std::nullopt;
  std::string value = scheme + ":";
  if (at == std::string_view::npos) {
    value += lower(rest);
  } else {
    // The user part of a SIP URI is case-sensitive; the host is not.
    value += std::string(user) + "@" + lower(rest.substr(at + 1));
  }
  return identity{identity_kind::chat, std::move(value)};
}

}  // namespace

std::string_view to_string(identity_kind k) {
  switch (k) {
    case identity_kind::email: return "email";
    case identity_kind::phone: return "phone";
    case identity_kind::raw_phone: return "raw_phone";
    case identity_kind::chat: return "chat";
    case identity_kind::external: return "external";
  }
  return "email";
}

std::optional<identity_kind> parse_identity_kind(std::string_view s) {
  for (auto k : {identity_kind::email, identity_kind::phone, identity_kind::raw_phone, identity_kind::chat,
                 identity_kind::external})
    if (to_string(k) == s) return k;
  return std::nullopt;
}

std::optional<std::string> normalize_email(std::string_view raw) {
  mailbox_parts parts = split_mailbox(raw);
  std::string_view addr = trim(parts.addr);
  // Obsolete source route "<@relay.example:jan@example.cz>".
  if (parts.angle && !addr.empty() && addr.front() == '@') {
    std::size_t colon = addr.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    addr = trim(addr.substr(colon + 1));
  }
  if (addr.size() > 7 && istarts_with(addr, "mailto:")) addr = trim(addr.substr(7));
  // The '@' that splits is the last one outside a quoted local part.
  std::size_t at = addr.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  auto local = normalize_local(trim(addr.substr(0, at)));
  auto domain = normalize_domain(trim(addr.substr(at + 1)));
  if (!local || !domain) return std::nullopt;
  return *local + "@" + *domain;
}

std::string display_name(std::string_view raw_mailbox) {
  mailbox_parts parts = split_mailbox(raw_mailbox);
  std::string name;
  if (parts.angle) {
    // Unquote: the quotes were kept by split_mailbox, escapes already resolved.
    for (std::size_t i = 0; i < parts.name.size(); ++i) {
      if (parts.name[i] == '"') continue;
      if (parts.name[i] == '\\' && i + 1 < parts.name.size()) ++i;
      name += parts.name[i];
    }
  } else {
    // "jan@example.cz (Jan Novák)": the comment is the only name there is.
    name = parts.comment;
  }
  name = collapse_spaces(name);
  // Outlook quotes some names as 'Jan Novák'.
  if (name.size() >= 2 && name.front() == '\'' && name.back() == '\'')
    name = collapse_spaces(std::string_view(name).substr(1, name.size() - 2));
  return name;
}

std::optional<identity> normalize_caller(std::string_view raw, std::string_view default_region) {
  std::string_view text = trim(raw);
  if (text.empty() || is_anonymous_word(text)) return std::nullopt;
  // SIP From headers arrive as '"Alice" <sip:alice@example.com>;tag=1'.
  if (std::size_t lt = text.find('<'); lt != std::string_view::npos) {
    std::size_t gt = text.find('>', lt);
    std::string_view inner = trim(text.substr(lt + 1, gt == std::string_view::npos ? gt : gt - lt - 1));
    if (!inner.empty()) text = inner;
    if (is_anonymous_word(text)) return std::nullopt;
  }
  if (istarts_with(text, "sip:") || istarts_with(text, "sips:")) return sip_identity(text);
  if (istarts_with(text, "client:")) {
    std::string_view handle = trim(text.substr(7));
    if (handle.empty()) return std::nullopt;
    return identity{identity_kind::chat, "client:" + std::string(handle)};
  }
  if (istarts_with(text, "tel:")) {
    // RFC 3966: "tel:+420777123456;phone-context=..."; the parameters are routing.
    std::string_view number = trim(text.substr(4));
    number = trim(number.substr(0, number.find(';')));
    if (number.empty() || is_anonymous_word(number)) return std::nullopt;
    if (auto e164 = to_e164(number, default_region)) return identity{identity_kind::phone, *e164};
    return identity{identity_kind::raw_phone, std::string(text)};
  }
  if (auto e164 = to_e164(text, default_region)) return identity{identity_kind::phone, *e164};
  return identity{identity_kind::raw_phone, std::string(text)};
}

std::optional<identity> normalize_chat_handle(std::string_view raw) {
  std::string_view text = trim(raw);
  if (text.empty()) return std::nullopt;
  return identity{identity_kind::chat, std::string(text)};
}

std::optional<identity> normalize_external_id(std::string_view raw) {
  std::string_view text = trim(raw);
  if (text.empty()) return std::nullopt;
  return identity{identity_kind::external, std::string(text)};
}

std::optional<std::string> phone_query(std::string_view q, std::string_view default_region) {
  return to_e164(trim(q), default_region);
}

}  // namespace helpdesk
