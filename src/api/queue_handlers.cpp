// Queues per brand: CRUD for managers, and the waiting list.
#include "handlers.hpp"
#include "helpdesk/domain/locale_codes.hpp"

namespace helpdesk::api {

std::vector<std::string> read_tags(field_reader& in, const std::string& key, const std::string& at, std::size_t max) {
  std::vector<std::string> out;
  const auto raw = in.string_array(key, max).value_or(std::vector<std::string>{});
  for (std::size_t i = 0; i < raw.size(); ++i) {
    auto tag = normalize_tag(raw[i]);
    if (!tag) in.fail(at + "/" + std::to_string(i), "must be 1 to 64 of the characters a-z 0-9 _ : . -");
    else if (std::find(out.begin(), out.end(), *tag) == out.end()) out.push_back(std::move(*tag));
  }
  return out;
}

namespace {

constexpr const char* tag_rule = "must be 1 to 64 of the characters a-z 0-9 _ : . -";

std::vector<std::string> language_array(field_reader& in, const json& doc, const std::string& key,
                                        const std::string& at, bool star) {
  std::vector<std::string> out;
  if (!doc.contains(key)) return out;
  const json& v = doc[key];
  std::vector<std::string> raw;
  if (v.is_string()) raw.push_back(v.get<std::string>());
  else if (v.is_array() && v.size() <= 50 && std::all_of(v.begin(), v.end(), [](const json& x) { return x.is_string(); }))
    raw = v.get<std::vector<std::string>>();
  else {
    in.fail(at, "must be a language code or an array of at most 50 codes");
    return out;
  }
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const std::string code = lower_ascii(raw[i]);
    if ((star && code == "*") || is_language_code(code)) out.push_back(code);
    else in.fail(at + (v.is_array() ? "/" + std::to_string(i) : ""), star ? "must be an ISO 639-1 code or *" : "must be an ISO 639-1 code");
  }
  return out;
}

void read_conditions(field_reader& in, routing::queue_conditions& c) {
  const json* doc = in.value("conditions");
  if (!doc) return;
  field_reader r(*doc, {"channel", "language", "tags", "source", "callback_required"}, "/conditions");
  if (auto ch = r.one_of("channel", {"email", "chat", "phone"})) c.channel = routing::parse_work_channel(*ch);
  if (doc->is_object()) c.languages = language_array(r, *doc, "language", "/conditions/language", false);
  c.tags = read_tags(r, "tags", "/conditions/tags", 50);
  if (auto s = r.string("source", 64)) {
    c.source = normalize_tag(*s);
    if (!c.source) r.fail("/conditions/source", tag_rule);
  }
  c.callback_required = r.boolean("callback_required");
  in.absorb(r);
}

void read_overflow(field_reader& in, std::vector<routing::overflow_step>& steps) {
  const json* list = in.value("overflow");
  if (!list) return;
  if (!list->is_array() || list->size() > 10) {
    in.fail("/overflow", "must be an array of at most 10 steps");
    return;
  }
  steps.clear();
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string at = "/overflow/" + std::to_string(i);
    field_reader s((*list)[i], {"after_seconds", "fallback_languages", "allow_backup_agents", "drop_optional_skills"}, at);
    s.required("after_seconds");
    routing::overflow_step step;
    step.after_seconds = s.integer("after_seconds", 0, 30L * 86400).value_or(0);
    if ((*list)[i].is_object())
      step.fallback_languages = language_array(s, (*list)[i], "fallback_languages", at + "/fallback_languages", true);
    step.allow_backup_agents = s.boolean("allow_backup_agents").value_or(false);
    step.drop_optional_skills = s.boolean("drop_optional_skills").value_or(false);
    in.absorb(s);
    steps.push_back(std::move(step));
  }
  std::stable_sort(steps.begin(), steps.end(),
                   [](const auto& a, const auto& b) { return a.after_seconds < b.after_seconds; });
}

