#include "helpdesk/mail/html.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <array>
#include <climits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "charset.hpp"
#include "helpdesk/domain/ascii.hpp"

namespace helpdesk::mail {
namespace {

std::once_flag libxml_once;

struct doc_free {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using doc_ptr = std::unique_ptr<xmlDoc, doc_free>;

struct xml_free {
  void operator()(xmlChar* p) const { xmlFree(p); }
};
using xml_string = std::unique_ptr<xmlChar, xml_free>;

doc_ptr parse(std::string_view html) {
  // libxml2 wants its global state set up once before threads use it.
  std::call_once(libxml_once, [] { xmlInitParser(); });
  // Parsing as the content of <body> keeps a fragment a fragment: at the
  // top level libxml2 would wrap leading text in an implied <p>.
  std::string input = "<body>" + detail::repair_utf8(html);
  if (input.size() > static_cast<std::size_t>(INT_MAX)) input.resize(static_cast<std::size_t>(INT_MAX));
  // The text is UTF-8 by now; a <meta charset> inside must not re-decode it.
  constexpr int options = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                          HTML_PARSE_IGNORE_ENC;
  return doc_ptr(htmlReadMemory(input.data(), static_cast<int>(input.size()), nullptr, "UTF-8", options));
}

std::string_view name_of(const xmlNode* node) {
  return node->name != nullptr ? std::string_view(reinterpret_cast<const char*>(node->name)) : std::string_view();
}

std::string_view content_of(const xmlNode* node) {
  return node->content != nullptr ? std::string_view(reinterpret_cast<const char*>(node->content))
                                  : std::string_view();
}

using ascii::ascii_lower;

template <std::size_t N>
bool one_of(std::string_view name, const std::array<std::string_view, N>& names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Depth-first over `first` and its following siblings without recursion
// (documents nest as deep as the sender likes). `enter` returns whether to
// descend; `leave` runs for every entered node once its children are done.
template <class Enter, class Leave>
void walk(xmlNode* first, Enter&& enter, Leave&& leave) {
  xmlNode* const top = first != nullptr ? first->parent : nullptr;
  xmlNode* node = first;
  while (node != nullptr) {
    if (enter(node) && node->children != nullptr) {
      node = node->children;
      continue;
    }
    while (node != nullptr) {
      leave(node);
      if (node->next != nullptr) {
        node = node->next;
        break;
      }
      node = node->parent;
      if (node == top) node = nullptr;
    }
  }
}

xmlNode* root_of(const doc_ptr& doc) { return doc ? xmlDocGetRootElement(doc.get()) : nullptr; }

// ---- html_to_text --------------------------------------------------------

constexpr std::array<std::string_view, 11> invisible_tags = {
    "script", "style", "head", "title", "template", "iframe", "object", "embed", "applet", "noembed", "noframes"};
constexpr std::array<std::string_view, 12> paragraph_tags = {"p",  "h1", "h2", "h3",         "h4",    "h5",
                                                             "h6", "blockquote", "table", "pre", "dl", "hr"};
constexpr std::array<std::string_view, 20> line_tags = {
    "div",     "li",     "tr",     "ul",     "ol",   "dt",     "dd",   "address", "article", "aside",
    "section", "header", "footer", "nav",    "main", "figure", "form", "fieldset", "center", "caption"};

class text_builder {
 public:
  void text(std::string_view s, bool preformatted) {
    for (std::size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      if (preformatted) {
        flush();
        if (c != '\r') out_.push_back(c);
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        pending_space_ = true;
      } else if (c == '\xC2' && i + 1 < s.size() && s[i + 1] == '\xA0') {  // no-break space
        pending_space_ = true;
        ++i;
      } else {
        flush();
        out_.push_back(c);
      }
    }
  }
  void literal(std::string_view s) {
    flush();
    out_.append(s);
  }
  void space() { pending_space_ = true; }
  void block_break(int lines) { pending_lines_ = std::max(pending_lines_, lines); }
  void line_break() { pending_lines_ = std::min(pending_lines_ + 1, 2); }

  // Lines right-trimmed, at most one blank line in a row, none at the ends.
  std::string finish() {
    std::string result;
    bool blank_pending = false;
    std::size_t start = 0;
    while (start <= out_.size()) {
      std::size_t end = out_.find('\n', start);
      if (end == std::string::npos) end = out_.size();
      std::string_view line = std::string_view(out_).substr(start, end - start);
      while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
      if (line.empty()) {
        blank_pending = !result.empty();
      } else {
        if (!result.empty()) result += blank_pending ? "\n\n" : "\n";
        result.append(line);
        blank_pending = false;
      }
      start = end + 1;
    }
    const std::size_t lead = result.find_first_not_of(' ');
    return lead == std::string::npos ? std::string() : result.substr(lead);
  }

 private:
  void flush() {
    if (out_.empty()) {
      pending_lines_ = 0;
      pending_space_ = false;
      return;
    }
    if (pending_lines_ > 0) {
      int have = 0;
      for (auto it = out_.rbegin(); it != out_.rend() && *it == '\n'; ++it) ++have;
      out_.append(static_cast<std::size_t>(std::max(0, pending_lines_ - have)), '\n');
    } else if (pending_space_ && out_.back() != ' ' && out_.back() != '\n') {
      out_.push_back(' ');
    }
    pending_lines_ = 0;
    pending_space_ = false;
  }

  std::string out_;
  int pending_lines_ = 0;
  bool pending_space_ = false;
};

// ---- sanitize_html -------------------------------------------------------

constexpr std::array<std::string_view, 42> allowed_tags = {
    "a",     "b",     "strong", "i",     "em",    "u",     "p",     "br",   "div",    "span", "ul",
    "ol",    "li",    "blockquote", "pre", "code", "h1",   "h2",    "h3",   "h4",     "h5",   "h6",
    "table", "thead", "tbody",  "tfoot", "tr",    "td",    "th",    "caption", "img", "hr",  "font",
    "small", "sub",   "sup",    "s",     "strike", "dl",   "dt",    "dd",   "center"};
constexpr std::array<std::string_view, 3> void_tags = {"br", "hr", "img"};
constexpr std::array<std::string_view, 18> removed_tags = {
    "script", "style",   "iframe",   "frame",    "frameset", "object", "embed",  "applet", "form",
    "head",   "title",   "template", "svg",      "math",     "noembed", "noframes", "textarea", "select"};

enum class verdict { drop, unwrap, keep };

// Scheme check on the value as a browser reads it: ASCII whitespace and
// control characters inside "java\tscript:" do not count.
bool url_allowed(std::string_view value, bool image) {
  std::string head;
  for (char c : value) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) continue;
    head.push_back(ascii_lower(c));
    if (head.size() >= 11) break;
  }
  const auto starts = [&](std::string_view p) { return head.compare(0, p.size(), p) == 0; };
  if (starts("http:") || starts("https:")) return true;
  return image ? (starts("cid:") || starts("data:image/")) : starts("mailto:");
}

std::string attribute_value(xmlAttr* attr) {
  xml_string value(xmlNodeGetContent(reinterpret_cast<xmlNode*>(attr)));
  return value ? std::string(reinterpret_cast<const char*>(value.get())) : std::string();
}

// The attribute as it may be written out, or nullopt when it must go.
std::optional<std::string> allowed_attribute(std::string_view tag, xmlAttr* attr) {
  const std::string_view name = name_of(reinterpret_cast<xmlNode*>(attr));
  if (name == "href" && tag == "a") {
    std::string v = attribute_value(attr);
    if (url_allowed(v, false)) return v;
  } else if (name == "src" && tag == "img") {
    std::string v = attribute_value(attr);
    if (url_allowed(v, true)) return v;
  } else if (name == "title" || (name == "alt" && tag == "img")) {
    return attribute_value(attr);
  } else if ((name == "colspan" || name == "rowspan") && (tag == "td" || tag == "th")) {
    std::string v = attribute_value(attr);
    if (!v.empty() && v.size() <= 4 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return v;
    }
  } else if (name == "align") {
    std::string v = attribute_value(attr);
    for (char& c : v) c = ascii_lower(c);
    constexpr std::array<std::string_view, 7> values = {"left", "right", "center", "justify", "top", "middle", "bottom"};
    if (one_of(v, values)) return v;
  }
  return std::nullopt;
}

bool has_allowed(xmlNode* node, std::string_view tag, std::string_view attribute) {
  for (xmlAttr* a = node->properties; a != nullptr; a = a->next) {
    if (name_of(reinterpret_cast<xmlNode*>(a)) == attribute && allowed_attribute(tag, a)) return true;
  }
  return false;
}

verdict judge(xmlNode* node) {
  if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) return verdict::keep;
  if (node->type != XML_ELEMENT_NODE) return verdict::drop;  // comments, processing instructions
  const std::string_view tag = name_of(node);
  if (one_of(tag, removed_tags)) return verdict::drop;
  if (!one_of(tag, allowed_tags)) return verdict::unwrap;
  // A link without a safe target is just its text; an image without a
  // safe source shows nothing.
  if (tag == "a" && !has_allowed(node, tag, "href")) return verdict::unwrap;
  if (tag == "img" && !has_allowed(node, tag, "src")) return verdict::drop;
  return verdict::keep;
}

void append_escaped(std::string& out, std::string_view s, bool attribute) {
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"':
        if (attribute) {
          out += "&quot;";
          break;
        }
        [[fallthrough]];
      default: out.push_back(c);
    }
  }
}

