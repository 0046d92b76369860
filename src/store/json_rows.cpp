#include "helpdesk/store/json_rows.hpp"

#include <charconv>
#include <cmath>

namespace helpdesk::store {
namespace {

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const auto cont = [&](std::size_t k) { return k < s.size() && (at(k) & 0xC0) == 0x80; };
  const unsigned char c = at(i);
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && at(i + 1) < 0xA0) return 0;   // overlong
    if (c == 0xED && at(i + 1) > 0x9F) return 0;   // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && at(i + 1) < 0x90) return 0;  // overlong
    if (c == 0xF4 && at(i + 1) > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // start of the bytes copied as they are
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const auto n = utf8_length(s, i);
      if (n == 0) throw invalid_utf8("invalid UTF-8 at byte " + std::to_string(i));
      i += n;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(s, run, i - run);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 0xF];
    }
    run = ++i;
  }
  out.append(s, run);
  out += '"';
}

json_rows& json_rows::row() {
  if (row_open_) out_ += "},";
  out_ += '{';
  row_open_ = true;
  first_field_ = true;
  return *this;
}

void json_rows::name(std::string_view n) {
  if (!row_open_) throw std::logic_error("json_rows: a field before the first row");
  if (!first_field_) out_ += ',';
  first_field_ = false;
  append_json_string(out_, n);
  out_ += ':';
}

json_rows& json_rows::text(std::string_view n, std::string_view value) {
  name(n);
  append_json_string(out_, value);
  return *this;
}

json_rows& json_rows::text(std::string_view n, const std::optional<std::string>& value) {
  return value ? text(n, std::string_view(*value)) : null(n);
}

json_rows& json_rows::integer(std::string_view n, long long value) {
  name(n);
  char buf[24];
  auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
  out_.append(buf, end);
  return *this;
}

json_rows& json_rows::integer(std::string_view n, const std::optional<long long>& value) {
  return value ? integer(n, *value) : null(n);
}

json_rows& json_rows::boolean(std::string_view n, bool value) {
  name(n);
  out_ += value ? "true" : "false";
  return *this;
}

json_rows& json_rows::boolean(std::string_view n, const std::optional<bool>& value) {
  return value ? boolean(n, *value) : null(n);
}

json_rows& json_rows::real(std::string_view n, const std::optional<double>& value) {
  if (!value || !std::isfinite(*value)) return null(n);
  name(n);
  char buf[32];
  auto end = std::to_chars(buf, buf + sizeof buf, *value).ptr;
  out_.append(buf, end);
  return *this;
}

json_rows& json_rows::texts(std::string_view n, const std::vector<std::string>& values) {
  name(n);
  out_ += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out_ += ',';
    append_json_string(out_, values[i]);
  }
  out_ += ']';
  return *this;
}

json_rows& json_rows::raw(std::string_view n, std::string_view json_text) {
  if (json_text.empty()) return null(n);
  name(n);
  out_ += json_text;
  return *this;
}

json_rows& json_rows::raw(std::string_view n, const std::optional<std::string>& json_text) {
  return json_text ? raw(n, std::string_view(*json_text)) : null(n);
}

json_rows& json_rows::null(std::string_view n) {
  name(n);
  out_ += "null";
  return *this;
}

std::string json_rows::take() {
  if (row_open_) out_ += '}';
  out_ += ']';
  std::string done;
  done.swap(out_);
  out_.push_back('[');
  row_open_ = false;
  first_field_ = true;
  return done;
}

}  // namespace helpdesk::store
