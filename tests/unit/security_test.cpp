#include <gtest/gtest.h>

#include <set>

#include "helpdesk/security/password.hpp"
#include "helpdesk/security/tokens.hpp"

using namespace helpdesk::security;

TEST(Tokens, Sha256KnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Tokens, Base64UrlKnownVectors) {
  EXPECT_EQ(base64url("f"), "Zg");
  EXPECT_EQ(base64url("fo"), "Zm8");
  EXPECT_EQ(base64url("foo"), "Zm9v");
  EXPECT_EQ(base64url("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("Zm9v").value(), "foo");
  EXPECT_EQ(base64url_decode("-_8").value(), "\xfb\xff");
  EXPECT_FALSE(base64url_decode("a=b").has_value());
}

TEST(Tokens, GeneratedTokensArePrefixedAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto t = generate_token(api_token_prefix);
    ASSERT_EQ(t.rfind("hdk_", 0), 0u);
    ASSERT_EQ(t.size(), 47u);  // 4 + 43 characters for 256 bits
    ASSERT_TRUE(looks_like_token(t));
    ASSERT_TRUE(seen.insert(t).second);
  }
  EXPECT_TRUE(looks_like_token(generate_token(session_token_prefix)));
}

TEST(Tokens, LooksLikeTokenRejectsOtherShapes) {
  EXPECT_FALSE(looks_like_token(""));
  EXPECT_FALSE(looks_like_token("hdk_short"));
  EXPECT_FALSE(looks_like_token("xyz_" + std::string(43, 'a')));
  EXPECT_FALSE(looks_like_token("hdk_" + std::string(42, 'a') + "!"));
}

TEST(Tokens, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
}

TEST(Password, Argon2idRoundTripAtOwaspCost) {
  auto h = hash_password("correct horse battery staple");
  EXPECT_EQ(h.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << h;
  EXPECT_TRUE(verify_password("correct horse battery staple", h));
  EXPECT_FALSE(verify_password("correct horse battery stapLe", h));
  EXPECT_NE(h, hash_password("correct horse battery staple"));  // salted
}

TEST(Password, RejectsForeignHashes) {
  EXPECT_FALSE(verify_password("x", "$2y$10$abcdefghijklmnopqrstuv"));
  EXPECT_FALSE(verify_password("x", ""));
  EXPECT_FALSE(verify_password("anything", decoy_password_hash()));
}

TEST(Security, Base64DecodesWhatMailAndJsonApisSend) {
  using helpdesk::security::base64_decode;
  EXPECT_EQ(base64_decode("Zm9vYmFy").value(), "foobar");
  EXPECT_EQ(base64_decode("Zm9vYg==").value(), "foob");
  EXPECT_EQ(base64_decode("Zm9vYg").value(), "foob");             // padding optional
  EXPECT_EQ(base64_decode("Zm9v\r\nYmFy\n").value(), "foobar");   // MIME line breaks
  EXPECT_EQ(base64_decode("+/+/").value(), "\xfb\xff\xbf");
  EXPECT_EQ(base64_decode("").value(), "");
  EXPECT_FALSE(base64_decode("Zm9v-_").has_value());   // base64url alphabet is not base64
  EXPECT_FALSE(base64_decode("Zg==Zg").has_value());   // data after padding
  EXPECT_FALSE(base64_decode("Zm9vY").has_value());    // a dangling sextet
  EXPECT_FALSE(base64_decode("Zg===").has_value());
}
