#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <set>

#include "helpdesk/domain/webhook_target.hpp"
#include "helpdesk/security/tokens.hpp"
#include "helpdesk/security/webhook_signature.hpp"

using namespace helpdesk::webhooks;

namespace {

target_url parsed(const std::string& url) {
  auto r = parse_target_url(url);
  if (auto* why = std::get_if<std::string>(&r)) ADD_FAILURE() << url << ": " << *why;
  return std::get_if<target_url>(&r) ? std::get<target_url>(r) : target_url{};
}

std::string refusal(const std::string& url, const std::vector<std::string>& allowed = {}) {
  auto r = parse_target_url(url);
  if (auto* why = std::get_if<std::string>(&r)) return "unparsable: " + *why;
  return refused_target(std::get<target_url>(r), allowed).value_or("");
}

}  // namespace

TEST(WebhookUrl, ReadsSchemeHostPortAndTarget) {
  auto u = parsed("https://Hooks.Example.COM/in/helpdesk?x=1");
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.host, "hooks.example.com");
  EXPECT_EQ(u.port, 443);
  EXPECT_EQ(u.target, "/in/helpdesk?x=1");
  EXPECT_FALSE(u.ip_literal);
  auto p = parsed("http://example.com:8080");
  EXPECT_EQ(p.port, 8080);
  EXPECT_EQ(p.target, "/");
  auto q = parsed("http://example.com?a=b");
  EXPECT_EQ(q.target, "/?a=b");
  auto v6 = parsed("http://[2606:4700::1111]:81/x");
  EXPECT_EQ(v6.host, "2606:4700::1111");
  EXPECT_EQ(v6.port, 81);
  EXPECT_TRUE(v6.ip_literal);
  EXPECT_EQ(parsed("http://example.com./").host, "example.com");
}

TEST(WebhookUrl, RefusesWhatIsNotAPlainHttpUrl) {
  for (const char* bad : {"ftp://example.com/", "example.com/hook", "http://user:pw@example.com/", "http:///x",
                          "http://example.com:0/", "http://example.com:70000/", "http://example.com:x/",
                          "http://exa mple.com/", "http://example.com/#frag", "http://[::1/", "http://[1:2:3]/",
                          "http://ex%41mple.com/", "http://example.com:/"}) {
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_target_url(bad))) << bad;
  }
}

TEST(WebhookTarget, RefusesLoopbackPrivateLinkLocalAndUniqueLocal) {
  for (const char* url : {"http://127.0.0.1:5432/", "http://127.1.2.3/", "http://10.1.2.3/", "http://172.16.0.1/",
                          "http://172.31.255.255/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data",
                          "http://0.0.0.0/", "http://100.64.0.1/", "http://224.0.0.1/", "http://255.255.255.255/",
                          "http://[::1]/", "http://[::]/", "http://[fe80::1]/", "http://[fc00::1]/", "http://[fd12:3456::1]/",
                          "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[::ffff:10.0.0.1]/",
                          "http://[64:ff9b::a9fe:a9fe]/", "http://[ff02::1]/"}) {
    EXPECT_NE(refusal(url), "") << url;
  }
}

TEST(WebhookTarget, RefusesNumericHostFormsAndLocalNames) {
  for (const char* url : {"http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/", "http://127.1/",
                          "http://0x7f.0.0.1/", "http://017700000001/", "http://localhost/", "http://LOCALHOST:8080/",
                          "http://api.localhost/", "http://intranet/", "http://printer.local/", "http://db.internal/"}) {
    EXPECT_NE(refusal(url), "") << url;
  }
  EXPECT_NE(refusal("http://2130706433/").find("numeric form"), std::string::npos);
  EXPECT_NE(refusal("http://[::1]/").find("loopback"), std::string::npos);
}

TEST(WebhookTarget, AcceptsPublicHostsAndAddresses) {
  for (const char* url : {"https://hooks.example.com/x", "http://93.184.216.34/", "http://172.32.0.1/",
                          "http://192.169.0.1/", "http://[2606:4700:4700::1111]/", "https://0xdead.example.com/",
                          "http://1.example/"}) {
    EXPECT_EQ(refusal(url), "") << url;
  }
}

