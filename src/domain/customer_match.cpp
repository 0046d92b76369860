#include "helpdesk/domain/customer_match.hpp"

#include <algorithm>

namespace helpdesk {

customer_resolution resolve_customer(const std::vector<identity>& ids, const std::vector<identity_owner>& owners) {
  customer_resolution out;
  auto owner_of = [&](const identity& id) -> const std::string* {
    for (const auto& o : owners)
      if (o.id == id) return &o.customer_id;
    return nullptr;
  };
  for (const auto& id : ids) {
    if (std::count(ids.begin(), ids.begin() + (&id - ids.data()), id)) continue;  // repeated in the event
    const std::string* owner = owner_of(id);
    if (!owner) {
      out.to_attach.push_back(id);
    } else if (out.customer_id.empty()) {
      out.customer_id = *owner;
    } else if (*owner != out.customer_id &&
               std::find(out.suggestions.begin(), out.suggestions.end(), *owner) == out.suggestions.end()) {
      out.suggestions.push_back(*owner);
    }
  }
  return out;
}

}  // namespace helpdesk
