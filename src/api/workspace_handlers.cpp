// The agent workspace: replies, internal notes, delivery reports from the
// sending integrations, and the views of an agent's work.
#include <regex>

#include "handlers.hpp"
#include "helpdesk/domain/identity.hpp"
#include "helpdesk/domain/locale_codes.hpp"
#include "helpdesk/security/tokens.hpp"

namespace helpdesk::api {
namespace {

constexpr std::size_t max_text = 100000;

json reply_json(const app::reply_outcome& r) {
  return {{"message", message_json(r.message)}, {"ticket", ticket_json(r.ticket)}, {"follow_up", r.follow_up}};
}

// "rank|due|created|id", base64url: opaque to clients.
std::optional<std::string> read_view_cursor(const std::string& text) {
  auto raw = security::base64url_decode(text);
  if (!raw) return std::nullopt;
  static const std::regex shape("^[0-3]\\|-?[0-9]{1,19}\\|-?[0-9]{1,19}\\|[0-9a-f-]{36}$");
  if (!std::regex_match(*raw, shape) || !is_uuid(raw->substr(raw->rfind('|') + 1))) return std::nullopt;
  return raw;
}

long long read_within(const http::request_context& ctx) {
  auto w = ctx.query("within_s");
  if (!w) return 3600;
  try {
    std::size_t used = 0;
    long long v = std::stoll(*w, &used);
    if (used == w->size() && v >= 0 && v <= 30LL * 86400) return v;
  } catch (const std::exception&) {
  }
  throw error::validation({{"/query/within_s", "must be a whole number of seconds from 0 to 2592000"}});
}

json canned_json(const store::canned_responses::row& r) {
  return {{"id", r.id},
          {"brand_id", r.brand_id},
          {"language", opt_text(r.language)},
          {"name", r.name},
          {"body", r.body},
          {"created_at", format_rfc3339(r.created_at)},
          {"updated_at", format_rfc3339(r.updated_at)}};
}

std::optional<std::optional<std::string>> read_language(field_reader& in, const json& doc) {
  if (!doc.is_object() || !doc.contains("language")) return std::nullopt;
  if (doc["language"].is_null()) return std::optional<std::string>();
  auto code = in.string("language", 8);
  if (code && !is_language_code(lower_ascii(*code))) {
    in.fail("/language", "must be an ISO 639-1 code or null");
    return std::nullopt;
  }
  return code ? std::optional<std::string>(lower_ascii(*code)) : std::optional<std::string>();
}

}  // namespace

HELPDESK_HANDLER(list_canned_responses) {
  auto page = read_page(ctx);
  store::canned_responses::filter f;
  f.brand_id = ctx.query("brand_id");
  f.language = ctx.query("language");
  if (f.brand_id && !is_uuid(*f.brand_id)) throw error::validation({{"/query/brand_id", "is not a brand id"}});
  if (f.language && !is_language_code(*f.language))
    throw error::validation({{"/query/language", "must be an ISO 639-1 code"}});
  const auto wanted = page_of(page);  // named: g++ 12 mishandles braced temporaries in co_await
  auto rows = co_await e.svc.workspace.list_canned(ctx.caller(), f, wanted);
  co_return json_response(bhttp::status::ok, page_json(std::move(rows), page.limit, canned_json), ctx.req.version());
}

HELPDESK_HANDLER(create_canned_response) {
  const json doc = parse_json_body(ctx.req);
  field_reader in(doc, {"brand_id", "language", "name", "body"});
  in.required("brand_id");
  in.required("name");
  in.required("body");
  store::canned_responses::row r;
  r.brand_id = in.string("brand_id", 64).value_or("");
  r.name = in.string("name", 200).value_or("");
  r.body = in.string("body", max_text).value_or("");
  if (doc.contains("name") && r.name.empty()) in.fail("/name", "must not be empty");
  if (auto l = read_language(in, doc)) r.language = *l;
  in.finish();
  auto made = co_await e.svc.workspace.create_canned(ctx.caller(), std::move(r));
  auto res = json_response(bhttp::status::created, canned_json(made), ctx.req.version());
  res.set(bhttp::field::location, "/v1/canned-responses/" + made.id);
  co_return res;
}

HELPDESK_HANDLER(get_canned_response) {
  auto r = co_await e.svc.workspace.canned(ctx.caller(), std::string(ctx.param("id")));
  co_return json_response(bhttp::status::ok, canned_json(r), ctx.req.version());
}

HELPDESK_HANDLER(patch_canned_response) {
  const json doc = parse_json_body(ctx.req);
  field_reader in(doc, {"language", "name", "body"});
  auto name = in.string("name", 200);
  auto body = in.string("body", max_text);
  if (name && name->empty()) in.fail("/name", "must not be empty");
  auto language = read_language(in, doc);
  in.finish();
  auto r = co_await e.svc.workspace.update_canned(ctx.caller(), std::string(ctx.param("id")), name, body, language);
  co_return json_response(bhttp::status::ok, canned_json(r), ctx.req.version());
}

HELPDESK_HANDLER(delete_canned_response) {
  co_await e.svc.workspace.delete_canned(ctx.caller(), std::string(ctx.param("id")));
  co_return no_content_response(ctx.req.version());
}

HELPDESK_HANDLER(post_ticket_reply) {
  const json doc = parse_json_body(ctx.req);
  field_reader in(doc, {"body_text", "body_html", "channel", "cc", "status_after", "canned_response_id"});
  app::reply_draft d;
  d.canned_response_id = in.string("canned_response_id", 64);
  if (d.canned_response_id && !is_uuid(*d.canned_response_id))
    in.fail("/canned_response_id", "is not a canned response id");
  if (!d.canned_response_id) in.required("body_text");
  else if (doc.contains("body_text")) in.fail("/body_text", "give body_text or canned_response_id, not both");
  d.body_text = in.string("body_text", max_text).value_or("");
  if (doc.contains("body_text") && d.body_text.find_first_not_of(" \t\r\n") == std::string::npos)
    in.fail("/body_text", "must not be empty");
  d.body_html = in.string("body_html", 10 * max_text).value_or("");
  d.channel = in.one_of("channel", {"email", "chat", "phone"});
  d.status_after = in.one_of("status_after", {"open", "pending", "on_hold", "solved"});
  const auto cc = in.string_array("cc", 20).value_or(std::vector<std::string>{});
  for (std::size_t i = 0; i < cc.size(); ++i) {
    if (auto a = normalize_email(cc[i])) d.cc.push_back(*a);
    else in.fail("/cc/" + std::to_string(i), "is not an email address");
  }
  in.finish();
  auto out = co_await e.svc.workspace.reply(ctx.caller(), std::string(ctx.param("id")), std::move(d));
  auto res = json_response(bhttp::status::created, reply_json(out), ctx.req.version());
  res.set(bhttp::field::location, "/v1/tickets/" + out.ticket.id + "/messages");
  co_return res;
}

HELPDESK_HANDLER(post_ticket_note) {
  const json doc = parse_json_body(ctx.req);
  field_reader in(doc, {"body_text", "mentions"});
  in.required("body_text");
  app::note_draft d;
  d.body_text = in.string("body_text", max_text).value_or("");
  if (doc.contains("body_text") && d.body_text.find_first_not_of(" \t\r\n") == std::string::npos)
    in.fail("/body_text", "must not be empty");
  d.mention_ids = in.string_array("mentions", 50).value_or(std::vector<std::string>{});
  in.finish();
  auto m = co_await e.svc.workspace.note(ctx.caller(), std::string(ctx.param("id")), std::move(d));
  co_return json_response(bhttp::status::created, message_json(m), ctx.req.version());
}

HELPDESK_HANDLER(post_outbound_status) {
  const json doc = parse_json_body(ctx.req);
  field_reader in(doc, {"status", "reason", "at"});
  in.required("status");
  const auto status = in.one_of("status", {"sent", "delivered", "failed", "bounced"}).value_or("");
  const auto reason = in.string("reason", 2000).value_or("");
  const auto at = in.instant("at").value_or(now_utc());
  in.finish();
  auto m = co_await e.svc.workspace.report_delivery(ctx.caller(), std::string(ctx.param("message_id")), status, reason, at);
  co_return json_response(bhttp::status::ok, message_json(m), ctx.req.version());
}

HELPDESK_HANDLER(post_ticket_viewing) {
  json doc = ctx.req.body().empty() ? json::object() : parse_json_body(ctx.req);
  field_reader in(doc, {"composing"});
  const bool composing = in.boolean("composing").value_or(false);
  in.finish();
  auto others = co_await e.svc.workspace.viewing(ctx.caller(), std::string(ctx.param("id")), composing);
  co_return json_response(bhttp::status::ok, {{"viewers", viewers_json(others)}, {"expires_in_s", 30}},
                          ctx.req.version());
}

HELPDESK_HANDLER(post_ticket_merge) {
  const json doc = parse_json_body(ctx.req);
  field_reader in(doc, {"into"});
  in.required("into");
  const auto into = in.string("into", 64).value_or("");
  in.finish();
  auto r = co_await e.svc.workspace.merge(ctx.caller(), std::string(ctx.param("id")), into);
  co_return json_response(bhttp::status::ok, {{"ticket", ticket_json(r.target)}, {"moved_messages", r.messages}},
                          ctx.req.version());
}

HELPDESK_HANDLER(get_search) {
  const auto q = ctx.query("q").value_or("");
  std::vector<field_error> errors;
  if (q.find_first_not_of(" \t") == std::string::npos) errors.push_back({"/query/q", "must not be empty"});
  if (q.size() > 500) errors.push_back({"/query/q", "must be at most 500 bytes"});
  auto brand_id = ctx.query("brand_id");
  if (brand_id && !is_uuid(*brand_id)) errors.push_back({"/query/brand_id", "is not a brand id"});
  auto page = read_page(ctx, false);
  std::size_t offset = 0;
  if (auto cursor = ctx.query("cursor"); cursor && !cursor->empty()) {
    auto raw = security::base64url_decode(*cursor);
    try {
      std::size_t used = 0;
      offset = raw && raw->rfind("o:", 0) == 0 ? std::stoul(raw->substr(2), &used) : 0;
      if (!raw || raw->rfind("o:", 0) != 0 || used != raw->size() - 2 || offset > 10000) throw std::invalid_argument("");
    } catch (const std::exception&) {
      errors.push_back({"/query/cursor", "is not a cursor this server issued"});
    }
  }
  if (!errors.empty()) throw error::validation(std::move(errors), "The query parameters are invalid.");
  auto hits = co_await e.svc.workspace.search(ctx.caller(), q, brand_id, offset, page.limit + 1);
  const bool more = hits.size() > page.limit;
  if (more) hits.pop_back();
  json items = json::array();
  for (const auto& h : hits)
    items.push_back({{"ticket", ticket_json(h.ticket)}, {"rank", h.rank}, {"matched", h.matched}, {"snippet", h.snippet}});
  json body = {{"items", items},
               {"next_cursor", more ? json(security::base64url("o:" + std::to_string(offset + page.limit))) : json(nullptr)}};
  co_return json_response(bhttp::status::ok, body, ctx.req.version());
}

HELPDESK_HANDLER(get_views) {
  const auto within = read_within(ctx);
  auto c = co_await e.svc.workspace.view_counts(ctx.caller(), within);
  json views = json::array();
  for (auto [name, n] : {std::pair{"mine", c.mine}, {"unassigned", c.unassigned}, {"breaching", c.breaching},
                         {"callbacks", c.callbacks}})
    views.push_back({{"name", name}, {"count", n}, {"url", std::string("/v1/views/") + name}});
  co_return json_response(bhttp::status::ok, {{"items", views}, {"breaching_within_s", within}}, ctx.req.version());
}

HELPDESK_HANDLER(get_view) {
  const std::string name(ctx.param("name"));
  store::views::view_query q;
  if (name == "mine") q.which = store::views::view::mine;
  else if (name == "unassigned") q.which = store::views::view::unassigned;
  else if (name == "breaching") q.which = store::views::view::breaching;
  else if (name == "callbacks") q.which = store::views::view::callbacks;
  else throw error::not_found("view");
  q.breaching_within_s = read_within(ctx);
  auto page = read_page(ctx, false);
  if (auto cursor = ctx.query("cursor"); cursor && !cursor->empty()) {
    auto raw = read_view_cursor(*cursor);
    if (!raw) throw error::validation({{"/query/cursor", "is not a cursor this server issued"}});
    q.after = *raw;
  }
  q.limit = page.limit + 1;
  auto rows = co_await e.svc.workspace.view(ctx.caller(), q);
  std::optional<std::string> next;
  if (rows.size() > page.limit) next = security::base64url(store::views::cursor_of(rows[page.limit - 1]));
  json body = page_json(std::move(rows), page.limit, ticket_json);
  body["next_cursor"] = next ? json(*next) : json(nullptr);
  co_return json_response(bhttp::status::ok, body, ctx.req.version());
}

}  // namespace helpdesk::api
