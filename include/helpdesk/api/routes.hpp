#pragma once
// The API as one table: every endpoint, who may call it, and its handler.
// Reads like the API reference; docs/openapi.yaml is checked against it.
#include <string>
#include <vector>

#include "helpdesk/app/services.hpp"
#include "helpdesk/events/event_relay.hpp"
#include "helpdesk/events/live_hub.hpp"
#include "helpdesk/http/metrics.hpp"
#include "helpdesk/http/router.hpp"

namespace helpdesk::api {

struct env {
  app::services& svc;
  http::metrics& metrics;
  std::string version;
  events::live_hub* live = nullptr;  // null: live updates are off in this process
  std::chrono::seconds heartbeat{15};
};

using endpoint_fn = awaitable<http::response> (*)(env&, http::request_context&);

struct route_spec {
  bhttp::verb method;
  const char* path;
  endpoint_fn fn;
  role_set roles;  // empty: public
  std::size_t body_limit = 0;
};

const std::vector<route_spec>& route_table();
// The API's JSON of tickets and messages, for event payloads.
events::renderers event_renderers();
http::router build_router(env& e);

}  // namespace helpdesk::api
