#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "helpdesk/http/problem.hpp"

using namespace helpdesk;
using namespace helpdesk::http;

TEST(Problem, EveryKindMapsToItsStatus) {
  EXPECT_EQ(status_of(errc::bad_request), bhttp::status::bad_request);
  EXPECT_EQ(status_of(errc::unauthorized), bhttp::status::unauthorized);
  EXPECT_EQ(status_of(errc::forbidden), bhttp::status::forbidden);
  EXPECT_EQ(status_of(errc::not_found), bhttp::status::not_found);
  EXPECT_EQ(status_of(errc::method_not_allowed), bhttp::status::method_not_allowed);
  EXPECT_EQ(status_of(errc::conflict), bhttp::status::conflict);
  EXPECT_EQ(status_of(errc::precondition_failed), bhttp::status::precondition_failed);
  EXPECT_EQ(status_of(errc::payload_too_large), bhttp::status::payload_too_large);
  EXPECT_EQ(status_of(errc::unsupported_media_type), bhttp::status::unsupported_media_type);
  EXPECT_EQ(status_of(errc::validation), bhttp::status::unprocessable_entity);
  EXPECT_EQ(status_of(errc::too_many_requests), bhttp::status::too_many_requests);
  EXPECT_EQ(status_of(errc::header_too_large), bhttp::status::request_header_fields_too_large);
  EXPECT_EQ(status_of(errc::request_timeout), bhttp::status::request_timeout);
  EXPECT_EQ(status_of(errc::unavailable), bhttp::status::service_unavailable);
  EXPECT_EQ(status_of(errc::internal), bhttp::status::internal_server_error);
}

TEST(Problem, ValidationCarriesPointers) {
  auto res = make_problem(error::validation({{"/name", "is required"}, {"/slug", "bad"}}), "rid-1", "/v1/brands");
  EXPECT_EQ(res.result(), bhttp::status::unprocessable_entity);
  EXPECT_EQ(res[bhttp::field::content_type], "application/problem+json");
  auto body = nlohmann::json::parse(res.body());
  EXPECT_EQ(body["type"], "/problems/validation");
  EXPECT_EQ(body["status"], 422);
  EXPECT_EQ(body["request_id"], "rid-1");
  EXPECT_EQ(body["instance"], "/v1/brands");
  ASSERT_EQ(body["errors"].size(), 2u);
  EXPECT_EQ(body["errors"][0]["pointer"], "/name");
  EXPECT_EQ(body["errors"][1]["message"], "bad");
}

TEST(Problem, UnavailableSetsRetryAfter) {
  auto res = make_problem(error::unavailable("db down", 2), "r", "/x");
  EXPECT_EQ(res.result_int(), 503);
  EXPECT_EQ(res[bhttp::field::retry_after], "2");
  EXPECT_FALSE(nlohmann::json::parse(res.body()).contains("errors"));
}

TEST(Problem, UnauthorizedAsksForBearer) {
  auto res = make_problem(error(errc::unauthorized, "no"), "r", "/x");
  EXPECT_EQ(res[bhttp::field::www_authenticate], "Bearer realm=\"helpdesk\"");
}

TEST(Problem, ExtensionsBecomeMembers) {
  auto res = make_problem(error(errc::conflict, "held").with_extension("holder_id", "a-1"), "r", "/x");
  EXPECT_EQ(nlohmann::json::parse(res.body())["holder_id"], "a-1");
}
