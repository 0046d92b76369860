#include <gtest/gtest.h>

#include "helpdesk/http/router.hpp"

using namespace helpdesk;
using namespace helpdesk::http;

namespace {
handler noop() {
  return [](request_context&) -> awaitable<response> { co_return response{}; };
}
router sample() {
  router r;
  r.add({bhttp::verb::get, "/v1/agents", noop(), {}});
  r.add({bhttp::verb::post, "/v1/agents", noop(), {}});
  r.add({bhttp::verb::get, "/v1/agents/{id}", noop(), {}});
  r.add({bhttp::verb::patch, "/v1/agents/{id}", noop(), {}});
  r.add({bhttp::verb::post, "/v1/agents/me/next", noop(), {}});
  r.add({bhttp::verb::post, "/v1/agents/{id}/handover", noop(), {}});
  r.add({bhttp::verb::get, "/v1/tickets/{id}/messages/{mid}", noop(), {}});
  return r;
}
}  // namespace

TEST(Router, MatchesLiteralPath) {
  auto r = sample();
  auto m = r.match(bhttp::verb::get, "/v1/agents");
  ASSERT_NE(m.found, nullptr);
  EXPECT_EQ(m.found->path, "/v1/agents");
  EXPECT_TRUE(m.params.empty());
}

TEST(Router, ExtractsParameters) {
  auto r = sample();
  auto m = r.match(bhttp::verb::get, "/v1/tickets/t-1/messages/m%202");
  ASSERT_NE(m.found, nullptr);
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0], (std::pair<std::string, std::string>{"id", "t-1"}));
  EXPECT_EQ(m.params[1], (std::pair<std::string, std::string>{"mid", "m 2"}));
}

TEST(Router, LiteralSegmentBeatsParameter) {
  auto r = sample();
  auto m = r.match(bhttp::verb::post, "/v1/agents/me/next");
  ASSERT_NE(m.found, nullptr);
  EXPECT_EQ(m.found->path, "/v1/agents/me/next");
  auto h = r.match(bhttp::verb::post, "/v1/agents/abc/handover");
  ASSERT_NE(h.found, nullptr);
  EXPECT_EQ(h.found->path, "/v1/agents/{id}/handover");
  EXPECT_EQ(h.params.at(0).second, "abc");
}

TEST(Router, WrongMethodListsAllowedMethods) {
  auto r = sample();
  auto m = r.match(bhttp::verb::delete_, "/v1/agents/42");
  EXPECT_EQ(m.found, nullptr);
  EXPECT_TRUE(m.path_exists);
  ASSERT_EQ(m.allowed.size(), 2u);
  EXPECT_EQ(m.allowed[0], bhttp::verb::get);
  EXPECT_EQ(m.allowed[1], bhttp::verb::patch);
}

TEST(Router, UnknownPathIsNotFound) {
  auto r = sample();
  auto m = r.match(bhttp::verb::get, "/v1/agents/1/2/3/4");
  EXPECT_EQ(m.found, nullptr);
  EXPECT_FALSE(m.path_exists);
  EXPECT_FALSE(r.match(bhttp::verb::get, "/v2/agents").path_exists);
}

TEST(Router, DuplicateRegistrationIsRejected) {
  auto r = sample();
  EXPECT_THROW(r.add({bhttp::verb::get, "/v1/agents/{other}", noop(), {}}), std::logic_error);
}

TEST(Router, PercentDecoding) {
  EXPECT_EQ(percent_decode("a%2Fb%20c"), "a/b c");
  EXPECT_EQ(percent_decode("100%"), "100%");
  EXPECT_EQ(percent_decode("%zz"), "%zz");
  EXPECT_EQ(percent_decode("a+b"), "a b");
}
