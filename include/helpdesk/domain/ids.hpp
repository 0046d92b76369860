#pragma once
#include <chrono>
#include <string>
#include <string_view>

namespace helpdesk {

// Ids are UUIDs in canonical text form. Anything else cannot name an object,
// so callers answer 404 without asking the database.
bool is_uuid(std::string_view s);

// A new UUID version 7: time-ordered, so ids sort by creation and serve as
// keyset cursors, with 74 random bits (ids are generated before the insert,
// letting a transaction's statements be sent together).
std::string new_uuid_v7();

// The instant's millisecond followed by zeros: no version 7 id made at or
// after the instant sorts below it, and every one made before does. A bound
// of id ranges that stand for time ranges.
std::string uuid_v7_lower_bound(std::chrono::system_clock::time_point at);

}  // namespace helpdesk
