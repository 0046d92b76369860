#pragma once
// RFC 9457 problem details: the single mapping from typed errors to HTTP.
#include <string>

#include "helpdesk/domain/error.hpp"
#include "helpdesk/http/types.hpp"

namespace helpdesk::http {

bhttp::status status_of(errc code);
std::string problem_type(errc code);  // stable URI reference, e.g. "/problems/validation"
std::string problem_title(errc code);

response make_problem(const error& e, const std::string& request_id, std::string_view instance,
                      unsigned http_version = 11);

}  // namespace helpdesk::http
