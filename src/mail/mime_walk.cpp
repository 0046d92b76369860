// The part tree of a parsed message, walked with an explicit stack so that
// hostile nesting costs heap, never call stack.
#include <optional>
#include <vector>

#include "charset.hpp"
#include "helpdesk/domain/error.hpp"
#include "helpdesk/mail/html.hpp"
#include "mime_internal.hpp"

namespace helpdesk::mail::detail {

void throw_nesting_exceeded(std::size_t max_depth) {
  const std::string limit = std::to_string(max_depth);
  throw error::validation({{"", "MIME parts are nested deeper than " + limit + " levels."}},
                          "The message nests MIME parts deeper than " + limit + " levels.");
}

namespace {

enum class mode {
  body,         // text/plain and text/html become the body, the rest attachments
  attachments,  // everything is an attachment (the machine parts of a report)
  count_only,   // inside an attached message: only counted against the limits
};

struct frame {
  GMimeObject* object;
  std::size_t depth;
  mode how;
  int alternative_group;  // the outermost multipart/alternative around it, 0 if none
  bool returned_part;     // a non-first part of a delivery-status report
};

// One thing the sender wrote: a text/plain or text/html part, or a
// multipart/alternative offering both.
struct body_unit {
  int alternative_group = 0;
  std::optional<std::string> plain;
  std::optional<std::string> html;
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = g_ascii_tolower(c);
  return out;
}

bool iequals(const char* a, const char* b) {
  return a != nullptr && b != nullptr && g_ascii_strcasecmp(a, b) == 0;
}

std::string normalize_newlines(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\r') {
      out.push_back(s[i]);
    } else if (i + 1 >= s.size() || s[i + 1] != '\n') {
      out.push_back('\n');
    }
  }
  return out;
}

std::string trim_end(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.pop_back();
  return s;
}

std::string stream_bytes(GMimeStream* stream) {
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
  if (bytes == nullptr || bytes->len == 0) return {};
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

// The content with its transfer encoding (base64, quoted-printable, uuencode)
// undone.
std::string decoded_content(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == nullptr) return {};
  gobject_ptr<GMimeStream> sink(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(content, sink.get());
  return stream_bytes(sink.get());
}

std::string serialized(GMimeMessage* message) {
  if (message == nullptr) return {};
  gobject_ptr<GMimeStream> sink(g_mime_stream_mem_new());
  g_mime_object_write_to_stream(GMIME_OBJECT(message), nullptr, sink.get());
  return stream_bytes(sink.get());
}

// HTML sent without a charset parameter usually names it in a <meta> tag.
std::string meta_charset(std::string_view html) {
  const std::string head = lower(html.substr(0, 4096));
  for (std::size_t at = head.find("<meta"); at != std::string::npos; at = head.find("<meta", at + 5)) {
    const std::size_t end = head.find('>', at);
    const std::string_view tag = std::string_view(head).substr(at, end == std::string::npos ? head.npos : end - at);
    std::size_t pos = tag.find("charset");
    if (pos == std::string_view::npos) continue;
    pos += 7;
    while (pos < tag.size() && (tag[pos] == ' ' || tag[pos] == '=' || tag[pos] == '"' || tag[pos] == '\'')) ++pos;
    std::size_t stop = pos;
    const auto token_char = [](char c) { return g_ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':'; };
    while (stop < tag.size() && token_char(tag[stop])) ++stop;
    if (stop > pos) return std::string(tag.substr(pos, stop - pos));
  }
  return {};
}

// A name that is safe to show and to save: no directories, no control
// characters, at most 255 bytes.
std::string clean_filename(std::string name) {
  const std::size_t slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name.erase(0, slash + 1);
  std::string out;
  for (char c : name) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b != 0x7F) out.push_back(c);
  }
  while (!out.empty() && out.front() == ' ') out.erase(0, 1);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out == "." || out == "..") out.clear();
  if (out.size() > 255) {
    std::size_t cut = 255;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  return out;
}

class walker {
 public:
  walker(const mime_limits& limits, GMimeParserOptions* options, parsed_email& out)
      : limits_(limits), options_(options), out_(out) {}

  void run(GMimeObject* root) {
    stack_.push_back({root, 0, mode::body, 0, false});
    while (!stack_.empty()) {
      const frame f = stack_.back();
      stack_.pop_back();
      visit(f);
    }
    finish();
  }

 private:
  void visit(const frame& f) {
    if (++parts_ > limits_.max_parts) {
      const std::string limit = std::to_string(limits_.max_parts);
      throw error::validation({{"", "The message has more than " + limit + " MIME parts."}},
                              "The message has more than " + limit + " MIME parts.");
    }
    if (f.depth > limits_.max_depth) throw_nesting_exceeded(limits_.max_depth);

    if (GMIME_IS_MULTIPART(f.object)) {
      visit_multipart(f);
    } else if (GMIME_IS_MESSAGE_PART(f.object)) {
      visit_message_part(f);
    } else if (GMIME_IS_PART(f.object) && f.how != mode::count_only) {
      visit_leaf(f);
    }
  }

  void visit_multipart(const frame& f) {
    auto* multipart = GMIME_MULTIPART(f.object);
    GMimeContentType* type = g_mime_object_get_content_type(f.object);
    const char* subtype = g_mime_content_type_get_media_subtype(type);
    int group = f.alternative_group;
    if (f.how == mode::body && group == 0 && iequals(subtype, "alternative")) group = ++groups_;
    const bool report = f.how == mode::body && iequals(subtype, "report") &&
                        iequals(g_mime_content_type_get_parameter(type, "report-type"), "delivery-status");
    if (report) out_.delivery_status_report = true;

    const int count = g_mime_multipart_get_count(multipart);
    for (int i = count - 1; i >= 0; --i) {  // reversed so that parts pop in order
      frame child{g_mime_multipart_get_part(multipart, i), f.depth + 1, f.how, group, f.returned_part};
      if (report && i > 0) {
        // Only the first, human-readable part of a report is the text.
        child.how = mode::attachments;
        child.returned_part = true;
      }
      stack_.push_back(child);
    }
  }

