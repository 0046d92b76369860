#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "helpdesk/domain/identity.hpp"

namespace helpdesk {
// Readable failure messages instead of byte dumps.
void PrintTo(const identity& i, std::ostream* os) { *os << to_string(i.kind) << " \"" << i.value << "\""; }
}  // namespace helpdesk

using namespace helpdesk;

namespace {

identity phone(std::string v) { return {identity_kind::phone, std::move(v)}; }
identity raw(std::string v) { return {identity_kind::raw_phone, std::move(v)}; }
identity chat(std::string v) { return {identity_kind::chat, std::move(v)}; }

void expect_all_phone(const std::vector<std::string>& spellings, const char* region, const std::string& e164) {
  for (const auto& s : spellings) {
    SCOPED_TRACE(std::string(region) + " [" + s + "]");
    EXPECT_EQ(normalize_caller(s, region), phone(e164));
    EXPECT_EQ(phone_query(s, region), e164);
  }
}

}  // namespace

TEST(IdentityKind, RoundTrips) {
  for (auto k : {identity_kind::email, identity_kind::phone, identity_kind::raw_phone, identity_kind::chat,
                 identity_kind::external})
    EXPECT_EQ(parse_identity_kind(to_string(k)), k);
  EXPECT_EQ(to_string(identity_kind::raw_phone), "raw_phone");
  EXPECT_EQ(to_string(identity_kind::external), "external");
  EXPECT_EQ(parse_identity_kind("Email"), std::nullopt);
  EXPECT_EQ(parse_identity_kind(""), std::nullopt);
  EXPECT_EQ(parse_identity_kind("sms"), std::nullopt);
}

TEST(IdentityOrdering, ComparesKindThenValue) {
  EXPECT_EQ(phone("+420777123456"), phone("+420777123456"));
  EXPECT_NE(phone("+420777123456"), raw("+420777123456"));
  EXPECT_LT((identity{identity_kind::email, "z@x.cz"}), phone("+1"));
  EXPECT_LT(phone("+1"), phone("+2"));
}

TEST(NormalizeCaller, CzechSpellings) {
  expect_all_phone({"777 123 456", "777123456", "777-123-456", "+420 777 123 456", "+420777123456",
                    "00420777123456", "00420 777 123 456", "(+420) 777 123 456", "+420 777 123 456 ",
                    "\t777 123 456\n", "420777123456"},
                   "CZ", "+420777123456");
  expect_all_phone({"224 812 345", "+420 224 812 345", "00420224812345"}, "CZ", "+420224812345");
}

TEST(NormalizeCaller, SlovakSpellings) {
  expect_all_phone({"0905 123 456", "0905/123 456", "0905123456", "+421 905 123 456", "00421905123456",
                    "00421 905 123 456"},
                   "SK", "+421905123456");
  expect_all_phone({"02/2123 4567", "02 21 234 567", "+421 2 2123 4567"}, "SK", "+421221234567");
  // A Slovak number written with its country code reads the same from Prague.
  expect_all_phone({"+421 905 123 456", "00421905123456"}, "CZ", "+421905123456");
}

TEST(NormalizeCaller, PolishSpellings) {
  expect_all_phone({"512 345 678", "512-345-678", "+48 512-345-678", "+48512345678", "0048512345678"}, "PL",
                   "+48512345678");
  expect_all_phone({"22 123 45 67", "+48 22 123 45 67", "(22) 123 45 67"}, "PL", "+48221234567");
}

TEST(NormalizeCaller, GermanSpellings) {
  expect_all_phone({"030 12345678", "030/12345678", "+49 30 12345678", "+49 (0)30 12345678", "0049 30 12345678",
                    "+493012345678"},
                   "DE", "+493012345678");
  expect_all_phone({"0151 23456789", "+49 151 23456789", "0049 151 234 567 89"}, "DE", "+4915123456789");
}

TEST(NormalizeCaller, UkSpellings) {
  expect_all_phone({"020 7946 0018", "+44 20 7946 0018", "+44 (0)20 7946 0018", "0044 20 7946 0018",
                    "02079460018"},
                   "GB", "+442079460018");
  expect_all_phone({"07911 123456", "+44 7911 123456", "0044 7911 123456", "07911-123-456"}, "GB", "+447911123456");
}

