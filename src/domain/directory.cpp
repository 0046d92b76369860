#include "helpdesk/domain/directory.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "helpdesk/domain/ascii.hpp"
#include "helpdesk/domain/locale_codes.hpp"

namespace helpdesk {
namespace {

bool is_slug(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!std::isalnum(static_cast<unsigned char>(s.front()))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool is_ticket_prefix(std::string_view s) {
  if (s.empty() || s.size() > 12) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

bool has_control_chars(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

void check_name(const std::optional<std::string>& name, std::vector<field_error>& out,
                std::size_t max_len = 200) {
  if (!name) return;
  if (name->empty() || name->size() > max_len || has_control_chars(*name))
    out.push_back({"/name", "must be 1 to " + std::to_string(max_len) +
                                " characters without control characters"});
}

void check_brand_fields(brand_fields& f, std::vector<field_error>& out) {
  check_name(f.name, out);
  if (f.slug && !is_slug(*f.slug))
    out.push_back({"/slug", "must be 1 to 63 characters of a-z, 0-9 and '-', starting with a letter or digit"});
  if (f.ticket_prefix && !is_ticket_prefix(*f.ticket_prefix))
    out.push_back({"/ticket_prefix", "must be 1 to 12 characters of A-Z and 0-9"});
  if (f.default_language && !is_language_code(*f.default_language))
    out.push_back({"/default_language", "'" + *f.default_language + "' is not an ISO 639-1 language code"});
  if (f.default_phone_region && !is_phone_region(*f.default_phone_region))
    out.push_back({"/default_phone_region",
                   "'" + *f.default_phone_region + "' is not a region code known to libphonenumber"});
  if (f.time_zone && !is_time_zone(*f.time_zone))
    out.push_back({"/time_zone", "'" + *f.time_zone + "' is not an IANA time zone"});
  if (f.inbound_addresses) {
    std::set<std::string> seen;
    auto& list = *f.inbound_addresses;
    if (list.size() > 50) out.push_back({"/inbound_addresses", "at most 50 addresses"});
    for (std::size_t i = 0; i < list.size(); ++i) {
      list[i] = lower_ascii(list[i]);
      std::string ptr = "/inbound_addresses/" + std::to_string(i);
      if (!is_plausible_email(list[i]))
        out.push_back({ptr, "'" + list[i] + "' is not an email address"});
      else if (!seen.insert(list[i]).second)
        out.push_back({ptr, "'" + list[i] + "' is listed twice"});
    }
  }
}

}  // namespace

std::string lower_ascii(std::string_view s) { return ascii::lower(s); }

bool is_plausible_email(std::string_view s) {
  if (s.size() < 3 || s.size() > 254 || has_control_chars(s)) return false;
  auto at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size()) return false;
  auto domain = s.substr(at + 1);
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' ||
      domain.back() == '.')
    return false;
  return std::none_of(s.begin(), s.end(), [](char c) {
    return c == ' ' || c == '<' || c == '>' || c == ',' || c == ';' || c == '"';
  });
}

std::vector<field_error> validate_new_brand(brand_fields& f) {
  std::vector<field_error> out;
  if (!f.name) out.push_back({"/name", "is required"});
  if (!f.slug) out.push_back({"/slug", "is required"});
  if (!f.default_language) f.default_language = "en";
  if (!f.default_phone_region) f.default_phone_region = "US";
  if (!f.time_zone) f.time_zone = "UTC";
  if (!f.inbound_addresses) f.inbound_addresses.emplace();
  if (!f.ticket_prefix && f.slug && is_slug(*f.slug)) {
    // The prefix customers see in subjects ([SHOP-1042]): the slug, upper-cased, without dashes.
    std::string p;
    for (char c : *f.slug)
      if (c != '-' && p.size() < 12) p += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    f.ticket_prefix = p;
  }
  check_brand_fields(f, out);
  return out;
}

std::vector<field_error> validate_brand_patch(brand_fields& f) {
  std::vector<field_error> out;
  check_brand_fields(f, out);
  return out;
}

std::string_view to_string(brand_membership m) {
  return m == brand_membership::primary ? "primary" : "backup";
}

std::optional<brand_membership> parse_brand_membership(std::string_view s) {
  if (s == "primary") return brand_membership::primary;
  if (s == "backup") return brand_membership::backup;
  return std::nullopt;
}

namespace {

void check_agent_fields(const agent_fields& f, std::vector<field_error>& out) {
  check_name(f.name, out);
  if (f.email && !is_plausible_email(*f.email))
    out.push_back({"/email", "is not an email address"});
  if (f.password && (f.password->size() < 10 || f.password->size() > 256))
    out.push_back({"/password", "must be 10 to 256 characters"});
  if (f.brands) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < f.brands->size(); ++i)
      if (!seen.insert((*f.brands)[i].brand_id).second)
        out.push_back({"/brands/" + std::to_string(i) + "/brand_id", "brand is listed twice"});
  }
  if (f.languages) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < f.languages->size(); ++i) {
      const auto& code = (*f.languages)[i].code;
      const std::string at = "/languages/" + std::to_string(i) + "/code";
      if (!is_language_code(code)) out.push_back({at, "must be an ISO 639-1 code such as pl"});
      else if (!seen.insert(code).second) out.push_back({at, "language is listed twice"});
    }
  }
  if (f.capacity)
    for (std::size_t c = 0; c < routing::work_channel_count; ++c)
      if ((*f.capacity)[c] < -1 || (*f.capacity)[c] > 1000)
        out.push_back({"/capacity/" + std::string(routing::to_string(static_cast<routing::work_channel>(c))),
                       "must be 0 to 1000"});
}

}  // namespace

std::vector<field_error> validate_new_agent(const agent_fields& f) {
  std::vector<field_error> out;
  if (!f.name) out.push_back({"/name", "is required"});
  if (!f.email) out.push_back({"/email", "is required"});
  if (!f.role_) out.push_back({"/role", "is required"});
  if (!f.password) out.push_back({"/password", "is required"});
  if (f.role_ == role::integration)
    out.push_back({"/role", "must be admin, manager or agent: integrations use API tokens"});
  check_agent_fields(f, out);
  return out;
}

std::vector<field_error> validate_agent_patch(const agent_fields& f) {
  std::vector<field_error> out;
  if (f.role_ == role::integration)
    out.push_back({"/role", "must be admin, manager or agent: integrations use API tokens"});
  check_agent_fields(f, out);
  return out;
}

principal scope_for_agent(const agent& a) {
  principal p;
  p.kind = credential_kind::session;
  p.agent_id = a.id;
  p.name = a.name;
  p.email = a.email;
  p.role_ = a.role_;
  for (const auto& b : a.brands) p.brand_ids.push_back(b.brand_id);
  p.all_brands = a.role_ == role::admin || (a.role_ == role::manager && a.brands.empty());
  return p;
}

}  // namespace helpdesk
