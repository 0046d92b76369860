#pragma once
// Handler declarations, grouped by resource (private to the api module).
#include "helpdesk/api/json_io.hpp"
#include "helpdesk/http/server.hpp"
#include "helpdesk/api/routes.hpp"
#include "helpdesk/domain/directory.hpp"
#include "helpdesk/store/repositories.hpp"
#include "helpdesk/store/support_repos.hpp"
#include "helpdesk/domain/ids.hpp"
#include "helpdesk/domain/ticket.hpp"
#include "helpdesk/domain/routing.hpp"
#include "helpdesk/domain/reports.hpp"

namespace helpdesk::api {

using http::request_context;
using http::response;

#define HELPDESK_HANDLER(name) awaitable<response> name(env& e, request_context& ctx)

HELPDESK_HANDLER(get_healthz);
HELPDESK_HANDLER(get_readyz);
HELPDESK_HANDLER(get_metrics);

HELPDESK_HANDLER(post_login);
HELPDESK_HANDLER(post_logout);
HELPDESK_HANDLER(get_me);

HELPDESK_HANDLER(list_brands);
HELPDESK_HANDLER(create_brand);
HELPDESK_HANDLER(get_brand);
HELPDESK_HANDLER(patch_brand);

HELPDESK_HANDLER(list_agents);
HELPDESK_HANDLER(create_agent);
HELPDESK_HANDLER(get_agent);
HELPDESK_HANDLER(patch_agent);

HELPDESK_HANDLER(list_tokens);
HELPDESK_HANDLER(create_token);
HELPDESK_HANDLER(revoke_token);

HELPDESK_HANDLER(post_inbound_email);
HELPDESK_HANDLER(post_inbound_call);
HELPDESK_HANDLER(post_inbound_chat);

HELPDESK_HANDLER(list_customers);
HELPDESK_HANDLER(get_customer);
HELPDESK_HANDLER(patch_customer);
HELPDESK_HANDLER(get_customer_timeline);
HELPDESK_HANDLER(merge_customer);
HELPDESK_HANDLER(list_tickets);
HELPDESK_HANDLER(get_ticket);
HELPDESK_HANDLER(patch_ticket);
HELPDESK_HANDLER(list_ticket_messages);
HELPDESK_HANDLER(get_attachment);

HELPDESK_HANDLER(get_ticket_routing);
HELPDESK_HANDLER(claim_ticket);
HELPDESK_HANDLER(release_ticket);
HELPDESK_HANDLER(transfer_ticket);
HELPDESK_HANDLER(post_ticket_callback);
HELPDESK_HANDLER(post_next_ticket);
HELPDESK_HANDLER(post_agent_handover);
HELPDESK_HANDLER(put_agent_presence);

HELPDESK_HANDLER(list_queues);
HELPDESK_HANDLER(create_queue);
HELPDESK_HANDLER(get_queue);
HELPDESK_HANDLER(patch_queue);
HELPDESK_HANDLER(delete_queue);
HELPDESK_HANDLER(list_queue_waiting);

HELPDESK_HANDLER(list_calendars);
HELPDESK_HANDLER(create_calendar);
HELPDESK_HANDLER(get_calendar);
HELPDESK_HANDLER(patch_calendar);
HELPDESK_HANDLER(delete_calendar);
HELPDESK_HANDLER(get_calendar_deadline);
HELPDESK_HANDLER(list_sla_policies);
HELPDESK_HANDLER(create_sla_policy);
HELPDESK_HANDLER(get_sla_policy);
HELPDESK_HANDLER(patch_sla_policy);
HELPDESK_HANDLER(delete_sla_policy);
HELPDESK_HANDLER(get_ticket_sla);
HELPDESK_HANDLER(post_no_response_needed);

HELPDESK_HANDLER(post_ticket_reply);
HELPDESK_HANDLER(post_ticket_note);
HELPDESK_HANDLER(post_outbound_status);
HELPDESK_HANDLER(get_views);
HELPDESK_HANDLER(get_view);
HELPDESK_HANDLER(get_stream);
HELPDESK_HANDLER(get_search);
HELPDESK_HANDLER(post_ticket_viewing);
HELPDESK_HANDLER(post_ticket_merge);
HELPDESK_HANDLER(list_canned_responses);
HELPDESK_HANDLER(create_canned_response);
HELPDESK_HANDLER(get_canned_response);
HELPDESK_HANDLER(patch_canned_response);
HELPDESK_HANDLER(delete_canned_response);

HELPDESK_HANDLER(list_webhooks);
HELPDESK_HANDLER(create_webhook);
HELPDESK_HANDLER(get_webhook);
HELPDESK_HANDLER(patch_webhook);
HELPDESK_HANDLER(delete_webhook);
HELPDESK_HANDLER(pause_webhook);
HELPDESK_HANDLER(resume_webhook);
HELPDESK_HANDLER(rotate_webhook_secret);
HELPDESK_HANDLER(list_webhook_deliveries);
HELPDESK_HANDLER(replay_webhook_delivery);

HELPDESK_HANDLER(get_report_sla);
HELPDESK_HANDLER(get_report_response_times);
HELPDESK_HANDLER(get_report_volume);
HELPDESK_HANDLER(get_report_calls);
HELPDESK_HANDLER(get_report_interactions);
HELPDESK_HANDLER(get_report_contact_reasons);
HELPDESK_HANDLER(get_report_agents);
HELPDESK_HANDLER(get_stats_live);

// Tags (and tag-like names such as customer flags): normalised, each once;
// every bad one is reported at its pointer.
std::vector<std::string> read_tags(field_reader& in, const std::string& key, const std::string& at, std::size_t max);

// A page request of limit+1 rows: the extra row tells whether there is a next page.
inline store::page_request page_of(const page_params& p) { return {p.limit + 1, p.after_id}; }
inline json opt_time(const std::optional<timestamp>& t) { return t ? json(format_rfc3339(*t)) : json(nullptr); }
inline json opt_text(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

// Renderers shared by handlers.
json brand_json(const brand& b);
json agent_json(const agent& a);
json token_json(const store::tokens::api_token& t);
json customer_json(const store::customer_row& c);
json ticket_json(const store::ticket_row& t);
json message_json(const store::message_row& m);
json viewers_json(const std::vector<store::ticket_viewer>& v);
json queue_json(const routing::queue_def& q);
json sla_clock_json(const store::clock_row& c);

}  // namespace helpdesk::api