TEST(NormalizeCaller, UsSpellings) {
  expect_all_phone({"(201) 555-0123", "201-555-0123", "201.555.0123", "+1 201-555-0123", "1-201-555-0123",
                    "+12015550123", "2015550123"},
                   "US", "+12015550123");
  expect_all_phone({"+1 (650) 253-0000", "650 253 0000"}, "US", "+16502530000");
  // The US international prefix reaches Prague.
  expect_all_phone({"011 420 777 123 456", "+420 777 123 456"}, "US", "+420777123456");
}

TEST(NormalizeCaller, RegionCaseAndAbsence) {
  EXPECT_EQ(normalize_caller("777 123 456", "cz"), phone("+420777123456"));
  EXPECT_EQ(normalize_caller("777 123 456", " CZ "), phone("+420777123456"));
  // Without a region only international spellings can be read.
  EXPECT_EQ(normalize_caller("+420 777 123 456", ""), phone("+420777123456"));
  EXPECT_EQ(normalize_caller("777 123 456", ""), raw("777 123 456"));
  EXPECT_EQ(normalize_caller("777 123 456", "XX"), raw("777 123 456"));
}

TEST(NormalizeCaller, NationalNumberInWrongRegionIsNotGuessed) {
  // A Slovak mobile in national form is not a Czech number.
  EXPECT_EQ(normalize_caller("0905 123 456", "CZ"), raw("0905 123 456"));
  // A Czech mobile without country code is not a valid US number...
  EXPECT_EQ(normalize_caller("777 123 456", "US"), raw("777 123 456"));
  // ...but the same digits are a valid German number, and that is what they mean there.
  EXPECT_EQ(normalize_caller("777 123 456", "DE"), phone("+49777123456"));
}

TEST(NormalizeCaller, InvalidNumbersStayRaw) {
  EXPECT_EQ(normalize_caller("12", "CZ"), raw("12"));
  EXPECT_EQ(normalize_caller("+999 1234", "CZ"), raw("+999 1234"));
  EXPECT_EQ(normalize_caller("  +999 1234  ", "CZ"), raw("+999 1234"));
  EXPECT_EQ(normalize_caller("555-0123", "US"), raw("555-0123"));
  EXPECT_EQ(normalize_caller("112", "CZ"), raw("112"));
  EXPECT_EQ(normalize_caller("7771234567890123", "CZ"), raw("7771234567890123"));
  // Letters are never mapped to digits or skipped.
  EXPECT_EQ(normalize_caller("1-800-FLOWERS", "US"), raw("1-800-FLOWERS"));
  EXPECT_EQ(normalize_caller("Phone 777 123 456", "CZ"), raw("Phone 777 123 456"));
  EXPECT_EQ(normalize_caller("777 123 456 (mobile)", "CZ"), raw("777 123 456 (mobile)"));
  EXPECT_EQ(normalize_caller("+420 777 123 456 ext. 12", "CZ"), raw("+420 777 123 456 ext. 12"));
  EXPECT_EQ(normalize_caller("++420777123456", "CZ"), raw("++420777123456"));
  EXPECT_EQ(normalize_caller("777+123456", "CZ"), raw("777+123456"));
  // Twilio's spelled-out "anonymous" is a number that does not exist.
  EXPECT_EQ(normalize_caller("+266696687", "CZ"), raw("+266696687"));
}

TEST(NormalizeCaller, AnonymousCallers) {
  for (const char* s : {"", "   ", "anonymous", "Anonymous", "ANONYMOUS", "unknown", "Unknown", "restricted",
                        "RESTRICTED", "private", "Private", " anonymous ", "withheld", "unavailable",
                        "sip:anonymous@anonymous.invalid", "\"Anonymous\" <sip:anonymous@anonymous.invalid>;tag=9",
                        "<anonymous>", "client:", "sip:", "tel:", "sip:@example.com", "sip:alice@"}) {
    SCOPED_TRACE(s);
    EXPECT_EQ(normalize_caller(s, "CZ"), std::nullopt);
  }
}

