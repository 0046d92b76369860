#include "helpdesk/api/routes.hpp"

#include "handlers.hpp"

namespace helpdesk::api {

using bhttp::verb;

events::renderers event_renderers() { return {ticket_json, message_json}; }

const std::vector<route_spec>& route_table() {
  const role_set anyone = role_set::all();
  const role_set admin = {role::admin};
  const role_set managers = {role::admin, role::manager};
  const role_set staff = role_set::staff();
  const role_set integrations = {role::integration, role::admin};
  // A raw email may be 25 MiB; the same mail as JSON carries base64 (4/3).
  constexpr std::size_t inbound_email_limit = 36u << 20;
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
      {verb::patch, "/v1/agents/{id}", patch_agent, managers},

      {verb::get, "/v1/tokens", list_tokens, admin},
      {verb::post, "/v1/tokens", create_token, admin},
      {verb::delete_, "/v1/tokens/{id}", revoke_token, admin},

      {verb::post, "/v1/inbound/email", post_inbound_email, integrations, inbound_email_limit},
      {verb::post, "/v1/inbound/calls", post_inbound_call, integrations},
      {verb::post, "/v1/inbound/chat", post_inbound_chat, integrations},

      {verb::get, "/v1/customers", list_customers, staff},
      {verb::get, "/v1/customers/{id}", get_customer, staff},
      {verb::patch, "/v1/customers/{id}", patch_customer, staff},
      {verb::get, "/v1/customers/{id}/timeline", get_customer_timeline, staff},
      {verb::post, "/v1/customers/{id}/merge", merge_customer, staff},

      {verb::get, "/v1/tickets", list_tickets, staff},
      {verb::get, "/v1/tickets/{id}", get_ticket, staff},
      {verb::patch, "/v1/tickets/{id}", patch_ticket, staff},
      {verb::get, "/v1/tickets/{id}/messages", list_ticket_messages, staff},
      {verb::get, "/v1/attachments/{id}", get_attachment, staff},

      {verb::get, "/v1/tickets/{id}/routing", get_ticket_routing, staff},
      {verb::post, "/v1/tickets/{id}/claim", claim_ticket, staff},
      {verb::post, "/v1/tickets/{id}/release", release_ticket, staff},
      {verb::post, "/v1/tickets/{id}/transfer", transfer_ticket, staff},
      {verb::post, "/v1/tickets/{id}/callbacks", post_ticket_callback, staff},
      {verb::post, "/v1/agents/me/next", post_next_ticket, staff},
      {verb::post, "/v1/agents/{id}/handover", post_agent_handover, managers},
      {verb::put, "/v1/agents/{id}/presence", put_agent_presence, staff},

      {verb::get, "/v1/queues", list_queues, staff},
      {verb::post, "/v1/queues", create_queue, managers},
      {verb::get, "/v1/queues/{id}", get_queue, staff},
      {verb::patch, "/v1/queues/{id}", patch_queue, managers},
      {verb::delete_, "/v1/queues/{id}", delete_queue, managers},
      {verb::get, "/v1/queues/{id}/waiting", list_queue_waiting, staff},

      {verb::get, "/v1/calendars", list_calendars, managers},
      {verb::post, "/v1/calendars", create_calendar, managers},
      {verb::get, "/v1/calendars/{id}", get_calendar, managers},
      {verb::patch, "/v1/calendars/{id}", patch_calendar, managers},
      {verb::delete_, "/v1/calendars/{id}", delete_calendar, managers},
      {verb::get, "/v1/calendars/{id}/deadline", get_calendar_deadline, managers},
      {verb::get, "/v1/sla-policies", list_sla_policies, managers},
      {verb::post, "/v1/sla-policies", create_sla_policy, managers},
      {verb::get, "/v1/sla-policies/{id}", get_sla_policy, managers},
      {verb::patch, "/v1/sla-policies/{id}", patch_sla_policy, managers},
      {verb::delete_, "/v1/sla-policies/{id}", delete_sla_policy, managers},
      {verb::get, "/v1/tickets/{id}/sla", get_ticket_sla, staff},
      {verb::post, "/v1/tickets/{id}/messages/{mid}/no-response-needed", post_no_response_needed, staff},

      {verb::post, "/v1/tickets/{id}/replies", post_ticket_reply, staff},
      {verb::post, "/v1/tickets/{id}/notes", post_ticket_note, staff},
      {verb::post, "/v1/outbound/{message_id}/status", post_outbound_status, integrations},
      {verb::get, "/v1/reports/sla", get_report_sla, managers},
      {verb::get, "/v1/reports/response-times", get_report_response_times, managers},
      {verb::get, "/v1/reports/volume", get_report_volume, managers},
      {verb::get, "/v1/reports/calls", get_report_calls, managers},
      {verb::get, "/v1/reports/interactions", get_report_interactions, managers},
      {verb::get, "/v1/reports/contact-reasons", get_report_contact_reasons, managers},
      {verb::get, "/v1/reports/agents", get_report_agents, managers},
      {verb::get, "/v1/stats/live", get_stats_live, managers},
      {verb::get, "/v1/views", get_views, staff},
      {verb::get, "/v1/views/{name}", get_view, staff},
      {verb::get, "/v1/stream", get_stream, staff},
      {verb::get, "/v1/search", get_search, staff},
      {verb::post, "/v1/tickets/{id}/viewing", post_ticket_viewing, staff},
      {verb::post, "/v1/tickets/{id}/merge", post_ticket_merge, staff},
      {verb::get, "/v1/canned-responses", list_canned_responses, staff},
      {verb::post, "/v1/canned-responses", create_canned_response, managers},
      {verb::get, "/v1/canned-responses/{id}", get_canned_response, staff},
      {verb::patch, "/v1/canned-responses/{id}", patch_canned_response, managers},
      {verb::delete_, "/v1/canned-responses/{id}", delete_canned_response, managers},

      {verb::get, "/v1/webhooks", list_webhooks, admin},
      {verb::post, "/v1/webhooks", create_webhook, admin},
      {verb::get, "/v1/webhooks/{id}", get_webhook, admin},
      {verb::patch, "/v1/webhooks/{id}", patch_webhook, admin},
      {verb::delete_, "/v1/webhooks/{id}", delete_webhook, admin},
      {verb::post, "/v1/webhooks/{id}/pause", pause_webhook, admin},
      {verb::post, "/v1/webhooks/{id}/resume", resume_webhook, admin},
      {verb::post, "/v1/webhooks/{id}/rotate-secret", rotate_webhook_secret, admin},
      {verb::get, "/v1/webhooks/{id}/deliveries", list_webhook_deliveries, admin},
      {verb::post, "/v1/webhooks/{id}/deliveries/{did}/replay", replay_webhook_delivery, admin},
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
