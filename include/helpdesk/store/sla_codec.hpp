#pragma once
// Calendars and SLA policies as JSON: the API's shape, which is also how they
// are stored (jsonb) and versioned. Decoding collects every problem with its
// JSON pointer; the domain's validators add the semantic ones.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "helpdesk/domain/calendar.hpp"
#include "helpdesk/domain/error.hpp"
#include "helpdesk/domain/sla.hpp"

namespace helpdesk::store::sla_codec {

using nlohmann::json;

// weekly: {"mon": [["09:00", "17:00"]], …} (days left out have no hours);
// holidays: [{"date": "2026-12-24"}, {"month_day": "12-25", "yearly": true}],
// each with an optional "name".
domain::calendar_definition decode_calendar(const std::string& time_zone, const json& weekly, const json& holidays,
                                            std::vector<field_error>& errors);
json encode_weekly(const domain::calendar_definition& def);

// doc[key] as an array of up to 50 tag-like names, normalised, each once.
std::vector<std::string> tag_list(const json& doc, const char* key, const std::string& pointer,
                                  std::vector<field_error>& errors);

// conditions: {channel?, priority?, queue_id?, tags?, source?, customer_flags?}; targets:
// [{target, seconds, calendar_id?, warn_at?}]; pause_on: ["pending", …];
// escalation: [{on, target?, action, queue_id?}]. Fills those parts of `p`.
void decode_conditions(const json& conditions, sla::policy_def& p, std::vector<field_error>& errors);
void decode_targets(const json& targets, sla::policy_def& p, std::vector<field_error>& errors);
void decode_pause_on(const json& pause_on, sla::policy_def& p, std::vector<field_error>& errors);
void decode_escalation(const json& escalation, sla::policy_def& p, std::vector<field_error>& errors);
json encode_conditions(const sla::policy_conditions& c);
json encode_targets(const std::vector<sla::target_def>& targets);
json encode_pause_on(const std::vector<ticket_status>& pause_on);
json encode_escalation(const std::vector<sla::escalation_rule>& rules);

}  // namespace helpdesk::store::sla_codec
