#include "handlers.hpp"

namespace helpdesk::api {
namespace {

void read_languages(field_reader& in, agent_fields& f) {
  const json* list = in.value("languages");
  if (!list) return;
  if (!list->is_array() || list->size() > 30) {
    in.fail("/languages", "must be an array of at most 30 {code, level} objects");
    return;
  }
  std::vector<routing::agent_language> out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string at = "/languages/" + std::to_string(i);
    field_reader item((*list)[i], {"code", "level"}, at);
    item.required("code");
    routing::agent_language l;
    l.code = lower_ascii(item.string("code", 8).value_or(""));
    if (auto level = item.one_of("level", {"native", "fluent", "basic"})) l.level = *routing::parse_language_level(*level);
    in.absorb(item);
    out.push_back(std::move(l));
  }
  f.languages = std::move(out);
}

void read_routing_profile(field_reader& in, agent_fields& f) {
  read_languages(in, f);
  if (auto skills = in.string_array("skills", 100)) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < skills->size(); ++i) {
      auto skill = normalize_tag((*skills)[i]);
      if (!skill) in.fail("/skills/" + std::to_string(i), "must be 1 to 64 of the characters a-z 0-9 _ : . -");
      else if (std::find(out.begin(), out.end(), *skill) == out.end()) out.push_back(std::move(*skill));
    }
    f.skills = std::move(out);
  }
  if (const json* capacity = in.value("capacity")) {
    field_reader c(*capacity, {"email", "chat", "phone"}, "/capacity");
    routing::per_channel values{-1, -1, -1};  // a channel not named keeps its capacity
    for (std::size_t ch = 0; ch < routing::work_channel_count; ++ch) {
      const std::string name(routing::to_string(static_cast<routing::work_channel>(ch)));
      if (auto v = c.integer(name, 0, 1000)) values[ch] = static_cast<int>(*v);
    }
    in.absorb(c);
    f.capacity = values;
  }
}

agent_fields read_agent_fields(const json& doc) {
  field_reader in(doc, {"name", "email", "role", "password", "active", "brands", "languages", "skills", "capacity"});
  agent_fields f;
  f.name = in.string("name", 200);
  f.email = in.string("email", 254);
  f.password = in.string("password", 256);
  f.active = in.boolean("active");
  if (auto r = in.string("role", 32)) {
    f.role_ = parse_role(*r);
    if (!f.role_) in.fail("/role", "must be one of admin, manager, agent");
  }
  if (const json* brands = in.value("brands")) {
    if (!brands->is_array() || brands->size() > 100) {
      in.fail("/brands", "must be an array of at most 100 {brand_id, role} objects");
    } else {
      std::vector<agent_brand> list;
      for (std::size_t i = 0; i < brands->size(); ++i) {
        const json& item = (*brands)[i];
        const std::string ptr = "/brands/" + std::to_string(i);
        if (!item.is_object() || !item.contains("brand_id") || !item["brand_id"].is_string()) {
          in.fail(ptr + "/brand_id", "is required and must be a string");
          continue;
        }
        agent_brand ab{item["brand_id"].get<std::string>(), brand_membership::primary};
        if (item.contains("role")) {
          auto m = item["role"].is_string() ? parse_brand_membership(item["role"].get<std::string>()) : std::nullopt;
          if (!m) in.fail(ptr + "/role", "must be primary or backup");
          else ab.membership = *m;
        }
        for (const auto& [k, v] : item.items())
          if (k != "brand_id" && k != "role") in.fail(ptr + "/" + k, "is not a known field");
        list.push_back(ab);
      }
      f.brands = std::move(list);
    }
  }
  read_routing_profile(in, f);
  in.finish();
  return f;
}

}  // namespace

json agent_json(const agent& a) {
  json brands = json::array();
  for (const auto& b : a.brands) brands.push_back({{"brand_id", b.brand_id}, {"role", std::string(to_string(b.membership))}});
  json languages = json::array();
  for (const auto& l : a.languages) languages.push_back({{"code", l.code}, {"level", std::string(routing::to_string(l.level))}});
  json capacity = json::object();
  for (std::size_t c = 0; c < routing::work_channel_count; ++c)
    capacity[std::string(routing::to_string(static_cast<routing::work_channel>(c)))] = a.capacity[c];
  return {{"id", a.id},
          {"name", a.name},
          {"email", a.email},
          {"role", std::string(to_string(a.role_))},
          {"active", a.active},
          {"brands", brands},
          {"languages", languages},
          {"skills", a.skills},
          {"capacity", capacity},
          {"presence", {{"status", std::string(routing::to_string(a.presence))},
                        {"since", format_rfc3339(a.presence_since)}}},
          {"created_at", format_rfc3339(a.created_at)},
          {"updated_at", format_rfc3339(a.updated_at)}};
}

HELPDESK_HANDLER(list_agents) {
  auto page = read_page(ctx);
  store::page_request query{page.limit + 1, page.after_id};
  auto rows = co_await e.svc.directory.list_agents(ctx.caller(), query);
  co_return json_response(bhttp::status::ok, page_json(std::move(rows), page.limit, agent_json), ctx.req.version());
}

HELPDESK_HANDLER(create_agent) {
  auto f = read_agent_fields(parse_json_body(ctx.req));
  auto a = co_await e.svc.directory.create_agent(ctx.caller(), std::move(f));
  auto res = json_response(bhttp::status::created, agent_json(a), ctx.req.version());
  res.set(bhttp::field::location, "/v1/agents/" + a.id);
  co_return res;
}

HELPDESK_HANDLER(get_agent) {
  std::string id(ctx.param("id"));
  auto a = co_await e.svc.directory.get_agent(ctx.caller(), id);
  co_return json_response(bhttp::status::ok, agent_json(a), ctx.req.version());
}

HELPDESK_HANDLER(patch_agent) {
  std::string id(ctx.param("id"));
  co_await e.svc.directory.get_agent(ctx.caller(), id);
  auto f = read_agent_fields(parse_json_body(ctx.req));
  // Managers staff their brands; who may sign in, and as what, stays with admins.
  if (ctx.caller().role_ != role::admin && (f.name || f.email || f.password || f.role_ || f.active))
    throw error(errc::forbidden,
                "Managers may change an agent's brands, languages, skills and capacity; the rest needs an admin.");
  const bool routing_changed = f.brands || f.languages || f.skills || f.capacity;
  auto a = co_await e.svc.directory.update_agent(ctx.caller(), id, std::move(f));
  if (routing_changed) e.svc.router.kick();
  co_return json_response(bhttp::status::ok, agent_json(a), ctx.req.version());
}

}  // namespace helpdesk::api
