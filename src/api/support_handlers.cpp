// What agents read: customer cards and timelines, tickets, messages, files.
#include <algorithm>

#include "handlers.hpp"
#include "helpdesk/security/tokens.hpp"
#include "helpdesk/mail/html.hpp"

namespace helpdesk::api {
namespace {


json identity_json(const identity& i) { return {{"kind", to_string(i.kind)}, {"value", i.value}}; }


json attachment_json(const store::attachment_row& a) {
  return {{"id", a.id},           {"filename", a.filename},   {"content_type", a.content_type},
          {"size", a.size},       {"sha256", a.sha256},       {"inline", a.is_inline},
          {"content_id", a.content_id}, {"url", "/v1/attachments/" + a.id}};
}

}  // namespace

json customer_json(const store::customer_row& c) {
  json ids = json::array();
  for (const auto& i : c.identities) ids.push_back(identity_json(i));
  return {{"id", c.id},
          {"brand_id", c.brand_id},
          {"name", c.name},
          {"identities", ids},
          {"flags", c.flags},
          {"merged_into", opt_text(c.merged_into)},
          {"created_at", format_rfc3339(c.created_at)},
          {"updated_at", format_rfc3339(c.updated_at)},
          {"last_contact_at", opt_time(c.last_contact_at)}};
}

json ticket_json(const store::ticket_row& t) {
  json sla = json::array();
  for (const auto& c : t.sla) sla.push_back(sla_clock_json(c));
  return {{"id", t.id},
          {"number", t.display_number()},
          {"brand_id", t.brand_id},
          {"customer_id", t.customer_id},
          {"subject", t.subject},
          {"status", t.status},
          {"priority", t.priority},
          {"origin_channel", t.origin_channel},
          {"language", opt_text(t.language)},
          {"language_confidence", t.language_confidence ? json(*t.language_confidence) : json(nullptr)},
          {"tags", t.tags},
          {"source", opt_text(t.source)},
          {"queue_id", opt_text(t.queue_id)},
          {"queued_at", opt_time(t.queued_at)},
          {"assignee_id", opt_text(t.assignee_id)},
          {"assigned_at", opt_time(t.assigned_at)},
          {"callback_required", t.callback_required},
          {"callback_due_at", opt_time(t.callback_due_at)},
          {"sla", sla},
          {"sla_due_at", opt_time(t.sla_due_at)},
          {"chat_session_id", opt_text(t.chat_session_id)},
          {"linked_ticket_id", opt_text(t.linked_ticket_id)},
          {"customer_waiting_since", opt_time(t.customer_waiting_since)},
          {"version", t.version},
          {"created_at", format_rfc3339(t.created_at)},
          {"updated_at", format_rfc3339(t.updated_at)},
          {"last_inbound_at", opt_time(t.last_inbound_at)},
          {"last_outbound_at", opt_time(t.last_outbound_at)},
          {"solved_at", opt_time(t.solved_at)},
          {"closed_at", opt_time(t.closed_at)},
          {"merged_into", opt_text(t.merged_into)}};
}

json viewers_json(const std::vector<store::ticket_viewer>& v) {
  json out = json::array();
  for (const auto& x : v)
    out.push_back({{"agent_id", x.agent_id}, {"name", x.name}, {"composing", x.composing}, {"seen_at", format_rfc3339(x.seen_at)}});
  return out;
}

json message_json(const store::message_row& m) {
  json files = json::array();
  for (const auto& a : m.attachments) files.push_back(attachment_json(a));
  json out = {{"id", m.id},
              {"ticket_id", m.ticket_id},
              {"ticket_number", m.ticket_number},
              {"customer_id", m.customer_id},
              {"channel", m.channel},
              {"direction", m.direction},
              {"internal", m.direction == "internal"},
              {"automatic", m.automatic},
              {"automatic_reason", m.automatic_reason},
              {"author_agent_id", opt_text(m.author_agent_id)},
              {"sender", m.sender},
              {"subject", m.subject},
              {"text", m.body_text},
              // Sanitised on every read: HTML from mail is hostile input.
              {"html", m.body_html.empty() ? json(nullptr) : json(mail::sanitize_html(m.body_html))},
              {"occurred_at", format_rfc3339(m.occurred_at)},
              {"created_at", format_rfc3339(m.created_at)},
              {"attachments", files}};
  out["email"] = m.email_json ? json::parse(*m.email_json) : json(nullptr);
  out["call"] = m.call_json ? json::parse(*m.call_json) : json(nullptr);
  out["chat"] = m.chat_session_id ? json{{"session_id", *m.chat_session_id}, {"message_id", opt_text(m.chat_message_id)}}
                                  : json(nullptr);
  out["delivery"] = m.delivery_status ? json{{"status", *m.delivery_status},
                                             {"reason", opt_text(m.delivery_reason)},
                                             {"updated_at", opt_time(m.delivery_updated_at)}}
                                      : json(nullptr);
  if (m.channel == "note") out["mentions"] = m.mentions;
  return out;
}

HELPDESK_HANDLER(list_customers) {
  auto page = read_page(ctx);
  auto q = ctx.query("q").value_or("");
  if (q.size() > 200) throw error::validation({{"/query/q", "must be at most 200 bytes"}});
  auto rows = co_await e.svc.support.search_customers(ctx.caller(), q, page_of(page));
  co_return json_response(bhttp::status::ok, page_json(std::move(rows), page.limit, customer_json), ctx.req.version());
}

namespace {

json card_json(const app::customer_card& card) {
  json body = customer_json(card.customer);
  body["open_tickets"] = json::array();
  for (const auto& t : card.open_tickets) body["open_tickets"].push_back(ticket_json(t));
  body["channels"] = json::object();
  for (const auto& c : card.channels)
    body["channels"][c.channel] = {{"interactions", c.interactions}, {"last_contact_at", opt_time(c.last_contact_at)}};
  body["merge_suggestions"] = json::array();
  for (const auto& s : card.suggestions)
    body["merge_suggestions"].push_back({{"customer_id", s.customer_id},
                                         {"name", s.name},
                                         {"reason", s.reason},
                                         {"created_at", format_rfc3339(s.created_at)}});
  return body;
}

}  // namespace

HELPDESK_HANDLER(get_customer) {
  std::string id(ctx.param("id"));
  auto card = co_await e.svc.support.card(ctx.caller(), id);
  co_return json_response(bhttp::status::ok, card_json(card), ctx.req.version());
}

HELPDESK_HANDLER(patch_customer) {
  const json doc = parse_json_body(ctx.req);
  field_reader in(doc, {"flags"});
  in.required("flags");
  auto flags = read_tags(in, "flags", "/flags", 20);
  in.finish();
  std::string id(ctx.param("id"));
  auto card = co_await e.svc.support.set_flags(ctx.caller(), id, std::move(flags));
  co_return json_response(bhttp::status::ok, card_json(card), ctx.req.version());
}

namespace {

// Sanitising HTML and rendering a page of messages can take milliseconds:
// the CPU pool does it, not the I/O threads.
awaitable<response> messages_page(env& e, request_context& ctx, std::vector<store::message_row> rows,
                                  std::size_t limit) {
  auto render = [rows = std::move(rows), limit]() mutable {
    return page_json(std::move(rows), limit, message_json).dump(-1, ' ', false, json::error_handler_t::replace);
  };
  auto body = co_await e.svc.cpu.run(std::move(render));
  response res{bhttp::status::ok, ctx.req.version()};
  res.set(bhttp::field::content_type, "application/json");
  res.set(bhttp::field::cache_control, "no-store");
  res.body() = std::move(body);
  res.prepare_payload();
  co_return res;
}

}  // namespace

HELPDESK_HANDLER(get_customer_timeline) {
  std::string id(ctx.param("id"));
  auto page = read_page(ctx);
  auto rows = co_await e.svc.support.timeline(ctx.caller(), id, page_of(page));
  co_return co_await messages_page(e, ctx, std::move(rows), page.limit);
}

HELPDESK_HANDLER(merge_customer) {
  std::string id(ctx.param("id"));
  // Visibility first: a caller outside the brand learns nothing from validation errors.
  co_await e.svc.support.card(ctx.caller(), id);
  auto doc = parse_json_body(ctx.req);
  field_reader in(doc, {"customer_id"});
  in.required("customer_id");
  auto other = in.string("customer_id", 64);
  in.finish();
  auto out = co_await e.svc.support.merge(ctx.caller(), id, *other);
  json body = customer_json(out.survivor.customer);
  body["merged"] = {{"customer_id", *other},
                    {"identities", out.counts.identities},
                    {"tickets", out.counts.tickets},
                    {"messages", out.counts.messages}};
  co_return json_response(bhttp::status::ok, body, ctx.req.version());
}

namespace {

// ?sort=sla_due pages on (due time, id): its cursor carries both.
std::string sla_cursor(const store::ticket_row& t) {
  return security::base64url(std::to_string(to_unix_micros(t.sla_due_at.value_or(timestamp{}))) + "," + t.id);
}

bool read_sla_cursor(const std::string& text, store::tickets::list_filter& f, page_params& page) {
  auto decoded = security::base64url_decode(text);
  if (!decoded) return false;
  const auto comma = decoded->find(',');
  if (comma == std::string::npos || !is_uuid(decoded->substr(comma + 1))) return false;
  try {
    std::size_t used = 0;
    const long long micros = std::stoll(decoded->substr(0, comma), &used);
    // Within years 0001..9999, as every instant this server writes.
    if (used != comma || micros < -62135596800000000LL || micros > 253402300799000000LL) return false;
    f.after_due = from_unix_micros(micros);
  } catch (const std::exception&) {
    return false;
  }
  page.after_id = decoded->substr(comma + 1);
  return true;
}

}  // namespace

HELPDESK_HANDLER(list_tickets) {
  store::tickets::list_filter f;
  std::vector<field_error> errors;
  const auto sort = ctx.query("sort");
  if (sort && *sort != "sla_due" && *sort != "newest")
    errors.push_back({"/query/sort", "must be newest (the default) or sla_due"});
  f.by_sla_due = sort == "sla_due";
  // The SLA order has its own cursor; the shared reader knows only ids.
  std::optional<std::string> cursor;
  if (f.by_sla_due) cursor = ctx.query("cursor");
  auto page = read_page(ctx, !f.by_sla_due);
  if (cursor && !cursor->empty() && !read_sla_cursor(*cursor, f, page))
    errors.push_back({"/query/cursor", "is not a cursor this server issued"});
  if (auto within = ctx.query("breaching_within")) {
    try {
      std::size_t used = 0;
      f.breaching_within = std::stoll(*within, &used);
      if (used != within->size() || *f.breaching_within < 0 || *f.breaching_within > 31622400) throw std::out_of_range("");
    } catch (const std::exception&) {
      errors.push_back({"/query/breaching_within", "must be a whole number of seconds from 0 to 31622400"});
    }
  }
  f.brand_id = ctx.query("brand");
  f.customer_id = ctx.query("customer");
  f.status = ctx.query("status");
  f.channel = ctx.query("channel");
  if (f.brand_id && !is_uuid(*f.brand_id)) errors.push_back({"/query/brand", "must be a brand id"});
  if (f.customer_id && !is_uuid(*f.customer_id)) errors.push_back({"/query/customer", "must be a customer id"});
  if (f.status && !parse_ticket_status(*f.status))
    errors.push_back({"/query/status", "must be one of new, open, pending, on_hold, solved, closed"});
  if (f.channel && !parse_channel(*f.channel))
    errors.push_back({"/query/channel", "must be one of email, phone, chat, note"});
  if (!errors.empty()) throw error::validation(std::move(errors), "The query parameters are invalid.");
  auto rows = co_await e.svc.support.list_tickets(ctx.caller(), f, page_of(page));
  std::optional<std::string> next;
  if (f.by_sla_due && rows.size() > page.limit) next = sla_cursor(rows[page.limit - 1]);
  json body = page_json(std::move(rows), page.limit, ticket_json);
  if (next) body["next_cursor"] = *next;
  co_return json_response(bhttp::status::ok, body, ctx.req.version());
}

HELPDESK_HANDLER(get_ticket) {
  std::string id(ctx.param("id"));
  auto t = co_await e.svc.support.ticket(ctx.caller(), id);
  json body = ticket_json(t);
  body["viewers"] = viewers_json(t.viewers);
  // A merged ticket redirects to the one that absorbed it (and still shows itself).
  auto res = json_response(t.merged_into ? bhttp::status::permanent_redirect : bhttp::status::ok, body, ctx.req.version());
  if (t.merged_into) res.set(bhttp::field::location, "/v1/tickets/" + *t.merged_into);
  res.set(bhttp::field::etag, "\"" + std::to_string(t.version) + "\"");
  co_return res;
}

namespace {

// If-Match: "7" (or W/"7"), as the ETag of GET /v1/tickets/{id} gives it.
std::optional<int> version_from_if_match(std::string_view v, std::vector<field_error>& errors) {
  if (v.rfind("W/", 0) == 0) v.remove_prefix(2);
  if (v.size() >= 3 && v.front() == '"' && v.back() == '"') {
    const std::string digits(v.substr(1, v.size() - 2));
    if (!digits.empty() && digits.size() < 10 && std::all_of(digits.begin(), digits.end(), ::isdigit))
      return std::stoi(digits);
  }
  errors.push_back({"/headers/If-Match", "must be the ticket's ETag, such as \"7\""});
  return std::nullopt;
}

}  // namespace

HELPDESK_HANDLER(patch_ticket) {
  const json doc = parse_json_body(ctx.req);
  field_reader in(doc, {"status", "priority", "tags", "version", "subject", "queue_id"});
  store::tickets::ticket_edit edit;
  edit.status = in.one_of("status", {"new", "open", "pending", "on_hold", "solved", "closed"});
  edit.priority = in.one_of("priority", {"low", "normal", "high", "urgent"});
  if (in.value("tags")) edit.tags = read_tags(in, "tags", "/tags", 50);
  edit.subject = in.string("subject", 500);
  if (edit.subject) {
    std::string clean;
    for (char c : *edit.subject) clean += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
    if (clean.find_first_not_of(' ') == std::string::npos) in.fail("/subject", "must not be empty");
    edit.subject = clean;
  }
  edit.queue_id = in.string("queue_id", 64);
  if (edit.queue_id && !is_uuid(*edit.queue_id)) in.fail("/queue_id", "is not a queue id");
  std::optional<int> version;
  if (auto v = in.integer("version", 1, 2147483647)) version = static_cast<int>(*v);
  std::vector<field_error> errors;
  if (auto header = ctx.req[bhttp::field::if_match]; !header.empty()) {
    auto from_header = version_from_if_match(header, errors);
    if (from_header && version && *from_header != *version)
      errors.push_back({"/version", "differs from If-Match; send one of them"});
    if (from_header) version = from_header;
  }
  for (auto& fe : errors) in.fail(fe.pointer, fe.message);
  if (!edit.status && !edit.priority && !edit.tags && !edit.subject && !edit.queue_id)
    in.fail("", "nothing to change: give status, priority, tags, subject or queue_id");
  in.finish();
  auto t = co_await e.svc.support.edit_ticket(ctx.caller(), std::string(ctx.param("id")), std::move(edit), version);
  auto res = json_response(bhttp::status::ok, ticket_json(t), ctx.req.version());
  res.set(bhttp::field::etag, "\"" + std::to_string(t.version) + "\"");
  co_return res;
}

HELPDESK_HANDLER(list_ticket_messages) {
  std::string id(ctx.param("id"));
  auto page = read_page(ctx);
  auto rows = co_await e.svc.support.messages(ctx.caller(), id, page_of(page));
  co_return co_await messages_page(e, ctx, std::move(rows), page.limit);
}

HELPDESK_HANDLER(get_attachment) {
  std::string id(ctx.param("id"));
  auto a = co_await e.svc.support.attachment(ctx.caller(), id);
  http::response res{bhttp::status::ok, ctx.req.version()};
  const bool plain = !a.content_type.empty() && std::all_of(a.content_type.begin(), a.content_type.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f;
  });
  res.set(bhttp::field::content_type, plain ? a.content_type : "application/octet-stream");
  // Never rendered inline by the browser: the content came from strangers.
  std::string safe_name;
  for (char c : a.filename) safe_name += (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) ? '_' : c;
  res.set(bhttp::field::content_disposition, "attachment; filename=\"" + safe_name + "\"");
  res.set("X-Content-Type-Options", "nosniff");
  res.set(bhttp::field::cache_control, "private, max-age=3600");
  res.set(bhttp::field::etag, "\"" + a.sha256 + "\"");
  res.body() = std::move(a.content);
  res.prepare_payload();
  co_return res;
}

}  // namespace helpdesk::api
