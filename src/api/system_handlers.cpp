#include "handlers.hpp"

namespace helpdesk::api {

HELPDESK_HANDLER(get_healthz) {
  (void)e;
  co_return json_response(bhttp::status::ok, {{"status", "ok"}}, ctx.req.version());
}

HELPDESK_HANDLER(get_readyz) {
  co_await e.svc.health.check_ready();
  co_return json_response(bhttp::status::ok, {{"status", "ready"}}, ctx.req.version());
}

HELPDESK_HANDLER(get_metrics) {
  auto res = http::make_response(bhttp::status::ok, e.metrics.render(), "text/plain; version=0.0.4", ctx.req.version());
  co_return res;
}

}  // namespace helpdesk::api