// Fills `q` from the body: every field for a create, the named ones for a PATCH.
void read_queue(const json& doc, routing::queue_def& q, bool creating) {
  field_reader in(doc, {"brand_id", "name", "position", "mode", "conditions", "required_skills", "optional_skills",
                        "min_language_level", "overflow"});
  if (creating) {
    in.required("brand_id");
    in.required("name");
    q.brand_id = in.string("brand_id", 64).value_or("");
  } else if (auto b = in.string("brand_id", 64)) {
    q.brand_id = *b;
  }
  if (auto n = in.string("name", 200)) {
    q.name = *n;
    if (n->empty()) in.fail("/name", "must not be empty");
  }
  if (auto p = in.integer("position", 0, 100000)) q.position = static_cast<int>(*p);
  if (auto m = in.one_of("mode", {"push", "pull"})) q.mode = *routing::parse_queue_mode(*m);
  if (in.value("conditions")) {
    q.conditions = {};
    read_conditions(in, q.conditions);
  }
  if (in.value("required_skills")) q.required_skills = read_tags(in, "required_skills", "/required_skills", 30);
  if (in.value("optional_skills")) q.optional_skills = read_tags(in, "optional_skills", "/optional_skills", 30);
  if (auto l = in.one_of("min_language_level", {"basic", "fluent", "native"}))
    q.min_language_level = *routing::parse_language_level(*l);
  read_overflow(in, q.overflow);
  in.finish();
  if (q.is_default && !q.conditions.empty())
    throw error::validation({{"/conditions", "the default queue takes every ticket no other queue matches"}});
}

}  // namespace

json queue_json(const routing::queue_def& q) {
  json conditions = json::object();
  const auto& c = q.conditions;
  if (c.channel) conditions["channel"] = std::string(routing::to_string(*c.channel));
  if (!c.languages.empty()) conditions["language"] = c.languages;
  if (!c.tags.empty()) conditions["tags"] = c.tags;
  if (c.source) conditions["source"] = *c.source;
  if (c.callback_required) conditions["callback_required"] = *c.callback_required;
  json overflow = json::array();
  for (const auto& s : q.overflow)
    overflow.push_back({{"after_seconds", s.after_seconds},
                        {"fallback_languages", s.fallback_languages},
                        {"allow_backup_agents", s.allow_backup_agents},
                        {"drop_optional_skills", s.drop_optional_skills}});
  return {{"id", q.id},
          {"brand_id", q.brand_id},
          {"name", q.name},
          {"position", q.position},
          {"default", q.is_default},
          {"mode", std::string(routing::to_string(q.mode))},
          {"conditions", conditions},
          {"required_skills", q.required_skills},
          {"optional_skills", q.optional_skills},
          {"min_language_level", std::string(routing::to_string(q.min_language_level))},
          {"overflow", overflow}};
}

HELPDESK_HANDLER(list_queues) {
  auto page = read_page(ctx);
  auto brand = ctx.query("brand_id");
  store::page_request query{page.limit + 1, page.after_id};
  auto rows = co_await e.svc.router.list_queues(ctx.caller(), brand, query);
  co_return json_response(bhttp::status::ok, page_json(std::move(rows), page.limit, queue_json), ctx.req.version());
}

HELPDESK_HANDLER(create_queue) {
  routing::queue_def q;
  read_queue(parse_json_body(ctx.req), q, true);
  auto made = co_await e.svc.router.create_queue(ctx.caller(), std::move(q));
  auto res = json_response(bhttp::status::created, queue_json(made), ctx.req.version());
  res.set(bhttp::field::location, "/v1/queues/" + made.id);
  co_return res;
}

HELPDESK_HANDLER(get_queue) {
  auto q = co_await e.svc.router.queue(ctx.caller(), std::string(ctx.param("id")));
  co_return json_response(bhttp::status::ok, queue_json(q), ctx.req.version());
}

HELPDESK_HANDLER(patch_queue) {
  auto q = co_await e.svc.router.queue(ctx.caller(), std::string(ctx.param("id")));
  read_queue(parse_json_body(ctx.req), q, false);
  auto updated = co_await e.svc.router.update_queue(ctx.caller(), std::move(q));
  co_return json_response(bhttp::status::ok, queue_json(updated), ctx.req.version());
}

HELPDESK_HANDLER(delete_queue) {
  co_await e.svc.router.delete_queue(ctx.caller(), std::string(ctx.param("id")));
  co_return no_content_response(ctx.req.version());
}

HELPDESK_HANDLER(list_queue_waiting) {
  std::string id(ctx.param("id"));
  int limit = 50;
  if (auto l = ctx.query("limit")) {
    try {
      limit = std::stoi(*l);
    } catch (const std::exception&) {
      limit = -1;
    }
    if (limit < 1 || limit > 500) throw error::validation({{"/limit", "must be 1 to 500"}}, "Invalid query parameter.");
  }
  auto rows = co_await e.svc.router.waiting(ctx.caller(), id, limit);
  json items = json::array();
  for (const auto& t : rows) items.push_back(ticket_json(t));
  co_return json_response(bhttp::status::ok, {{"queue_id", id}, {"items", items}}, ctx.req.version());
}

}  // namespace helpdesk::api
