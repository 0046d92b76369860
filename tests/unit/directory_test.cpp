#include <gtest/gtest.h>

#include "helpdesk/domain/directory.hpp"
#include "helpdesk/domain/ids.hpp"
#include "helpdesk/domain/locale_codes.hpp"
#include "helpdesk/domain/time.hpp"

using namespace helpdesk;

namespace {
std::vector<std::string> pointers(const std::vector<field_error>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.pointer);
  return out;
}
}  // namespace

TEST(LocaleCodes, LanguagesRegionsAndZones) {
  EXPECT_TRUE(is_language_code("cs"));
  EXPECT_TRUE(is_language_code("sk"));
  EXPECT_FALSE(is_language_code("cz"));
  EXPECT_FALSE(is_language_code("CS"));
  EXPECT_TRUE(is_phone_region("CZ"));
  EXPECT_TRUE(is_phone_region("PL"));
  EXPECT_FALSE(is_phone_region("XX"));
  EXPECT_FALSE(is_phone_region("cz"));
  EXPECT_TRUE(is_time_zone("Europe/Prague"));
  EXPECT_TRUE(is_time_zone("America/New_York"));
  EXPECT_TRUE(is_time_zone("UTC"));
  EXPECT_FALSE(is_time_zone("Europe/Atlantis"));
  EXPECT_FALSE(is_time_zone(""));
}

TEST(BrandValidation, NewBrandGetsDefaultsAndPrefix) {
  brand_fields f;
  f.name = "Acme Shop";
  f.slug = "acme-shop";
  EXPECT_TRUE(validate_new_brand(f).empty());
  EXPECT_EQ(*f.ticket_prefix, "ACMESHOP");
  EXPECT_EQ(*f.default_language, "en");
  EXPECT_EQ(*f.time_zone, "UTC");
}

TEST(BrandValidation, EveryBadFieldIsNamed) {
  brand_fields f;
  f.name = "";
  f.slug = "Bad Slug";
  f.default_language = "xx";
  f.default_phone_region = "ZZ";
  f.time_zone = "Mars/Olympus";
  f.ticket_prefix = "acme";
  f.inbound_addresses = std::vector<std::string>{"Support@Acme.example", "support@acme.example", "nope"};
  auto errors = validate_new_brand(f);
  EXPECT_EQ(pointers(errors), (std::vector<std::string>{"/name", "/slug", "/ticket_prefix", "/default_language",
                                                        "/default_phone_region", "/time_zone",
                                                        "/inbound_addresses/1", "/inbound_addresses/2"}));
}

TEST(BrandValidation, MissingRequiredFields) {
  brand_fields f;
  EXPECT_EQ(pointers(validate_new_brand(f)), (std::vector<std::string>{"/name", "/slug"}));
}

TEST(AgentValidation, IntegrationRoleAndShortPasswordsAreRefused) {
  agent_fields f;
  f.name = "A";
  f.email = "a@example.com";
  f.role_ = role::integration;
  f.password = "short";
  EXPECT_EQ(pointers(validate_new_agent(f)), (std::vector<std::string>{"/role", "/password"}));
}

TEST(Emails, PlausibleShapes) {
  EXPECT_TRUE(is_plausible_email("jana.novakova@shop.cz"));
  EXPECT_FALSE(is_plausible_email("jana@localhost"));
  EXPECT_FALSE(is_plausible_email("Jana <jana@shop.cz>"));
  EXPECT_FALSE(is_plausible_email("@shop.cz"));
  EXPECT_FALSE(is_plausible_email("a@b.c\r\nBcc: x@y.z"));
}

TEST(Scope, AdminsSeeAllAgentsSeeTheirBrandsManagersWithoutBrandsSeeAll) {
  agent a;
  a.role_ = role::agent;
  a.brands = {{"b1", brand_membership::primary}};
  auto p = scope_for_agent(a);
  EXPECT_FALSE(p.all_brands);
  EXPECT_TRUE(p.can_see_brand("b1"));
  EXPECT_FALSE(p.can_see_brand("b2"));

  agent bare_agent;
  bare_agent.role_ = role::agent;
  EXPECT_FALSE(scope_for_agent(bare_agent).can_see_brand("b1"));

  agent m;
  m.role_ = role::manager;
  EXPECT_TRUE(scope_for_agent(m).all_brands);
  m.brands = {{"b1", brand_membership::primary}};
  EXPECT_FALSE(scope_for_agent(m).all_brands);

  agent admin;
  admin.role_ = role::admin;
  admin.brands = {{"b1", brand_membership::primary}};
  EXPECT_TRUE(scope_for_agent(admin).all_brands);
}

TEST(Ids, UuidShape) {
  EXPECT_TRUE(is_uuid("7e7c4cf7-c7a8-47d4-9287-8b0abc49202a"));
  EXPECT_FALSE(is_uuid("7e7c4cf7c7a847d492878b0abc49202a"));
  EXPECT_FALSE(is_uuid("7e7c4cf7-c7a8-47d4-9287-8b0abc49202g"));
  EXPECT_FALSE(is_uuid("' OR 1=1 --"));
}

TEST(Ids, VersionSevenIdsSortByTimeAndTheLowerBoundPrecedesThem) {
  using namespace std::chrono;
  const auto at = sys_days{2026y / 12 / 3} + 15h + 41min + 48s + 123ms;
  const auto bound = uuid_v7_lower_bound(at);
  EXPECT_TRUE(is_uuid(bound));
  // 2026-12-03T15:41:48.123Z is 1,796,312,508,123 ms: 0x01a2_3c91_a6db.
  EXPECT_EQ(bound, "01a23c91-a6db-0000-0000-000000000000");
  EXPECT_LT(uuid_v7_lower_bound(at - 1ms), bound);
  // Every id made now sorts at or after the bound of a moment ago and
  // before the bound of a moment ahead (canonical text sorts as the bytes do,
  // which is how PostgreSQL compares uuids).
  const auto before = uuid_v7_lower_bound(system_clock::now() - 1ms);
  for (int i = 0; i < 100; ++i) {
    const auto id = new_uuid_v7();
    EXPECT_EQ(id[14], '7') << id;
    EXPECT_GE(id, before);
    EXPECT_LT(id, uuid_v7_lower_bound(system_clock::now() + 1s));
  }
}

TEST(Time, Rfc3339RoundTrip) {
  auto t = parse_rfc3339("2026-03-29T01:30:00+01:00");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(format_rfc3339(*t), "2026-03-29T00:30:00.000Z");
  EXPECT_TRUE(parse_rfc3339("2026-11-23T10:00:00Z").has_value());
  EXPECT_TRUE(parse_rfc3339("2026-11-23T10:00:00.250Z").has_value());
  EXPECT_FALSE(parse_rfc3339("2026-11-23 10:00").has_value());
  EXPECT_FALSE(parse_rfc3339("yesterday").has_value());
}
