#include "helpdesk/mail/mime.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>

#include "charset.hpp"
#include "helpdesk/domain/error.hpp"
#include "mime_internal.hpp"

namespace helpdesk::mail {
namespace detail {

gobject_ptr<GMimeMessage> construct_message(std::string_view raw, GMimeParserOptions* options) {
  gobject_ptr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  gobject_ptr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  return gobject_ptr<GMimeMessage>(g_mime_parser_construct_message(parser.get(), options));
}

std::string message_id_of_headers(std::string_view raw, GMimeParserOptions* options) {
  auto message = construct_message(raw, options);
  if (!message) return {};
  return repair_utf8(view(g_mime_message_get_message_id(message.get())));
}

}  // namespace detail

namespace {

using detail::gobject_ptr;
using detail::repair_utf8;
using detail::view;

std::once_flag gmime_once;

struct options_free {
  void operator()(GMimeParserOptions* o) const { g_mime_parser_options_free(o); }
};
using options_ptr = std::unique_ptr<GMimeParserOptions, options_free>;

struct parse_warnings {
  bool nesting_overflow = false;
};

void on_parser_warning(gint64, GMimeParserWarning code, const gchar*, gpointer user_data) {
  if (code == GMIME_CRIT_NESTING_OVERFLOW) static_cast<parse_warnings*>(user_data)->nesting_overflow = true;
}

// Options are per call: GMime keeps no reference to them after parsing
// beyond the objects built, and sharing one would share the warning state.
options_ptr make_options(parse_warnings& warnings) {
  options_ptr options(g_mime_parser_options_new());
  // Raw 8-bit header bytes: UTF-8 when well formed, else windows-1252 and,
  // for its five undefined bytes, latin1.
  static const char* fallback[] = {"utf-8", "windows-1252", "iso-8859-1", nullptr};
  g_mime_parser_options_set_fallback_charsets(options.get(), fallback);
  g_mime_parser_options_set_allow_addresses_without_domain(options.get(), TRUE);
  g_mime_parser_options_set_warning_callback(options.get(), on_parser_warning, &warnings);
  return options;
}

// Size of the top-level header block (up to the first empty line), counted
// before GMime sees the bytes; stops early once past `limit`.
std::size_t header_block_size(std::string_view raw, std::size_t limit) {
  std::size_t pos = 0;
  while (pos < raw.size() && pos <= limit) {
    const std::size_t eol = raw.find('\n', pos);
    const std::string_view line = raw.substr(pos, eol == std::string_view::npos ? raw.npos : eol - pos);
    if (line.empty() || line == "\r") return pos;
    if (eol == std::string_view::npos) return raw.size();
    pos = eol + 1;
  }
  return pos;
}

std::string trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::string format_mailbox(InternetAddress* address) {
  const std::string name = trim(repair_utf8(view(internet_address_get_name(address))));
  const std::string addr =
      trim(repair_utf8(view(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address)))));
  if (addr.empty()) return name;
  if (name.empty() || name == addr) return addr;
  return name + " <" + addr + ">";
}

// Every mailbox in the list, with group members in place of their group.
std::vector<std::string> mailboxes(InternetAddressList* list) {
  std::vector<std::string> out;
  if (list == nullptr) return out;
  const int count = internet_address_list_length(list);
  for (int i = 0; i < count; ++i) {
    InternetAddress* address = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_MAILBOX(address)) {
      if (auto m = format_mailbox(address); !m.empty()) out.push_back(std::move(m));
      continue;
    }
    if (!INTERNET_ADDRESS_IS_GROUP(address)) continue;
    InternetAddressList* members = internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address));
    const int member_count = members != nullptr ? internet_address_list_length(members) : 0;
    for (int k = 0; k < member_count; ++k) {
      InternetAddress* member = internet_address_list_get_address(members, k);
      if (!INTERNET_ADDRESS_IS_MAILBOX(member)) continue;  // RFC 5322 groups do not nest
      if (auto m = format_mailbox(member); !m.empty()) out.push_back(std::move(m));
    }
  }
  return out;
}

std::string first_mailbox(InternetAddressList* list) {
  auto all = mailboxes(list);
  return all.empty() ? std::string() : std::move(all.front());
}

// The address inside Return-Path: "<>" (a bounce) yields "".
std::string return_path_addr(std::string_view value) {
  const std::size_t open = value.find('<');
  if (open != std::string_view::npos) {
    const std::size_t close = value.find('>', open);
    return trim(value.substr(open + 1, close == std::string_view::npos ? value.npos : close - open - 1));
  }
  return trim(value);
}

