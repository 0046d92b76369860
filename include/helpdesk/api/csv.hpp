#pragma once
// RFC 4180 CSV for report exports (used by the report handlers).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace helpdesk::api::csv {

// One field: quoted when it holds a comma, quote, CR or LF. Text that a
// spreadsheet would run as a formula (= + - @, tab, CR first) is prefixed
// with an apostrophe: exports are opened by clients in Excel.
std::string field(const std::string& text);
// A CRLF-terminated line of fields.
std::string line(const std::vector<std::string>& cells);
// A header of `columns`, then one line per row; a column "a.b" reads row["a"]["b"].
// Numbers and booleans are written as they are, null as an empty field.
std::string table(const nlohmann::json& rows, const std::vector<std::string>& columns);

}  // namespace helpdesk::api::csv
