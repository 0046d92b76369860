#pragma once
// The JSON text of a list of flat rows, written directly: the group commit
// sends each list of a batch as one json_to_recordset parameter. A nlohmann
// object per row meant a std::map and a string per field, and columns that
// are JSON already were parsed only to be dumped again.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace helpdesk::store {

// Thrown for text that is not valid UTF-8, which PostgreSQL would refuse
// for the whole statement.
struct invalid_utf8 : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Appends `value` as a JSON string: quotes, backslashes and control
// characters escaped, UTF-8 kept as it is (and checked).
void append_json_string(std::string& out, std::string_view value);

class json_rows {
 public:
  json_rows& row();  // starts the next object; fields go to the latest row
  json_rows& text(std::string_view name, std::string_view value);
  json_rows& text(std::string_view name, const std::string& value) { return text(name, std::string_view(value)); }
  json_rows& text(std::string_view name, const char* value) { return text(name, std::string_view(value)); }
  json_rows& text(std::string_view name, const std::optional<std::string>& value);  // null when absent
  json_rows& integer(std::string_view name, long long value);
  json_rows& integer(std::string_view name, const std::optional<long long>& value);
  json_rows& boolean(std::string_view name, bool value);
  json_rows& boolean(std::string_view name, const std::optional<bool>& value);
  json_rows& real(std::string_view name, const std::optional<double>& value);  // null when absent or not finite
  json_rows& texts(std::string_view name, const std::vector<std::string>& values);
  // Text that is JSON already (our own serialised values), written as is;
  // null when absent or empty.
  json_rows& raw(std::string_view name, std::string_view json_text);
  json_rows& raw(std::string_view name, const std::string& json_text) { return raw(name, std::string_view(json_text)); }
  json_rows& raw(std::string_view name, const std::optional<std::string>& json_text);
  json_rows& null(std::string_view name);

  // "[{...},{...}]"; the writer is empty afterwards.
  std::string take();

 private:
  void name(std::string_view n);

  std::string out_ = "[";
  bool row_open_ = false;
  bool first_field_ = true;
};

}  // namespace helpdesk::store