TEST(WebhookTarget, TheAllowListLetsNamedHostsThrough) {
  const auto allowed = parse_allowed_hosts(" 127.0.0.1, LocalHost ,,[::1]");
  EXPECT_EQ(allowed, (std::vector<std::string>{"127.0.0.1", "localhost", "::1"}));
  EXPECT_EQ(refusal("http://127.0.0.1:9000/hook", allowed), "");
  EXPECT_EQ(refusal("http://localhost:9000/hook", allowed), "");
  EXPECT_EQ(refusal("http://[::1]:9000/hook", allowed), "");
  EXPECT_NE(refusal("http://127.0.0.2:9000/hook", allowed), "");
  EXPECT_NE(refusal("http://2130706433/", allowed), "");
  EXPECT_TRUE(parse_allowed_hosts("").empty());
}

TEST(WebhookTarget, ResolvedAddressesAreJudgedAsBytes) {
  EXPECT_TRUE(refused_ipv4(0x7f000001));
  EXPECT_TRUE(refused_ipv4(0xc0a80001));
  EXPECT_FALSE(refused_ipv4(0x5db8d822));  // 93.184.216.34
  std::array<std::uint8_t, 16> mapped{};
  mapped[10] = mapped[11] = 0xff;
  mapped[12] = 10;
  EXPECT_TRUE(refused_ipv6(mapped));
  mapped[12] = 93;
  EXPECT_FALSE(refused_ipv6(mapped));
  std::array<std::uint8_t, 16> global{0x26, 0x06, 0x47, 0x00};
  global[15] = 1;
  EXPECT_FALSE(refused_ipv6(global));
}

TEST(WebhookRetries, FollowAGrowingScheduleOfAboutThreeDaysWithJitter) {
  using namespace std::chrono;
  EXPECT_FALSE(retry_delay(1, 0));
  EXPECT_EQ(retry_delay(2, 0), milliseconds(5000));
  EXPECT_EQ(retry_delay(3, 0), minutes(5));
  milliseconds total{0};
  int attempts = 1;
  for (int a = 2; auto d = retry_delay(a, 0.0); ++a) {
    if (a > 2) EXPECT_GT(*d, *retry_delay(a - 1, 0.0));
    total += *d;
    attempts = a;
  }
  EXPECT_EQ(attempts, max_attempts);
  EXPECT_GT(total, hours(70));
  EXPECT_LT(total, hours(90));
  EXPECT_EQ(retry_delay(2, 0.999).value().count() / 100, 59);  // at most +20 %
  EXPECT_FALSE(retry_delay(max_attempts + 1, 0.5));
}

TEST(WebhookSignature, MatchesAnIndependentHmacOfIdTimestampAndBody) {
  using namespace helpdesk::security;
  const std::string secret = new_webhook_secret();
  ASSERT_TRUE(secret.starts_with("whsec_"));
  const auto key = webhook_secret_key(secret);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->size(), 32u);
  const std::string body = R"({"type":"ticket.created","data":{"id":"x"}})";
  const std::string signed_content = "msg_1." + std::to_string(1700000000) + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  HMAC(EVP_sha256(), key->data(), static_cast<int>(key->size()), reinterpret_cast<const unsigned char*>(signed_content.data()),
       signed_content.size(), mac, &len);
  unsigned char b64[128];
  const int n = EVP_EncodeBlock(b64, mac, static_cast<int>(len));
  EXPECT_EQ(webhook_signature(secret, "msg_1", 1700000000, body), "v1," + std::string(reinterpret_cast<char*>(b64), n));
  EXPECT_NE(webhook_signature(secret, "msg_2", 1700000000, body), webhook_signature(secret, "msg_1", 1700000000, body));
  std::set<std::string> secrets;
  for (int i = 0; i < 20; ++i) secrets.insert(new_webhook_secret());
  EXPECT_EQ(secrets.size(), 20u);
  EXPECT_FALSE(webhook_secret_key("hdk_abc"));
  EXPECT_FALSE(webhook_secret_key("whsec_!!!"));
}

TEST(WebhookSignature, KnownVectorOfTheSpecification) {
  // The example of the Standard Webhooks specification's reference libraries.
  EXPECT_EQ(helpdesk::security::webhook_signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                                  1614265330, R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}
