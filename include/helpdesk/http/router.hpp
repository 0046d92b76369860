#pragma once
// Routes as a table: method, path template with {parameters}, the roles that
// may call it (empty: public), and a body limit for routes that take more
// than the server default (raw email).
#include <string>
#include <string_view>
#include <vector>

#include "helpdesk/http/types.hpp"

namespace helpdesk::http {

struct route {
  bhttp::verb method;
  std::string path;
  handler fn;
  role_set roles;               // empty: no authentication
  std::size_t body_limit = 0;   // 0: the server default
  std::vector<std::string> segments;
  std::size_t literal_segments = 0;
  std::size_t index = 0;  // position in the table, for per-route metrics
};

struct match_result {
  const route* found = nullptr;
  std::vector<std::pair<std::string, std::string>> params;
  bool path_exists = false;            // some route has this path with another method
  std::vector<bhttp::verb> allowed;    // for 405's Allow header
};

class router {
 public:
  void add(route r);
  match_result match(bhttp::verb method, std::string_view path) const;
  const std::vector<route>& routes() const { return routes_; }

 private:
  std::vector<route> routes_;
};

std::vector<std::string> split_path(std::string_view path);
std::string percent_decode(std::string_view s);

}  // namespace helpdesk::http
