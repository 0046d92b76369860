#include "helpdesk/http/problem.hpp"

#include <nlohmann/json.hpp>

namespace helpdesk::http {

bhttp::status status_of(errc code) {
  switch (code) {
    case errc::bad_request: return bhttp::status::bad_request;
    case errc::unauthorized: return bhttp::status::unauthorized;
    case errc::forbidden: return bhttp::status::forbidden;
    case errc::not_found: return bhttp::status::not_found;
    case errc::method_not_allowed: return bhttp::status::method_not_allowed;
    case errc::conflict: return bhttp::status::conflict;
    case errc::precondition_failed: return bhttp::status::precondition_failed;
    case errc::payload_too_large: return bhttp::status::payload_too_large;
    case errc::unsupported_media_type: return bhttp::status::unsupported_media_type;
    case errc::validation: return bhttp::status::unprocessable_entity;
    case errc::too_many_requests: return bhttp::status::too_many_requests;
    case errc::header_too_large: return bhttp::status::request_header_fields_too_large;
    case errc::request_timeout: return bhttp::status::request_timeout;
    case errc::unavailable: return bhttp::status::service_unavailable;
    case errc::internal: return bhttp::status::internal_server_error;
  }
  return bhttp::status::internal_server_error;
}

std::string problem_type(errc code) {
  switch (code) {
    case errc::bad_request: return "/problems/bad-request";
    case errc::unauthorized: return "/problems/unauthorized";
    case errc::forbidden: return "/problems/forbidden";
    case errc::not_found: return "/problems/not-found";
    case errc::method_not_allowed: return "/problems/method-not-allowed";
    case errc::conflict: return "/problems/conflict";
    case errc::precondition_failed: return "/problems/precondition-failed";
    case errc::payload_too_large: return "/problems/payload-too-large";
    case errc::unsupported_media_type: return "/problems/unsupported-media-type";
    case errc::validation: return "/problems/validation";
    case errc::too_many_requests: return "/problems/too-many-requests";
    case errc::header_too_large: return "/problems/header-too-large";
    case errc::request_timeout: return "/problems/request-timeout";
    case errc::unavailable: return "/problems/unavailable";
    case errc::internal: return "/problems/internal";
  }
  return "/problems/internal";
}

std::string problem_title(errc code) {
  switch (code) {
    case errc::bad_request: return "Malformed request";
    case errc::unauthorized: return "Authentication required";
    case errc::forbidden: return "Not allowed for this role";
    case errc::not_found: return "Not found";
    case errc::method_not_allowed: return "Method not allowed";
    case errc::conflict: return "Conflict";
    case errc::precondition_failed: return "Precondition failed";
    case errc::payload_too_large: return "Request body too large";
    case errc::unsupported_media_type: return "Unsupported media type";
    case errc::validation: return "Invalid request fields";
    case errc::too_many_requests: return "Too many requests";
    case errc::header_too_large: return "Request header fields too large";
    case errc::request_timeout: return "Request timeout";
    case errc::unavailable: return "Service unavailable";
    case errc::internal: return "Internal server error";
  }
  return "Internal server error";
}

response make_problem(const error& e, const std::string& request_id, std::string_view instance,
                      unsigned http_version) {
  const auto status = status_of(e.code());
  nlohmann::json body = {
      {"type", problem_type(e.code())},
      {"title", problem_title(e.code())},
      {"status", static_cast<int>(status)},
      {"detail", e.detail()},
      {"instance", std::string(instance)},
      {"request_id", request_id},
  };
  if (e.code() == errc::validation) {
    auto list = nlohmann::json::array();
    for (const auto& fe : e.errors()) list.push_back({{"pointer", fe.pointer}, {"message", fe.message}});
    body["errors"] = std::move(list);
  }
  for (const auto& [k, v] : e.extensions()) body[k] = v;

  response res{status, http_version};
  res.set(bhttp::field::content_type, "application/problem+json");
  res.set(bhttp::field::cache_control, "no-store");
  if (e.retry_after()) res.set(bhttp::field::retry_after, std::to_string(*e.retry_after()));
  if (e.code() == errc::unauthorized) res.set(bhttp::field::www_authenticate, "Bearer realm=\"helpdesk\"");
  res.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  res.prepare_payload();
  return res;
}

}  // namespace helpdesk::http
