#pragma once
// Which customer an event belongs to, given the identities it carries and
// the customers those identities already name. Two different customers are
// never merged silently: the event goes to the first match and the others
// become merge suggestions for a person to confirm.
#include <string>
#include <vector>

#include "helpdesk/domain/identity.hpp"

namespace helpdesk {

struct identity_owner {
  identity id;
  std::string customer_id;
};

struct customer_resolution {
  std::string customer_id;               // empty: create a new customer
  std::vector<identity> to_attach;       // identities nobody owns yet, to add to the customer
  std::vector<std::string> suggestions;  // other customers the event also named
};

// ids: the event's identities, most decisive first (e.g. the sender's email
// before an order id); owners: the stored owners of any of them.
customer_resolution resolve_customer(const std::vector<identity>& ids, const std::vector<identity_owner>& owners);

}  // namespace helpdesk
