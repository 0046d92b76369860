// Webhooks of the integrations: email (raw MIME or JSON), call events, chat.
#include "handlers.hpp"
#include "helpdesk/domain/locale_codes.hpp"
#include "helpdesk/security/tokens.hpp"

namespace helpdesk::api {
namespace {

constexpr std::size_t raw_email_limit = 25u << 20;

bool content_type_is(const request_context& ctx, std::string_view wanted) {
  auto type = ctx.req[bhttp::field::content_type];
  auto semi = type.find(';');
  auto bare = type.substr(0, semi);
  while (!bare.empty() && bare.back() == ' ') bare.remove_suffix(1);
  return beast::iequals(bare, wanted);
}

// The Idempotency-Key header: 1 to 255 visible ASCII characters.
std::optional<std::string> idempotency_key(const request_context& ctx) {
  auto it = ctx.req.find("Idempotency-Key");
  if (it == ctx.req.end()) return std::nullopt;
  auto v = it->value();
  bool ok = !v.empty() && v.size() <= 255;
  for (char c : v) ok = ok && c > 0x20 && c < 0x7f;
  if (!ok) throw error(errc::bad_request, "Idempotency-Key must be 1 to 255 visible ASCII characters.");
  return std::string(v);
}

app::ingest_meta meta_of(const request_context& ctx, std::string sha) {
  app::ingest_meta meta;
  meta.brand = ctx.query("brand");
  if (meta.brand && meta.brand->empty()) meta.brand.reset();
  meta.idempotency_key = idempotency_key(ctx);
  meta.route = ctx.matched ? std::string(ctx.req.method_string()) + " " + ctx.matched->path : std::string(ctx.path());
  // The brand named in the URL is part of the request an Idempotency-Key stands for.
  meta.request_sha256 = meta.brand ? security::sha256_hex(sha + "|" + *meta.brand) : std::move(sha);
  return meta;
}

http::response ingest_response(env& e, const request_context& ctx, const app::ingest_result& r) {
  if (!r.replayed) e.svc.router.kick();  // a new or reopened ticket may be waiting
  json body = {{"ticket_id", r.ticket_id},
               {"ticket_number", r.ticket_number},
               {"customer_id", r.customer_id},
               {"message_id", r.message_id.empty() ? json(nullptr) : json(r.message_id)}};
  auto res = json_response(r.replayed ? bhttp::status::ok : bhttp::status::created, body, ctx.req.version());
  res.set(bhttp::field::location, "/v1/tickets/" + r.ticket_id);
  if (r.replayed) res.set("Idempotent-Replayed", "true");
  return res;
}

// "type/subtype" with token characters only (RFC 9110), so it is safe to echo in a header.
bool is_media_type(std::string_view v) {
  auto slash = v.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == v.size()) return false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (i == slash) continue;
    const bool token = std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$&-^_.+").find(c) != std::string_view::npos;
    if (!token) return false;
  }
  return true;
}

std::vector<std::string> string_list(field_reader& in, const std::string& key) {
  return in.string_array(key, 100).value_or(std::vector<std::string>{});
}

// "pl", "PL" or "pl-PL": the ISO 639-1 code the router matches agents on.
std::optional<std::string> language_field(field_reader& in) {
  auto raw = in.string("language", 35);
  if (!raw) return std::nullopt;
  std::string code = lower_ascii(raw->substr(0, raw->find_first_of("-_")));
  if (!is_language_code(code)) {
    in.fail("/language", "must be an ISO 639-1 code such as cs, or a tag such as cs-CZ");
    return std::nullopt;
  }
  return code;
}

// Tags as the router and reports compare them; a tag that cannot be one is
// refused rather than silently changed.
std::vector<std::string> tag_list(field_reader& in) {
  std::vector<std::string> out;
  const auto raw = in.string_array("tags", 20).value_or(std::vector<std::string>{});
  for (std::size_t i = 0; i < raw.size(); ++i) {
    auto tag = normalize_tag(raw[i]);
    if (!tag) in.fail("/tags/" + std::to_string(i), "must be 1 to 64 of the characters a-z 0-9 _ : . -");
    else if (std::find(out.begin(), out.end(), *tag) == out.end()) out.push_back(std::move(*tag));
  }
  return out;
}