TEST(NormalizeCaller, ClientAndSipHandles) {
  EXPECT_EQ(normalize_caller("client:bob", "CZ"), chat("client:bob"));
  EXPECT_EQ(normalize_caller("  client:bob ", "CZ"), chat("client:bob"));
  EXPECT_EQ(normalize_caller("Client:Bob", "CZ"), chat("client:Bob"));
  EXPECT_EQ(normalize_caller("client:agent-7f3a", "US"), chat("client:agent-7f3a"));
  EXPECT_EQ(normalize_caller("sip:alice@example.com", "CZ"), chat("sip:alice@example.com"));
  EXPECT_EQ(normalize_caller("sip:alice@Example.COM", "CZ"), chat("sip:alice@example.com"));
  EXPECT_EQ(normalize_caller("SIP:alice@EXAMPLE.com", "CZ"), chat("sip:alice@example.com"));
  EXPECT_EQ(normalize_caller("sip:alice@example.com;transport=tls", "CZ"), chat("sip:alice@example.com"));
  EXPECT_EQ(normalize_caller("sip:alice@example.com?subject=hi", "CZ"), chat("sip:alice@example.com"));
  EXPECT_EQ(normalize_caller("\"Alice\" <sip:Alice@PBX.Example.com:5060;transport=udp>;tag=abc", "CZ"),
            chat("sip:Alice@pbx.example.com:5060"));
  EXPECT_EQ(normalize_caller("sips:bob@secure.example.org", "CZ"), chat("sips:bob@secure.example.org"));
  EXPECT_EQ(normalize_caller("sip:+420777123456@trunk.example.cz", "CZ"), chat("sip:+420777123456@trunk.example.cz"));
}

TEST(NormalizeCaller, TelUris) {
  // The scheme is case-insensitive, so a "Tel: " label reads as a tel URI.
  EXPECT_EQ(normalize_caller("Tel: 777 123 456", "CZ"), phone("+420777123456"));
  EXPECT_EQ(normalize_caller("tel:+420777123456", "CZ"), phone("+420777123456"));
  EXPECT_EQ(normalize_caller("tel:+420-777-123-456;phone-context=example.cz", "CZ"), phone("+420777123456"));
  EXPECT_EQ(normalize_caller("<tel:+420777123456>", "DE"), phone("+420777123456"));
  EXPECT_EQ(normalize_caller("tel:12", "CZ"), raw("tel:12"));
}

TEST(PhoneQuery, OnlyValidNumbers) {
  EXPECT_EQ(phone_query("777123456", "CZ"), "+420777123456");
  EXPECT_EQ(phone_query(" +420 777 123 456 ", "CZ"), "+420777123456");
  EXPECT_EQ(phone_query("0905 123 456", "SK"), "+421905123456");
  EXPECT_EQ(phone_query("0905 123 456", "CZ"), std::nullopt);
  EXPECT_EQ(phone_query("777", "CZ"), std::nullopt);
  EXPECT_EQ(phone_query("12", "CZ"), std::nullopt);
  EXPECT_EQ(phone_query("novak", "CZ"), std::nullopt);
  EXPECT_EQ(phone_query("jan@example.cz", "CZ"), std::nullopt);
  EXPECT_EQ(phone_query("SHOP-1042", "CZ"), std::nullopt);
  EXPECT_EQ(phone_query("", "CZ"), std::nullopt);
  EXPECT_EQ(phone_query("+", "CZ"), std::nullopt);
  EXPECT_EQ(phone_query("2024-01-15", "CZ"), std::nullopt);
}

TEST(NormalizeEmail, SpecExamples) {
  for (const char* s : {"Jan Novák <JAN@Example.CZ>", "\"Novák, Jan\" <jan@example.cz>", "jan@example.cz (Jan)",
                        "<jan@example.cz>", " JAN@EXAMPLE.CZ ", "jan@example.cz"}) {
    SCOPED_TRACE(s);
    EXPECT_EQ(normalize_email(s), "jan@example.cz");
  }
  EXPECT_EQ(normalize_email("Jan Novák <JAN.Novak@Example.CZ>"), "jan.novak@example.cz");
}

