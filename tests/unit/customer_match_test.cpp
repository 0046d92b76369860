#include <gtest/gtest.h>

#include "helpdesk/domain/customer_match.hpp"

namespace helpdesk {
namespace {

identity email(const char* v) { return {identity_kind::email, v}; }
identity phone(const char* v) { return {identity_kind::phone, v}; }

TEST(customer_match, nobody_known_creates_a_customer_with_every_identity) {
  auto r = resolve_customer({email("a@x.cz"), phone("+420777123456")}, {});
  EXPECT_EQ(r.customer_id, "");
  ASSERT_EQ(r.to_attach.size(), 2u);
  EXPECT_EQ(r.to_attach[1], phone("+420777123456"));
  EXPECT_TRUE(r.suggestions.empty());
}

TEST(customer_match, a_known_identity_picks_the_customer_and_new_ones_join_it) {
  auto r = resolve_customer({email("a@x.cz"), phone("+420777123456")}, {{phone("+420777123456"), "c1"}});
  EXPECT_EQ(r.customer_id, "c1");
  ASSERT_EQ(r.to_attach.size(), 1u);
  EXPECT_EQ(r.to_attach[0], email("a@x.cz"));
}

TEST(customer_match, two_customers_are_not_merged_the_first_wins_and_the_other_is_suggested) {
  auto r = resolve_customer({email("a@x.cz"), phone("+420777123456"), email("b@x.cz")},
                            {{phone("+420777123456"), "c2"}, {email("a@x.cz"), "c1"}, {email("b@x.cz"), "c2"}});
  EXPECT_EQ(r.customer_id, "c1");
  EXPECT_EQ(r.suggestions, std::vector<std::string>{"c2"});
  EXPECT_TRUE(r.to_attach.empty());
}

TEST(customer_match, repeated_identities_in_one_event_are_attached_once) {
  auto r = resolve_customer({email("a@x.cz"), email("a@x.cz")}, {});
  EXPECT_EQ(r.to_attach.size(), 1u);
}

}  // namespace
}  // namespace helpdesk
