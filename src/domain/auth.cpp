#include "helpdesk/domain/auth.hpp"

#include <algorithm>

namespace helpdesk {

std::string_view to_string(role r) {
  switch (r) {
    case role::admin: return "admin";
    case role::manager: return "manager";
    case role::agent: return "agent";
    case role::integration: return "integration";
  }
  return "integration";
}

std::optional<role> parse_role(std::string_view s) {
  if (s == "admin") return role::admin;
  if (s == "manager") return role::manager;
  if (s == "agent") return role::agent;
  if (s == "integration") return role::integration;
  return std::nullopt;
}

bool principal::can_see_brand(std::string_view brand_id) const {
  if (all_brands) return true;
  return std::find(brand_ids.begin(), brand_ids.end(), brand_id) != brand_ids.end();
}

}  // namespace helpdesk
