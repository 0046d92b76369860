#include "handlers.hpp"

namespace helpdesk::api {
namespace {

brand_fields read_brand_fields(const json& doc) {
  field_reader in(doc, {"name", "slug", "ticket_prefix", "default_language", "default_phone_region", "time_zone",
                        "inbound_addresses"});
  brand_fields f;
  f.name = in.string("name", 200);
  f.slug = in.string("slug", 63);
  f.ticket_prefix = in.string("ticket_prefix", 12);
  f.default_language = in.string("default_language", 8);
  f.default_phone_region = in.string("default_phone_region", 8);
  f.time_zone = in.string("time_zone", 64);
  f.inbound_addresses = in.string_array("inbound_addresses", 50);
  in.finish();
  return f;
}

}  // namespace

json brand_json(const brand& b) {
  return {{"id", b.id},
          {"name", b.name},
          {"slug", b.slug},
          {"ticket_prefix", b.ticket_prefix},
          {"default_language", b.default_language},
          {"default_phone_region", b.default_phone_region},
          {"time_zone", b.time_zone},
          {"inbound_addresses", b.inbound_addresses},
          {"created_at", format_rfc3339(b.created_at)},
          {"updated_at", format_rfc3339(b.updated_at)}};
}

HELPDESK_HANDLER(list_brands) {
  auto page = read_page(ctx);
  store::page_request query{page.limit + 1, page.after_id};
  auto rows = co_await e.svc.directory.list_brands(ctx.caller(), query);
  co_return json_response(bhttp::status::ok, page_json(std::move(rows), page.limit, brand_json), ctx.req.version());
}

HELPDESK_HANDLER(create_brand) {
  auto f = read_brand_fields(parse_json_body(ctx.req));
  auto b = co_await e.svc.directory.create_brand(ctx.caller(), std::move(f));
  auto res = json_response(bhttp::status::created, brand_json(b), ctx.req.version());
  res.set(bhttp::field::location, "/v1/brands/" + b.id);
  co_return res;
}

HELPDESK_HANDLER(get_brand) {
  std::string id(ctx.param("id"));
  auto b = co_await e.svc.directory.get_brand(ctx.caller(), id);
  co_return json_response(bhttp::status::ok, brand_json(b), ctx.req.version());
}

HELPDESK_HANDLER(patch_brand) {
  std::string id(ctx.param("id"));
  // Visibility first: a caller outside the brand learns nothing from validation errors.
  co_await e.svc.directory.get_brand(ctx.caller(), id);
  auto f = read_brand_fields(parse_json_body(ctx.req));
  auto b = co_await e.svc.directory.update_brand(ctx.caller(), id, std::move(f));
  co_return json_response(bhttp::status::ok, brand_json(b), ctx.req.version());
}

}  // namespace helpdesk::api
