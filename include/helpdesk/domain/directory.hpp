#pragma once
// Brands and agents: the directory every other module refers to.
#include <optional>
#include <string>
#include <vector>

#include "helpdesk/domain/agent_routing.hpp"
#include "helpdesk/domain/auth.hpp"
#include "helpdesk/domain/error.hpp"
#include "helpdesk/domain/time.hpp"

namespace helpdesk {

struct brand {
  std::string id;
  std::string name;
  std::string slug;
  std::string ticket_prefix;
  std::string default_language;
  std::string default_phone_region;
  std::string time_zone;
  std::vector<std::string> inbound_addresses;
  timestamp created_at{};
  timestamp updated_at{};
};

// Every field optional: a PATCH names only what changes; a create must fill
// the required ones (checked by validate_new_brand).
struct brand_fields {
  std::optional<std::string> name, slug, ticket_prefix, default_language,
      default_phone_region, time_zone;
  std::optional<std::vector<std::string>> inbound_addresses;
};

std::vector<field_error> validate_new_brand(brand_fields& f);  // fills defaults
std::vector<field_error> validate_brand_patch(brand_fields& f);

enum class brand_membership { primary, backup };
std::string_view to_string(brand_membership m);
std::optional<brand_membership> parse_brand_membership(std::string_view s);

struct agent_brand {
  std::string brand_id;
  brand_membership membership = brand_membership::primary;
};

struct agent {
  std::string id;
  std::string name;
  std::string email;
  role role_ = role::agent;
  bool active = true;
  std::vector<agent_brand> brands;
  std::vector<routing::agent_language> languages;
  std::vector<std::string> skills;
  routing::per_channel capacity{25, 3, 1};
  routing::presence presence = routing::presence::offline;
  timestamp presence_since{};
  timestamp created_at{};
  timestamp updated_at{};
};

struct agent_fields {
  std::optional<std::string> name, email, password;
  std::optional<role> role_;
  std::optional<bool> active;
  std::optional<std::vector<agent_brand>> brands;
  std::optional<std::vector<routing::agent_language>> languages;
  std::optional<std::vector<std::string>> skills;  // normalised like tags
  std::optional<routing::per_channel> capacity;  // -1: that channel's capacity stays
};

std::vector<field_error> validate_new_agent(const agent_fields& f);
std::vector<field_error> validate_agent_patch(const agent_fields& f);

// Syntax check of an addr-spec (local@domain); deliberately plain, since the
// real test of an address is whether mail arrives.
bool is_plausible_email(std::string_view s);
std::string lower_ascii(std::string_view s);

// Visibility rules shared by services: which brands a principal sees.
// Admins see all; managers see their brands, or all when they have none;
// agents see exactly their brands.
principal scope_for_agent(const agent& a);

}  // namespace helpdesk
