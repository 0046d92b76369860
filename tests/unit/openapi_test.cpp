// The API reference and the router must name the same endpoints: a route
// missing from docs/openapi.yaml, or documented but not served, fails here.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "helpdesk/api/routes.hpp"

using namespace helpdesk;

namespace {
using endpoint = std::pair<std::string, std::string>;  // method, path

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string describe(const std::set<endpoint>& set) {
  std::string out;
  for (const auto& [m, p] : set) out += "  " + m + " " + p + "\n";
  return out;
}
}  // namespace

TEST(OpenApi, DocumentsExactlyTheRegisteredRoutes) {
  YAML::Node doc = YAML::LoadFile(std::string(HELPDESK_SOURCE_DIR) + "/docs/openapi.yaml");
  ASSERT_EQ(doc["openapi"].as<std::string>().rfind("3.1", 0), 0u);
  static const std::set<std::string> verbs = {"get", "post", "put", "patch", "delete"};
  std::set<endpoint> documented;
  for (const auto& path : doc["paths"])
    for (const auto& op : path.second)
      if (verbs.count(op.first.as<std::string>()))
        documented.insert({op.first.as<std::string>(), path.first.as<std::string>()});

  std::set<endpoint> served;
  for (const auto& r : api::route_table())
    served.insert({lower(std::string(bhttp::to_string(r.method))), r.path});

  std::set<endpoint> undocumented, phantom;
  std::set_difference(served.begin(), served.end(), documented.begin(), documented.end(),
                      std::inserter(undocumented, undocumented.begin()));
  std::set_difference(documented.begin(), documented.end(), served.begin(), served.end(),
                      std::inserter(phantom, phantom.begin()));
  EXPECT_TRUE(undocumented.empty()) << "served but missing from docs/openapi.yaml:\n" << describe(undocumented);
  EXPECT_TRUE(phantom.empty()) << "documented but not served:\n" << describe(phantom);
}

TEST(OpenApi, ProtectedOperationsDeclareSecurityAndErrors) {
  YAML::Node doc = YAML::LoadFile(std::string(HELPDESK_SOURCE_DIR) + "/docs/openapi.yaml");
  for (const auto& r : api::route_table()) {
    auto op = doc["paths"][r.path][lower(std::string(bhttp::to_string(r.method)))];
    ASSERT_TRUE(op) << r.path;
    EXPECT_TRUE(op["responses"]) << r.path << " has no responses";
    EXPECT_TRUE(op["operationId"]) << r.path << " has no operationId";
    if (!r.roles.empty()) {
      EXPECT_TRUE(op["responses"]["401"]) << r.path << " should document 401";
      EXPECT_TRUE(op["x-roles"]) << r.path << " should list its roles in x-roles";
    }
  }
}