app::inbound_email read_email_json(const json& doc) {
  field_reader in(doc, {"from", "to", "cc", "reply_to", "subject", "text", "html", "message_id", "in_reply_to",
                        "references", "date", "headers", "attachments", "external_ids", "language", "tags",
                        "source"});
  app::inbound_email m;
  in.required("from");
  m.from = in.string("from", 1000).value_or("");
  m.to = string_list(in, "to");
  m.cc = string_list(in, "cc");
  m.reply_to = in.string("reply_to", 1000).value_or("");
  m.subject = in.string("subject", 2000).value_or("");
  m.text = in.string("text", raw_email_limit).value_or("");
  m.html = in.string("html", raw_email_limit).value_or("");
  m.message_id = in.string("message_id", 998).value_or("");
  if (m.message_id.size() > 2 && m.message_id.front() == '<' && m.message_id.back() == '>')
    m.message_id = m.message_id.substr(1, m.message_id.size() - 2);
  m.in_reply_to = in.string("in_reply_to", 998).value_or("");
  if (const json* refs = in.value("references"); refs && refs->is_string())
    m.references = split_message_ids(refs->get<std::string>());
  else
    m.references = string_list(in, "references");
  m.date = in.instant("date");
  if (const json* headers = in.value("headers")) {
    if (!headers->is_object()) in.fail("/headers", "must be an object of header names to string values");
    else
      for (const auto& [name, value] : headers->items()) {
        if (value.is_string() && value.get_ref<const std::string&>().size() <= 10000 &&
            value.get_ref<const std::string&>().find('\0') == std::string::npos && name.find('\0') == std::string::npos)
          m.headers.emplace_back(name, value.get<std::string>());
        else
          in.fail("/headers/" + name, "must be a string of at most 10000 bytes without NUL characters");
      }
  }
  if (const json* list = in.value("attachments")) {
    if (!list->is_array() || list->size() > 100) in.fail("/attachments", "must be an array of at most 100 attachments");
    else
      for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string at = "/attachments/" + std::to_string(i);
        field_reader a((*list)[i], {"filename", "content_type", "content_base64", "content_id", "inline"}, at);
        a.required("filename");
        a.required("content_base64");
        mail::attachment file;
        file.filename = a.string("filename", 255).value_or("");
        file.content_type = a.string("content_type", 255).value_or("application/octet-stream");
        if (!is_media_type(file.content_type))
          a.fail(at + "/content_type", "must be a media type such as application/pdf");
        file.content_id = a.string("content_id", 255).value_or("");
        file.is_inline = a.boolean("inline").value_or(false);
        if (auto b64 = a.string("content_base64", raw_email_limit * 2)) {
          auto bytes = security::base64_decode(*b64);
          if (!bytes) a.fail(at + "/content_base64", "is not valid base64");
          else if (bytes->size() > raw_email_limit)
            throw error(errc::payload_too_large, "Attachment " + std::to_string(i) + " is larger than 25 MiB.");
          else file.data = std::move(*bytes);
        }
        in.absorb(a);
        m.attachments.push_back(std::move(file));
      }
  }
  m.external_ids = string_list(in, "external_ids");
  for (std::size_t i = 0; i < m.external_ids.size(); ++i)
    if (m.external_ids[i].size() > 200) in.fail("/external_ids/" + std::to_string(i), "must be at most 200 bytes");
  m.language = language_field(in);
  m.tags = tag_list(in);
  if (auto source = in.string("source", 64)) {
    m.source = normalize_tag(*source);
    if (!m.source) in.fail("/source", "must be 1 to 64 of the characters a-z 0-9 _ : . -");
  }
  in.finish();
  return m;
}

app::inbound_call read_call(const json& doc) {
  field_reader in(doc, {"call_id", "event", "direction", "from", "to", "at", "agent_id", "wait_seconds",
                        "duration_seconds", "recording_url", "voicemail_url", "sequence"});
  app::inbound_call c;
  in.required("call_id");
  in.required("event");
  in.required("from");
  in.required("at");
  c.call_id = in.string("call_id", 200).value_or("");
  if (doc.contains("call_id") && c.call_id.empty() && doc["call_id"].is_string()) in.fail("/call_id", "must not be empty");
  if (auto e = in.one_of("event", {"ringing", "answered", "missed", "voicemail", "completed", "transferred"}))
    c.event = *parse_call_event_kind(*e);
  c.inbound = in.one_of("direction", {"inbound", "outbound"}).value_or("inbound") == "inbound";
  c.from = in.string("from", 300).value_or("");
  c.to = in.string("to", 300).value_or("");
  c.at = in.instant("at").value_or(timestamp{});
  c.agent_id = in.string("agent_id", 100);
  c.wait_seconds = in.integer("wait_seconds", 0, 86400 * 7);
  c.duration_seconds = in.integer("duration_seconds", 0, 86400 * 7);
  c.recording_url = in.string("recording_url", 2000).value_or("");
  c.voicemail_url = in.string("voicemail_url", 2000).value_or("");
  c.sequence = in.integer("sequence", 0, 1LL << 53);
  in.finish();
  return c;
}

