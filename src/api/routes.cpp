#include "helpdesk/api/routes.hpp"

#include "handlers.hpp"

namespace helpdesk::api {

using bhttp::verb;

const std::vector<route_spec>& route_table() {
  const role_set anyone = role_set::all();
  const role_set admin = {role::admin};
  const role_set managers = {role::admin, role::manager};
  const role_set staff = role_set::staff();
  static const std::vector<route_spec> table = {
      {verb::get, "/healthz", get_healthz, {}},
      {verb::get, "/readyz", get_readyz, {}},
      {verb::get, "/metrics", get_metrics, {}},

      {verb::post, "/v1/auth/login", post_login, {}},
      {verb::post, "/v1/auth/logout", post_logout, staff},
      {verb::get, "/v1/me", get_me, anyone},

      {verb::get, "/v1/brands", list_brands, anyone},
      {verb::post, "/v1/brands", create_brand, admin},
      {verb::get, "/v1/brands/{id}", get_brand, anyone},
      {verb::patch, "/v1/brands/{id}", patch_brand, admin},

      {verb::get, "/v1/agents", list_agents, managers},
      {verb::post, "/v1/agents", create_agent, admin},
      {verb::get, "/v1/agents/{id}", get_agent, managers},
      {verb::patch, "/v1/agents/{id}", patch_agent, admin},

      {verb::get, "/v1/tokens", list_tokens, admin},
      {verb::post, "/v1/tokens", create_token, admin},
      {verb::delete_, "/v1/tokens/{id}", revoke_token, admin},
  };
  return table;
}

http::router build_router(env& e) {
  http::router r;
  for (const auto& spec : route_table()) {
    auto fn = spec.fn;
    r.add({spec.method, spec.path, [&e, fn](http::request_context& ctx) { return fn(e, ctx); }, spec.roles,
           spec.body_limit});
  }
  return r;
}

}  // namespace helpdesk::api
