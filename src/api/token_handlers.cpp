#include "handlers.hpp"

namespace helpdesk::api {

json token_json(const store::tokens::api_token& t) {
  json out = {{"id", t.id},
              {"name", t.name},
              {"role", std::string(to_string(t.role_))},
              {"prefix", t.prefix},
              {"brand_ids", t.brand_ids},
              {"created_at", format_rfc3339(t.created_at)},
              {"last_used_at", nullptr},
              {"revoked_at", nullptr}};
  if (t.last_used_at) out["last_used_at"] = format_rfc3339(*t.last_used_at);
  if (t.revoked_at) out["revoked_at"] = format_rfc3339(*t.revoked_at);
  return out;
}

HELPDESK_HANDLER(list_tokens) {
  auto page = read_page(ctx);
  store::page_request query{page.limit + 1, page.after_id};
  auto rows = co_await e.svc.directory.list_tokens(ctx.caller(), query);
  co_return json_response(bhttp::status::ok, page_json(std::move(rows), page.limit, token_json), ctx.req.version());
}

HELPDESK_HANDLER(create_token) {
  json doc = parse_json_body(ctx.req);
  field_reader in(doc, {"name", "role", "brand_ids"});
  in.required("name");
  in.required("role");
  auto name = in.string("name", 200);
  std::optional<role> r;
  if (auto text = in.string("role", 32)) {
    r = parse_role(*text);
    if (!r) in.fail("/role", "must be one of admin, manager, agent, integration");
  }
  auto brands = in.string_array("brand_ids", 100);
  in.finish();
  std::vector<std::string> brand_ids = brands.value_or(std::vector<std::string>{});
  auto issued = co_await e.svc.directory.create_token(ctx.caller(), *name, *r, brand_ids);
  json body = token_json(issued.token);
  body["token"] = issued.secret;  // the only time it is shown
  auto res = json_response(bhttp::status::created, body, ctx.req.version());
  res.set(bhttp::field::location, "/v1/tokens/" + issued.token.id);
  co_return res;
}

HELPDESK_HANDLER(revoke_token) {
  std::string id(ctx.param("id"));
  co_await e.svc.directory.revoke_token(ctx.caller(), id);
  co_return no_content_response(ctx.req.version());
}

}  // namespace helpdesk::api
