#include "helpdesk/api/csv.hpp"

namespace helpdesk::api::csv {
namespace {

std::string cell(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return field(v.get<std::string>());
  if (v.is_number_float()) {
    std::string s = v.dump();
    return s;
  }
  return v.dump();  // integers and booleans
}

const nlohmann::json* at_path(const nlohmann::json& row, const std::string& column) {
  const nlohmann::json* cur = &row;
  std::size_t start = 0;
  while (true) {
    const auto dot = column.find('.', start);
    const auto key = column.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object() || !cur->contains(key)) return nullptr;
    cur = &(*cur)[key];
    if (dot == std::string::npos) return cur;
    start = dot + 1;
  }
}

}  // namespace

std::string field(const std::string& text) {
  std::string s = text;
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
    s.insert(s.begin(), '\'');
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string line(const std::vector<std::string>& cells) {
  std::string out;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) out += ',';
    out += field(cells[i]);
  }
  out += "\r\n";
  return out;
}

std::string table(const nlohmann::json& rows, const std::vector<std::string>& columns) {
  std::string out = line(columns);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (i) out += ',';
      if (const auto* v = at_path(row, columns[i])) out += cell(*v);
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace helpdesk::api::csv
