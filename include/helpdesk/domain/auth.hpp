#pragma once
// Who is calling and what they may see: roles and brand scope.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace helpdesk {

enum class role : std::uint8_t { admin, manager, agent, integration };

std::string_view to_string(role r);
std::optional<role> parse_role(std::string_view s);

// A small bit set of roles, used by the route table.
class role_set {
 public:
  constexpr role_set() = default;
  constexpr role_set(std::initializer_list<role> roles) {
    for (role r : roles) bits_ |= bit(r);
  }
  static constexpr role_set all() {
    return {role::admin, role::manager, role::agent, role::integration};
  }
  static constexpr role_set staff() { return {role::admin, role::manager, role::agent}; }
  constexpr bool contains(role r) const { return (bits_ & bit(r)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }

 private:
  static constexpr std::uint8_t bit(role r) { return std::uint8_t(1u << unsigned(r)); }
  std::uint8_t bits_ = 0;
};

enum class credential_kind : std::uint8_t { session, api_token };

// The authenticated caller. brand_ids is meaningful only when !all_brands.
struct principal {
  credential_kind kind = credential_kind::api_token;
  std::string credential_id;  // session id or token id
  std::string agent_id;       // empty for API tokens not bound to an agent
  std::string name;
  std::string email;
  role role_ = role::integration;
  bool all_brands = false;
  std::vector<std::string> brand_ids;

  bool can_see_brand(std::string_view brand_id) const;
};

}  // namespace helpdesk