std::string raw_unfolded(GMimeHeaderList* headers, const char* name) {
  GMimeHeader* header = g_mime_header_list_get_header(headers, name);
  if (header == nullptr) return {};
  detail::gchar_ptr unfolded(g_mime_utils_header_unfold(g_mime_header_get_raw_value(header)));
  return trim(repair_utf8(view(unfolded.get())));
}

std::optional<timestamp> to_timestamp(GDateTime* date) {
  if (date == nullptr) return std::nullopt;
  return timestamp(std::chrono::seconds(g_date_time_to_unix(date))) +
         std::chrono::microseconds(g_date_time_get_microsecond(date));
}

// GMime files the top-level Content-* headers under the body part; their
// stream offsets put them back in the order they were sent.
std::vector<std::pair<std::string, std::string>> all_headers(GMimeMessage* message) {
  std::vector<std::pair<gint64, GMimeHeader*>> found;
  for (GMimeObject* owner : {GMIME_OBJECT(message), g_mime_message_get_mime_part(message)}) {
    GMimeHeaderList* list = owner != nullptr ? g_mime_object_get_header_list(owner) : nullptr;
    const int count = list != nullptr ? g_mime_header_list_get_count(list) : 0;
    for (int i = 0; i < count; ++i) {
      GMimeHeader* header = g_mime_header_list_get_header_at(list, i);
      found.emplace_back(g_mime_header_get_offset(header), header);
    }
  }
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(found.size());
  for (const auto& [offset, header] : found) {
    out.emplace_back(repair_utf8(view(g_mime_header_get_name(header))),
                     trim(repair_utf8(view(g_mime_header_get_value(header)))));
  }
  return out;
}

void read_headers(GMimeMessage* message, parsed_email& out) {
  GMimeHeaderList* headers = g_mime_object_get_header_list(GMIME_OBJECT(message));
  out.headers = all_headers(message);

  out.from = first_mailbox(g_mime_message_get_from(message));
  out.to = mailboxes(g_mime_message_get_to(message));
  out.cc = mailboxes(g_mime_message_get_cc(message));
  out.reply_to = first_mailbox(g_mime_message_get_reply_to(message));
  if (GMimeHeader* rp = g_mime_header_list_get_header(headers, "Return-Path")) {
    out.has_return_path = true;
    out.return_path = return_path_addr(repair_utf8(view(g_mime_header_get_value(rp))));
  }
  out.subject = trim(repair_utf8(view(g_mime_message_get_subject(message))));
  out.message_id = trim(repair_utf8(view(g_mime_message_get_message_id(message))));
  out.in_reply_to = raw_unfolded(headers, "In-Reply-To");
  out.references = raw_unfolded(headers, "References");
  out.date = to_timestamp(g_mime_message_get_date(message));
}

}  // namespace

parsed_email parse_mime(std::string_view raw, const mime_limits& limits) {
  if (raw.empty()) throw error(errc::bad_request, "The message is empty.");
  if (header_block_size(raw, limits.max_header_bytes) > limits.max_header_bytes) {
    const std::string limit = std::to_string(limits.max_header_bytes);
    throw error::validation({{"", "The header block exceeds " + limit + " bytes."}},
                            "The message's header block is larger than " + limit + " bytes.");
  }
  std::call_once(gmime_once, [] { g_mime_init(); });

  parse_warnings warnings;
  // Declared before the message so the message is released first.
  options_ptr options = make_options(warnings);
  gobject_ptr<GMimeMessage> message = detail::construct_message(raw, options.get());
  const auto no_header_block = [] {
    return error(errc::bad_request,
                 "The message has no header block: it does not start with a \"Name: value\" header line.");
  };
  if (!message) throw no_header_block();
  // Past its own cap (1024 multiparts, 512 messages) GMime flattens the
  // rest, so the real depth is unknown but certainly too deep.
  if (warnings.nesting_overflow) detail::throw_nesting_exceeded(limits.max_depth);

  parsed_email out;
  read_headers(message.get(), out);
  if (out.headers.empty()) throw no_header_block();  // e.g. a blank first line
  if (GMimeObject* body = g_mime_message_get_mime_part(message.get())) {
    detail::walk_body(body, limits, options.get(), out);
  }
  return out;
}

}  // namespace helpdesk::mail
