#pragma once
// Private to src/mail: GMime ownership helpers shared by mime.cpp (message
// and headers) and mime_walk.cpp (the part tree).
#include <gmime/gmime.h>

#include <memory>
#include <string>
#include <string_view>

#include "helpdesk/mail/mime.hpp"

namespace helpdesk::mail::detail {

struct gobject_unref {
  void operator()(gpointer p) const {
    if (p != nullptr) g_object_unref(p);
  }
};
template <class T>
using gobject_ptr = std::unique_ptr<T, gobject_unref>;

struct gfree {
  void operator()(gpointer p) const { g_free(p); }
};
using gchar_ptr = std::unique_ptr<char, gfree>;

inline std::string_view view(const char* s) { return s != nullptr ? std::string_view(s) : std::string_view(); }

// Parses `raw` as a message with the caller's options; null when GMime
// finds no header block at all.
gobject_ptr<GMimeMessage> construct_message(std::string_view raw, GMimeParserOptions* options);

// Message-ID (without brackets) of a header block such as the
// text/rfc822-headers part of a bounce; "" when there is none.
std::string message_id_of_headers(std::string_view raw, GMimeParserOptions* options);

// The validation error for a message nested deeper than `max_depth`.
[[noreturn]] void throw_nesting_exceeded(std::size_t max_depth);

// Fills text, html, attachments and the delivery-status fields of `out`
// from the body of a message, enforcing the nesting, part and size limits.
void walk_body(GMimeObject* body, const mime_limits& limits, GMimeParserOptions* options,
               parsed_email& out);

}  // namespace helpdesk::mail::detail
