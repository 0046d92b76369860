#pragma once
// Parsing an enumeration by its text name (private to the domain module).
#include <initializer_list>
#include <optional>
#include <string_view>

namespace helpdesk::detail {

// Parsing goes through to_string (found next to each enum), so that the two
// can never disagree.
template <typename E>
std::optional<E> parse_by_name(std::string_view s, std::initializer_list<E> all) {
  for (E e : all)
    if (to_string(e) == s) return e;
  return std::nullopt;
}

}  // namespace helpdesk::detail