void append_start_tag(std::string& out, xmlNode* node) {
  const std::string_view tag = name_of(node);
  out.push_back('<');
  out.append(tag);
  for (xmlAttr* a = node->properties; a != nullptr; a = a->next) {
    if (auto value = allowed_attribute(tag, a)) {
      out.push_back(' ');
      out.append(name_of(reinterpret_cast<xmlNode*>(a)));
      out += "=\"";
      append_escaped(out, *value, true);
      out.push_back('"');
    }
  }
  if (tag == "a") out += " rel=\"noopener noreferrer\" target=\"_blank\"";
  out.push_back('>');
}

}  // namespace

std::string html_to_text(std::string_view html) {
  const doc_ptr doc = parse(html);
  text_builder text;
  int preformatted = 0;
  int list_depth = 0;
  walk(
      root_of(doc),
      [&](xmlNode* node) {
        if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
          text.text(content_of(node), preformatted > 0);
          return false;
        }
        if (node->type != XML_ELEMENT_NODE) return false;
        const std::string_view tag = name_of(node);
        if (one_of(tag, invisible_tags)) return false;
        if (tag == "br") {
          text.line_break();
          return false;
        }
        if (tag == "pre") ++preformatted;
        if (tag == "ul" || tag == "ol") ++list_depth;
        if (one_of(tag, paragraph_tags)) text.block_break(2);
        if (one_of(tag, line_tags)) text.block_break(1);
        if (tag == "li") text.literal(std::string(2 * static_cast<std::size_t>(std::max(list_depth - 1, 0)), ' ') + "- ");
        return true;
      },
      [&](xmlNode* node) {
        if (node->type != XML_ELEMENT_NODE) return;
        const std::string_view tag = name_of(node);
        if (one_of(tag, invisible_tags) || tag == "br") return;
        if (tag == "pre") --preformatted;
        if (tag == "ul" || tag == "ol") --list_depth;
        if (one_of(tag, paragraph_tags)) text.block_break(2);
        if (one_of(tag, line_tags)) text.block_break(1);
        if (tag == "td" || tag == "th") text.space();
      });
  return text.finish();
}

std::string sanitize_html(std::string_view html) {
  const doc_ptr doc = parse(html);
  std::string out;
  walk(
      root_of(doc),
      [&](xmlNode* node) {
        const verdict v = judge(node);
        if (v == verdict::drop) return false;
        if (node->type != XML_ELEMENT_NODE) {
          append_escaped(out, content_of(node), false);
          return false;
        }
        if (v == verdict::keep) append_start_tag(out, node);
        return true;
      },
      [&](xmlNode* node) {
        if (node->type != XML_ELEMENT_NODE || judge(node) != verdict::keep) return;
        const std::string_view tag = name_of(node);
        if (one_of(tag, void_tags)) return;
        out += "</";
        out.append(tag);
        out.push_back('>');
      });
  return out;
}

}  // namespace helpdesk::mail