  void visit_message_part(const frame& f) {
    GMimeMessage* message = g_mime_message_part_get_message(GMIME_MESSAGE_PART(f.object));
    if (f.how != mode::count_only) {
      if (f.returned_part && out_.bounced_message_id.empty() && message != nullptr) {
        out_.bounced_message_id = repair_utf8(view(g_mime_message_get_message_id(message)));
      }
      add_attachment(f.object, serialized(message), "forwarded-message.eml");
    }
    if (message != nullptr && g_mime_message_get_mime_part(message) != nullptr) {
      stack_.push_back({g_mime_message_get_mime_part(message), f.depth + 1, mode::count_only, 0, false});
    }
  }

  void visit_leaf(const frame& f) {
    GMimeContentType* type = g_mime_object_get_content_type(f.object);
    const char* media_type = g_mime_content_type_get_media_type(type);
    const char* subtype = g_mime_content_type_get_media_subtype(type);
    const bool attached = iequals(g_mime_object_get_disposition(f.object), "attachment");
    std::string bytes = decoded_content(GMIME_PART(f.object));

    const bool plain = iequals(subtype, "plain"), html = iequals(subtype, "html");
    if (f.how == mode::body && !attached && iequals(media_type, "text") && (plain || html)) {
      std::string charset(view(g_mime_object_get_content_type_parameter(f.object, "charset")));
      if (html && charset.empty()) charset = meta_charset(bytes);
      add_body(html, normalize_newlines(decode_to_utf8(bytes, charset)), f.alternative_group);
      return;
    }
    if (f.returned_part && out_.bounced_message_id.empty() &&
        ((iequals(media_type, "text") && iequals(subtype, "rfc822-headers")) ||
         (iequals(media_type, "message") && iequals(subtype, "global-headers")))) {
      out_.bounced_message_id = message_id_of_headers(bytes, options_);
    }
    add_attachment(f.object, std::move(bytes), "");
  }

  void add_body(bool is_html, std::string content, int group) {
    body_unit* unit = nullptr;
    if (group != 0 && !units_.empty() && units_.back().alternative_group == group) unit = &units_.back();
    if (unit == nullptr) {
      units_.push_back({group, std::nullopt, std::nullopt});
      unit = &units_.back();
    }
    // Within one alternative the first plain text wins (it is what the
    // sender's client wrote) and the last HTML (the richest rendering).
    if (is_html) {
      unit->html = std::move(content);
    } else if (!unit->plain) {
      unit->plain = std::move(content);
    }
  }

  void add_attachment(GMimeObject* object, std::string data, std::string_view default_name) {
    attachment a;
    const char* name = g_mime_object_get_content_disposition_parameter(object, "filename");
    if (name == nullptr || *name == '\0') name = g_mime_object_get_content_type_parameter(object, "name");
    a.filename = clean_filename(repair_utf8(view(name)));
    if (a.filename.empty()) {
      a.filename = default_name.empty() ? "attachment-" + std::to_string(out_.attachments.size() + 1)
                                        : std::string(default_name);
    }
    gchar_ptr mime_type(g_mime_content_type_get_mime_type(g_mime_object_get_content_type(object)));
    a.content_type = lower(repair_utf8(view(mime_type.get())));
    a.content_id = repair_utf8(view(g_mime_object_get_content_id(object)));
    a.is_inline = !a.content_id.empty() && !iequals(g_mime_object_get_disposition(object), "attachment");

    const std::size_t size = data.size();
    if (size > limits_.max_attachment_bytes) {
      throw error(errc::payload_too_large, "The attachment \"" + a.filename + "\" is " + std::to_string(size) +
                                               " bytes, over the limit of " +
                                               std::to_string(limits_.max_attachment_bytes) + " bytes.");
    }
    total_bytes_ += size;
    if (total_bytes_ > limits_.max_total_attachment_bytes) {
      throw error(errc::payload_too_large, "With the attachment \"" + a.filename + "\" the attachments total " +
                                               std::to_string(total_bytes_) + " bytes, over the limit of " +
                                               std::to_string(limits_.max_total_attachment_bytes) + " bytes.");
    }
    a.data = std::move(data);
    out_.attachments.push_back(std::move(a));
  }

  void finish() {
    std::string text, html;
    for (auto& unit : units_) {
      std::string piece = trim_end(unit.plain ? std::move(*unit.plain) : html_to_text(unit.html.value_or("")));
      piece.erase(0, piece.find_first_not_of('\n'));
      if (!piece.empty()) text += (text.empty() ? "" : "\n\n") + piece;
      if (unit.html && !unit.html->empty()) html += (html.empty() ? "" : "\n") + *unit.html;
    }
    out_.text = std::move(text);
    out_.html = std::move(html);
  }

  const mime_limits& limits_;
  GMimeParserOptions* options_;
  parsed_email& out_;
  std::vector<frame> stack_;
  std::vector<body_unit> units_;
  std::size_t parts_ = 0;
  std::size_t total_bytes_ = 0;
  int groups_ = 0;
};

}  // namespace

void walk_body(GMimeObject* body, const mime_limits& limits, GMimeParserOptions* options, parsed_email& out) {
  walker(limits, options, out).run(body);
}

}  // namespace helpdesk::mail::detail
