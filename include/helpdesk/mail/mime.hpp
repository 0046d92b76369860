#pragma once
// Raw RFC 5322 / MIME messages read with GMime 3 into plain UTF-8 parts.
// Charsets never fail a message: unknown or broken ones decode best-effort.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "helpdesk/domain/time.hpp"

namespace helpdesk::mail {

struct mime_limits {
  std::size_t max_depth = 100;                       // multipart / message nesting (Postfix's default)
  std::size_t max_parts = 1000;
  std::size_t max_attachment_bytes = 25u << 20;      // decoded size of one attachment
  std::size_t max_total_attachment_bytes = 25u << 20;
  std::size_t max_header_bytes = 102400;             // the top-level header block
};

struct attachment {
  std::string filename;      // decoded (RFC 2231 / 2047); "attachment-N" when absent
  std::string content_type;  // "type/subtype", lower-case
  std::string content_id;    // without brackets, for inline parts
  bool is_inline = false;
  std::string data;          // decoded bytes
};

struct parsed_email {
  std::string from;                  // the first From mailbox, decoded: "Name <addr>" or "addr"
  std::vector<std::string> to, cc;   // decoded mailboxes
  std::string reply_to;
  bool has_return_path = false;
  std::string return_path;           // the addr inside Return-Path ("" for "<>")
  std::string subject;               // decoded UTF-8
  std::string message_id;            // without brackets; "" when absent
  std::string in_reply_to;           // raw header value (may hold several ids)
  std::string references;            // raw header value
  std::optional<timestamp> date;
  std::string text;                  // text/plain, or text derived from the HTML
  std::string html;                  // the HTML body as sent (UTF-8), "" when none
  std::vector<std::pair<std::string, std::string>> headers;  // top-level headers, values decoded
  std::vector<attachment> attachments;
  bool delivery_status_report = false;  // multipart/report; report-type=delivery-status
  std::string bounced_message_id;       // Message-ID of the returned message in a DSN, if found
};

// Throws helpdesk::error: bad_request when the bytes are not a message at all
// (no header block), validation when a limit on nesting or parts is exceeded,
// payload_too_large when an attachment is over its limit. Missing From is
// not an error here (the caller decides).
parsed_email parse_mime(std::string_view raw, const mime_limits& limits = {});

}  // namespace helpdesk::mail
