#pragma once
#include <string>
#include <string_view>

namespace helpdesk::http {

// One line per request: method, route template, path, status, duration,
// request id; a JSON object when HELPDESK_LOG_FORMAT=json.
void log_access(std::string_view method, std::string_view route, std::string_view path, unsigned status,
                double millis, std::string_view request_id, std::string_view remote);

}  // namespace helpdesk::http