app::inbound_chat read_chat(const json& doc) {
  field_reader in(doc, {"session_id", "event", "message_id", "sender", "visitor", "text", "at", "language", "tags"});
  app::inbound_chat c;
  in.required("session_id");
  in.required("at");
  c.session_id = in.string("session_id", 200).value_or("");
  if (doc.contains("session_id") && doc["session_id"] == "") in.fail("/session_id", "must not be empty");
  c.ended = in.one_of("event", {"message", "ended"}).value_or("message") == "ended";
  c.at = in.instant("at").value_or(timestamp{});
  if (!c.ended) {
    in.required("message_id");
    in.required("sender");
    in.required("text");
    in.required("visitor");
  }
  c.message_id = in.string("message_id", 200).value_or("");
  if (doc.contains("message_id") && doc["message_id"] == "") in.fail("/message_id", "must not be empty");
  c.sender = in.one_of("sender", {"visitor", "agent", "bot"}).value_or("visitor");
  c.text = in.string("text", 100000).value_or("");
  c.language = language_field(in);
  c.tags = tag_list(in);
  if (const json* v = in.value("visitor")) {
    field_reader visitor(*v, {"name", "email", "phone", "handle"}, "/visitor");
    c.visitor.name = visitor.string("name", 200).value_or("");
    c.visitor.email = visitor.string("email", 320).value_or("");
    c.visitor.phone = visitor.string("phone", 64).value_or("");
    c.visitor.handle = visitor.string("handle", 200).value_or("");
    if (v->is_object() && c.visitor.handle.empty() && c.visitor.email.empty() && c.visitor.phone.empty())
      visitor.fail("/visitor/handle", "is required when neither email nor phone is given");
    in.absorb(visitor);
  }
  in.finish();
  return c;
}

}  // namespace

HELPDESK_HANDLER(post_inbound_email) {
  if (content_type_is(ctx, "message/rfc822")) {
    if (ctx.req.body().size() > raw_email_limit)
      throw error(errc::payload_too_large, "A raw email may be at most 25 MiB.");
    auto meta = meta_of(ctx, security::sha256_hex(ctx.req.body()));
    auto r = co_await e.svc.ingest.raw_email(ctx.caller(), std::move(meta), ctx.req.body());
    co_return ingest_response(e, ctx, r);
  }
  if (!content_type_is(ctx, "application/json"))
    throw error(errc::unsupported_media_type,
                "Send the email as message/rfc822 (the raw message) or application/json.");
  struct parsed {
    app::inbound_email mail;
    std::string sha;
  };
  auto parse = [&req = ctx.req] {
    auto doc = parse_json_body(req);
    auto mail = read_email_json(doc);
    return parsed{std::move(mail), canonical_sha256(doc)};
  };
  // Big bodies (attachments in base64) are parsed on the CPU pool.
  std::optional<parsed> p;
  if (ctx.req.body().size() > (256u << 10)) p = co_await e.svc.cpu.run(std::move(parse));
  else p = parse();
  auto meta = meta_of(ctx, std::move(p->sha));
  auto r = co_await e.svc.ingest.email(ctx.caller(), std::move(meta), std::move(p->mail));
  co_return ingest_response(e, ctx, r);
}

HELPDESK_HANDLER(post_inbound_call) {
  auto doc = parse_json_body(ctx.req);
  auto c = read_call(doc);
  auto meta = meta_of(ctx, canonical_sha256(doc));
  auto r = co_await e.svc.ingest.call(ctx.caller(), std::move(meta), std::move(c));
  co_return ingest_response(e, ctx, r);
}

HELPDESK_HANDLER(post_inbound_chat) {
  auto doc = parse_json_body(ctx.req);
  auto c = read_chat(doc);
  auto meta = meta_of(ctx, canonical_sha256(doc));
  auto r = co_await e.svc.ingest.chat(ctx.caller(), std::move(meta), std::move(c));
  co_return ingest_response(e, ctx, r);
}

}  // namespace helpdesk::api
