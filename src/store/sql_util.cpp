#include "sql_util.hpp"

#include <nlohmann/json.hpp>

#include "helpdesk/domain/ids.hpp"

namespace helpdesk::store::sql {

std::string uuid_array(const std::vector<std::string>& ids) {
  std::string out = "{";
  bool first = true;
  for (const auto& id : ids) {
    if (!is_uuid(id)) continue;  // never reaches SQL unvalidated
    if (!first) out += ',';
    out += id;
    first = false;
  }
  return out + "}";
}

std::string text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      if (c != '\0') out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::vector<std::string> parse_text_array(const pqxx::field& f) {
  if (f.is_null()) return {};
  return nlohmann::json::parse(f.c_str()).get<std::vector<std::string>>();
}

}  // namespace helpdesk::store::sql
