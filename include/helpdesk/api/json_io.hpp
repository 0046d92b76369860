#pragma once
// JSON in and out for handlers. Input is parsed strictly (depth limit,
// duplicate keys refused, UTF-8 checked) and read through a field reader that
// collects every problem with its JSON pointer before failing once.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "helpdesk/domain/error.hpp"
#include "helpdesk/domain/time.hpp"
#include "helpdesk/http/types.hpp"

namespace helpdesk::api {

using json = nlohmann::json;

inline constexpr std::size_t max_json_depth = 64;

// Throws error(bad_request) naming the byte offset of the fault, or
// error(unsupported_media_type) when the body is not declared as JSON.
json parse_json_body(const http::request& req);
json parse_json_text(std::string_view text);
// sha256_hex(doc.dump()), without building the text: an inbound event's
// request digest, which stored idempotency keys are compared with, so it must
// stay exactly that. The document must come from the parser (valid UTF-8).
std::string canonical_sha256(const json& doc);

http::response json_response(bhttp::status status, const json& body, unsigned version = 11);
http::response no_content_response(unsigned version = 11);

class field_reader {
 public:
  // The document must be an object; extra keys are refused (typos should not
  // be silently ignored).
  // prefix: the JSON pointer of `doc` inside the request (for nested objects).
  field_reader(const json& doc, std::vector<std::string> allowed, std::string prefix = "");
  // The reader keeps a reference to the document: a temporary would dangle.
  field_reader(json&& doc, std::vector<std::string> allowed, std::string prefix = "") = delete;

  std::optional<std::string> string(const std::string& key, std::size_t max_len = 1000);
  std::optional<bool> boolean(const std::string& key);
  std::optional<std::vector<std::string>> string_array(const std::string& key, std::size_t max_items = 100);
  std::optional<long long> integer(const std::string& key, long long min, long long max);
  std::optional<timestamp> instant(const std::string& key);  // RFC 3339
  std::optional<std::string> one_of(const std::string& key, const std::vector<std::string>& allowed);
  const json* value(const std::string& key) const;  // raw access for nested shapes
  // Takes over the problems a reader of a nested object found.
  void absorb(field_reader& nested);
  void required(const std::string& key);
  void fail(std::string pointer, std::string message) { errors_.push_back({std::move(pointer), std::move(message)}); }
  void finish();  // throws error::validation when anything was wrong

 private:
  const json& doc_;
  std::string prefix_;
  std::vector<field_error> errors_;
};

struct page_params {
  std::size_t limit = 50;
  std::string after_id;
};
// ?limit=1..200 and ?cursor=<opaque> (an id; with_cursor false leaves the
// cursor to a caller whose order needs more); throws validation errors.
page_params read_page(const http::request_context& ctx, bool with_cursor = true);
std::string make_cursor(const std::string& last_id);
// {"items": [...], "next_cursor": ...}; `rows` holds up to limit+1 entries.
template <class T, class Render>
json page_json(std::vector<T> rows, std::size_t limit, Render render) {
  json out = {{"items", json::array()}, {"next_cursor", nullptr}};
  const bool more = rows.size() > limit;
  if (more) rows.resize(limit);
  for (const auto& r : rows) out["items"].push_back(render(r));
  if (more && !rows.empty()) out["next_cursor"] = make_cursor(rows.back().id);
  return out;
}

}  // namespace helpdesk::api