TEST(NormalizeEmail, RealWorldSpellings) {
  EXPECT_EQ(normalize_email("'Jan Novák' <Jan.Novak@Firma.cz>"), "jan.novak@firma.cz");
  EXPECT_EQ(normalize_email("\"jan@example.cz\" <jan@example.cz>"), "jan@example.cz");
  EXPECT_EQ(normalize_email("\"Novák, Jan (Sales)\" <jan.novak@example.cz>"), "jan.novak@example.cz");
  EXPECT_EQ(normalize_email("=?UTF-8?B?SmFuIE5vdsOhaw==?= <jan@example.cz>"), "jan@example.cz");
  EXPECT_EQ(normalize_email("Jan <jan@example.cz> (work)"), "jan@example.cz");
  EXPECT_EQ(normalize_email("(Jan (the boss)) jan@example.cz"), "jan@example.cz");
  EXPECT_EQ(normalize_email("Jan\r\n <jan@example.cz>"), "jan@example.cz");
  EXPECT_EQ(normalize_email("jan+orders@example.cz"), "jan+orders@example.cz");
  EXPECT_EQ(normalize_email("O'Brien@Example.IE"), "o'brien@example.ie");
  EXPECT_EQ(normalize_email("mailto:Jan@Example.cz"), "jan@example.cz");
  EXPECT_EQ(normalize_email("<mailto:jan@example.cz>"), "jan@example.cz");
  EXPECT_EQ(normalize_email("<@relay.example.net:jan@example.cz>"), "jan@example.cz");
  EXPECT_EQ(normalize_email("jan @ example.cz"), "jan@example.cz");
  EXPECT_EQ(normalize_email("jan@[192.0.2.1]"), "jan@[192.0.2.1]");
  EXPECT_EQ(normalize_email("MAILER-DAEMON@MX.Example.com"), "mailer-daemon@mx.example.com");
  // A quoted local part that needs no quotes is the plain one.
  EXPECT_EQ(normalize_email("\"Jan.Novak\"@example.cz"), "jan.novak@example.cz");
  EXPECT_EQ(normalize_email("\"jan novak\"@example.cz"), "\"jan novak\"@example.cz");
  EXPECT_EQ(normalize_email("\"a@b\"@Example.cz"), "\"a@b\"@example.cz");
}

TEST(NormalizeEmail, InternationalisedAddresses) {
  // Only ASCII letters fold; UTF-8 passes through untouched.
  EXPECT_EQ(normalize_email("Petr <Petr.Dvořák@Příklad.CZ>"), "petr.dvořák@příklad.cz");
  EXPECT_EQ(normalize_email("ŽOFIE@EXAMPLE.cz"), "Žofie@example.cz");
  EXPECT_EQ(normalize_email("用户@例子.广告"), "用户@例子.广告");
}

TEST(NormalizeEmail, NotAnAddress) {
  for (const char* s : {"", "   ", "Jan Novák", "jan", "jan@", "@example.cz", "<>", "<jan>", "Jan <>",
                        "jan@@example.cz", "jan..novak@example.cz", ".jan@example.cz", "jan.@example.cz",
                        "jan@example..cz", "jan@.example.cz", "jan novak@example.cz", "jan@exa mple.cz",
                        "jan@example.cz, petr@example.cz", "\"\"@example.cz", "(jan@example.cz)",
                        "<@relay.example.net>"}) {
    SCOPED_TRACE(s);
    EXPECT_EQ(normalize_email(s), std::nullopt);
  }
}

TEST(DisplayName, Shapes) {
  EXPECT_EQ(display_name("Jan Novák <JAN.Novak@Example.CZ>"), "Jan Novák");
  EXPECT_EQ(display_name("\"Novák, Jan\" <jan@example.cz>"), "Novák, Jan");
  EXPECT_EQ(display_name("\"Jan \\\"Honza\\\" Novák\" <jan@example.cz>"), "Jan \"Honza\" Novák");
  EXPECT_EQ(display_name("'Jan Novák' <jan@example.cz>"), "Jan Novák");
  EXPECT_EQ(display_name("  Jan   Novák\r\n  <jan@example.cz>"), "Jan Novák");
  EXPECT_EQ(display_name("Jan (work) Novák <jan@example.cz>"), "Jan Novák");
  EXPECT_EQ(display_name("jan@example.cz (Jan Novák)"), "Jan Novák");
  EXPECT_EQ(display_name("<jan@example.cz>"), "");
  EXPECT_EQ(display_name("jan@example.cz"), "");
  EXPECT_EQ(display_name(""), "");
  EXPECT_EQ(display_name("\"\" <jan@example.cz>"), "");
}

TEST(ChatAndExternal, TrimmedAndKept) {
  EXPECT_EQ(normalize_chat_handle("  visitor-8f2c  "), chat("visitor-8f2c"));
  EXPECT_EQ(normalize_chat_handle("WhatsApp:+420777123456"), chat("WhatsApp:+420777123456"));
  EXPECT_EQ(normalize_chat_handle(""), std::nullopt);
  EXPECT_EQ(normalize_chat_handle(" \t "), std::nullopt);
  EXPECT_EQ(normalize_external_id(" amazon-order:302-1234567-1234567 "),
            (identity{identity_kind::external, "amazon-order:302-1234567-1234567"}));
  EXPECT_EQ(normalize_external_id("shop-account:AbC"), (identity{identity_kind::external, "shop-account:AbC"}));
  EXPECT_EQ(normalize_external_id(""), std::nullopt);
  EXPECT_EQ(normalize_external_id("\n"), std::nullopt);
}
