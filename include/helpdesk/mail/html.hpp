#pragma once
// HTML from mail is hostile input. It is stored as received and sanitised
// every time it is shown, so a better sanitiser later fixes old mail too.
#include <string>
#include <string_view>

namespace helpdesk::mail {

// Readable text from HTML: block elements become line breaks, entities are
// decoded, scripts and styles dropped, whitespace collapsed.
std::string html_to_text(std::string_view html);

// An allow-list rewrite: safe formatting tags and attributes only; no
// scripts, styles, event handlers, forms, iframes or javascript:/data: URLs
// (except data:image in img src); links get rel="noopener noreferrer".
std::string sanitize_html(std::string_view html);

}  // namespace helpdesk::mail
