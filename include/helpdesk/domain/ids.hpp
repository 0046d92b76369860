#pragma once
#include <string_view>

namespace helpdesk {

// Ids are UUIDs in canonical text form. Anything else cannot name an object,
// so callers answer 404 without asking the database.
bool is_uuid(std::string_view s);

}  // namespace helpdesk
