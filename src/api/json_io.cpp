#include "helpdesk/api/json_io.hpp"

#include "helpdesk/domain/time.hpp"

#include "helpdesk/domain/ids.hpp"
#include "helpdesk/security/tokens.hpp"

namespace helpdesk::api {
namespace {

std::string pointer_escape(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

// Builds the DOM itself so that it can refuse nesting beyond max_json_depth
// (no deep recursion anywhere later) and duplicate keys (which parsers
// disagree on, a classic smuggling trick).
class strict_builder final : public nlohmann::json_sax<json> {
 public:
  json root;
  std::optional<error> failure;

  bool null() override { return put(json(nullptr)); }
  bool boolean(bool v) override { return put(json(v)); }
  bool number_integer(number_integer_t v) override { return put(json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return put(json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return put(json(v)); }
  bool string(string_t& v) override { return put(json(std::move(v))); }
  bool binary(binary_t&) override { return put(json(nullptr)); }
  bool start_object(std::size_t) override { return open(json::object()); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    if (stack_.back()->contains(k)) {
      failure = error(errc::bad_request, "Malformed JSON: duplicate key at " + pointer() + "/" + pointer_escape(k) + ".");
      return false;
    }
    key_ = std::move(k);
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override {
    std::string what = ex.what();
    // Drop the library's "[json.exception.parse_error.101] " tag.
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    failure = error(errc::bad_request, "Malformed JSON at byte " + std::to_string(position) + ": " + what);
    return false;
  }

 private:
  json* insert(json v) {
    if (stack_.empty()) {
      root = std::move(v);
      return &root;
    }
    json& top = *stack_.back();
    if (top.is_array()) {
      path_.push_back(std::to_string(top.size()));
      top.push_back(std::move(v));
      return &top.back();
    }
    path_.push_back(pointer_escape(key_));
    json& slot = top[key_];
    slot = std::move(v);
    return &slot;
  }
  bool put(json v) {
    bool nested = !stack_.empty();
    insert(std::move(v));
    if (nested) path_.pop_back();
    return true;
  }
  bool open(json v) {
    if (stack_.size() >= max_json_depth) {
      failure = error(errc::bad_request, "Malformed JSON: nesting deeper than " + std::to_string(max_json_depth) +
                                             " levels at " + pointer() + ".");
      return false;
    }
    bool nested = !stack_.empty();
    stack_.push_back(insert(std::move(v)));
    nested_.push_back(nested);
    return true;
  }
  bool close() {
    stack_.pop_back();
    if (nested_.back()) path_.pop_back();
    nested_.pop_back();
    return true;
  }
  std::string pointer() const {
    std::string out;
    for (const auto& p : path_) out += "/" + p;
    return out;
  }

  std::vector<json*> stack_;
  std::vector<bool> nested_;
  std::vector<std::string> path_;
  std::string key_;
};

}  // namespace

json parse_json_text(std::string_view text) {
  if (text.empty()) throw error(errc::bad_request, "Malformed JSON at byte 0: the request body is empty.");
  strict_builder b;
  bool ok = json::sax_parse(text.begin(), text.end(), &b, json::input_format_t::json, true);
  if (!ok || b.failure) throw b.failure.value_or(error(errc::bad_request, "Malformed JSON."));
  return std::move(b.root);
}

namespace {

// The bytes json::dump() would write, fed to the hash in runs: text without
// escapes (most of a base64 attachment) goes in whole instead of byte by byte.
class canonical_writer {
 public:
  void value(const json& v) {
    switch (v.type()) {
      case json::value_t::object: {
        put('{');
        bool first = true;
        for (const auto& [k, item] : v.items()) {
          if (!first) put(',');
          first = false;
          string(k);
          put(':');
          value(item);
        }
        put('}');
        break;
      }
      case json::value_t::array: {
        put('[');
        for (std::size_t i = 0; i < v.size(); ++i) {
          if (i) put(',');
          value(v[i]);
        }
        put(']');
        break;
      }
      case json::value_t::string:
        string(v.get_ref<const std::string&>());
        break;
      default:  // numbers, booleans, null: short, and dump() knows their exact spelling
        text(v.dump());
    }
  }
  std::string finish() {
    flush();
    return hash_.hex();
  }

 private:
  void string(std::string_view s) {
    put('"');
    std::size_t run = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      text(s.substr(run, i - run));
      escape(c);
      run = i + 1;
    }
    text(s.substr(run));
    put('"');
  }
  void escape(unsigned char c) {
    switch (c) {
      case '"': text("\\\""); break;
      case '\\': text("\\\\"); break;
      case '\b': text("\\b"); break;
      case '\f': text("\\f"); break;
      case '\n': text("\\n"); break;
      case '\r': text("\\r"); break;
      case '\t': text("\\t"); break;
      default: {
        static constexpr char hex[] = "0123456789abcdef";
        const char u[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        text(std::string_view(u, sizeof u));
      }
    }
  }
  void put(char c) {
    if (buffer_.size() == buffer_limit) flush();
    buffer_ += c;
  }
  void text(std::string_view t) {
    if (buffer_.size() + t.size() > buffer_limit) {
      flush();
      if (t.size() > buffer_limit) return hash_.update(t);
    }
    buffer_ += t;
  }
  void flush() {
    hash_.update(buffer_);
    buffer_.clear();
  }

  static constexpr std::size_t buffer_limit = 4096;
  security::sha256_stream hash_;
  std::string buffer_;
};

}  // namespace

std::string canonical_sha256(const json& doc) {
  canonical_writer w;
  w.value(doc);
  return w.finish();
}

json parse_json_body(const http::request& req) {
  auto ct = req[bhttp::field::content_type];
  std::string_view type = ct.substr(0, ct.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  const bool is_json = beast::iequals(type, "application/json") ||
                       (type.size() > 5 && beast::iequals(type.substr(type.size() - 5), "+json"));
  if (!is_json)
    throw error(errc::unsupported_media_type, "Send the body as application/json (got '" + std::string(type) + "').");
  return parse_json_text(req.body());
}

http::response no_content_response(unsigned version) {
  http::response res{bhttp::status::no_content, version};
  res.prepare_payload();
  return res;
}

http::response json_response(bhttp::status status, const json& body, unsigned version) {
  http::response res{status, version};
  res.set(bhttp::field::content_type, "application/json");
  res.set(bhttp::field::cache_control, "no-store");
  res.body() = body.dump(-1, ' ', false, json::error_handler_t::replace);
  res.prepare_payload();
  return res;
}

field_reader::field_reader(const json& doc, std::vector<std::string> allowed, std::string prefix)
    : doc_(doc), prefix_(std::move(prefix)) {
  if (!doc_.is_object()) {
    errors_.push_back({prefix_, "must be a JSON object"});
    if (prefix_.empty()) finish();
    return;
  }
  for (const auto& [k, v] : doc_.items())
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      errors_.push_back({prefix_ + "/" + pointer_escape(k), "is not a known or writable field"});
}

const json* field_reader::value(const std::string& key) const {
  if (!doc_.is_object()) return nullptr;
  auto it = doc_.find(key);
  return it == doc_.end() ? nullptr : &*it;
}

void field_reader::required(const std::string& key) {
  if (!value(key)) errors_.push_back({prefix_ + "/" + key, "is required"});
}

std::optional<std::string> field_reader::string(const std::string& key, std::size_t max_len) {
  const json* v = value(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    errors_.push_back({prefix_ + "/" + key, "must be a string"});
    return std::nullopt;
  }
  const auto& s = v->get_ref<const std::string&>();
  if (s.size() > max_len) {
    errors_.push_back({prefix_ + "/" + key, "must be at most " + std::to_string(max_len) + " bytes"});
    return std::nullopt;
  }
  if (s.find('\0') != std::string::npos) {
    errors_.push_back({prefix_ + "/" + key, "must not contain NUL characters"});
    return std::nullopt;
  }
  return s;
}

std::optional<bool> field_reader::boolean(const std::string& key) {
  const json* v = value(key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    errors_.push_back({prefix_ + "/" + key, "must be true or false"});
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<std::vector<std::string>> field_reader::string_array(const std::string& key, std::size_t max_items) {
  const json* v = value(key);
  if (!v) return std::nullopt;
  if (!v->is_array() || v->size() > max_items) {
    errors_.push_back({prefix_ + "/" + key, "must be an array of at most " + std::to_string(max_items) + " strings"});
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (std::size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string() || (*v)[i].get_ref<const std::string&>().size() > 1000 ||
        (*v)[i].get_ref<const std::string&>().find('\0') != std::string::npos) {
      errors_.push_back({prefix_ + "/" + key + "/" + std::to_string(i),
                         "must be a string of at most 1000 bytes without NUL characters"});
      ok = false;
    } else {
      out.push_back((*v)[i].get<std::string>());
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<long long> field_reader::integer(const std::string& key, long long min, long long max) {
  const json* v = value(key);
  if (!v) return std::nullopt;
  if (!v->is_number_integer() || v->get<long long>() < min || v->get<long long>() > max) {
    errors_.push_back({prefix_ + "/" + key,
                       "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max)});
    return std::nullopt;
  }
  return v->get<long long>();
}

std::optional<timestamp> field_reader::instant(const std::string& key) {
  auto text = string(key, 64);
  if (!text) return std::nullopt;
  auto t = parse_rfc3339(*text);
  if (!t) errors_.push_back({prefix_ + "/" + key, "must be an RFC 3339 date-time such as 2026-11-23T10:15:00Z"});
  return t;
}

std::optional<std::string> field_reader::one_of(const std::string& key, const std::vector<std::string>& allowed) {
  auto text = string(key, 100);
  if (!text) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *text) != allowed.end()) return text;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  errors_.push_back({prefix_ + "/" + key, "must be one of " + list});
  return std::nullopt;
}

void field_reader::absorb(field_reader& nested) {
  for (auto& e : nested.errors_) errors_.push_back(std::move(e));
  nested.errors_.clear();
}

void field_reader::finish() {
  if (!errors_.empty()) throw error::validation(std::move(errors_));
}

std::string make_cursor(const std::string& last_id) { return security::base64url(last_id); }

page_params read_page(const http::request_context& ctx, bool with_cursor) {
  page_params p;
  std::vector<field_error> errors;
  if (auto limit = ctx.query("limit")) {
    try {
      std::size_t used = 0;
      long v = std::stol(*limit, &used);
      if (used != limit->size() || v < 1 || v > 200) throw std::invalid_argument("range");
      p.limit = static_cast<std::size_t>(v);
    } catch (const std::exception&) {
      errors.push_back({"/query/limit", "must be a whole number from 1 to 200"});
    }
  }
  if (auto cursor = with_cursor ? ctx.query("cursor") : std::nullopt; cursor && !cursor->empty()) {
    // The cursor is base64url of the last id seen; decode and check it.
    auto decoded = security::base64url_decode(*cursor);
    if (!decoded || !is_uuid(*decoded)) errors.push_back({"/query/cursor", "is not a cursor this server issued"});
    else p.after_id = *decoded;
  }
  if (!errors.empty()) throw error::validation(std::move(errors), "The query parameters are invalid.");
  return p;
}

}  // namespace helpdesk::api
