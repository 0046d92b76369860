#include "handlers.hpp"

namespace helpdesk::api {
namespace {

agent_fields read_agent_fields(const json& doc) {
  field_reader in(doc, {"name", "email", "role", "password", "active", "brands"});
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
  in.finish();
  return f;
}

}  // namespace

json agent_json(const agent& a) {
  json brands = json::array();
  for (const auto& b : a.brands) brands.push_back({{"brand_id", b.brand_id}, {"role", std::string(to_string(b.membership))}});
  return {{"id", a.id},
          {"name", a.name},
          {"email", a.email},
          {"role", std::string(to_string(a.role_))},
          {"active", a.active},
          {"brands", brands},
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
  auto a = co_await e.svc.directory.update_agent(ctx.caller(), id, std::move(f));
  co_return json_response(bhttp::status::ok, agent_json(a), ctx.req.version());
}

}  // namespace helpdesk::api
