#include "handlers.hpp"

namespace helpdesk::api {

HELPDESK_HANDLER(post_login) {
  json doc = parse_json_body(ctx.req);
  field_reader in(doc, {"email", "password"});
  in.required("email");
  in.required("password");
  auto email = in.string("email", 254);
  auto password = in.string("password", 256);
  in.finish();
  auto result = co_await e.svc.auth.login(*email, *password, ctx.remote_addr);
  co_return json_response(bhttp::status::ok, {{"token", result.token}, {"expires_at", format_rfc3339(result.expires_at)}},
                          ctx.req.version());
}

HELPDESK_HANDLER(post_logout) {
  co_await e.svc.auth.logout(ctx.caller());
  co_return no_content_response(ctx.req.version());
}

HELPDESK_HANDLER(get_me) {
  (void)e;
  const principal& who = ctx.caller();
  json body = {
      {"kind", who.kind == credential_kind::session ? "agent" : "api_token"},
      {"id", who.kind == credential_kind::session ? who.agent_id : who.credential_id},
      {"name", who.name},
      {"role", std::string(to_string(who.role_))},
      {"all_brands", who.all_brands},
      {"brand_ids", who.brand_ids},
  };
  if (!who.email.empty()) body["email"] = who.email;
  co_return json_response(bhttp::status::ok, body, ctx.req.version());
}

}  // namespace helpdesk::api
