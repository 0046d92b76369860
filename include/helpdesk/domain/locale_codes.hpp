#pragma once
// Checks against the field's registries: ISO 639-1 languages, the regions
// libphonenumber knows, and the IANA zones of the system tz database.
#include <string_view>

namespace helpdesk {

bool is_language_code(std::string_view code);     // ISO 639-1, lower case ("cs")
bool is_phone_region(std::string_view region);    // ISO 3166-1 alpha-2 known to libphonenumber ("CZ")
bool is_time_zone(std::string_view zone);         // IANA name ("Europe/Prague")

}  // namespace helpdesk
