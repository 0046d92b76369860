#include <gtest/gtest.h>

#include <openssl/evp.h>

#include "helpdesk/domain/outbound_mail.hpp"

using namespace helpdesk::mail_out;

namespace {

std::string decode_word(const std::string& word) {
  EXPECT_EQ(word.rfind("=?UTF-8?B?", 0), 0u) << word;
  const std::string b64 = word.substr(10, word.size() - 12);
  std::string out(b64.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
  std::size_t pad = 0;
  for (auto it = b64.rbegin(); it != b64.rend() && *it == '='; ++it) ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

}  // namespace

TEST(OutboundMail, NoLineBreakOrNulEverReachesAHeader) {
  EXPECT_EQ(header_safe("Hello\r\nBcc: victim@example.com"), "Hello Bcc: victim@example.com");
  EXPECT_EQ(header_safe(std::string("a\0b", 3)), "a b");
  EXPECT_EQ(header_safe("tab\there\n"), "tab here");
  const auto encoded = encode_words("Žluťoučký\r\nBcc: x@example.com");
  EXPECT_EQ(encoded.find('\r'), std::string::npos);
  EXPECT_EQ(encoded.find('\n'), std::string::npos);
  const auto box = mailbox("Eve\r\nBcc: x@y", "eve@example.com\r\nX: y");
  EXPECT_EQ(box.find('\n'), std::string::npos);
  EXPECT_EQ(box.find('\r'), std::string::npos);
}

TEST(OutboundMail, NonAsciiBecomesEncodedWordsOfAtMost75Characters) {
  EXPECT_EQ(encode_words("Order 1042"), "Order 1042");
  const std::string czech = "Příliš žluťoučký kůň úpěl ďábelské ódy – objednávka č. 1042 – reklamace zboží";
  const auto encoded = encode_words(czech);
  std::string decoded;
  std::size_t start = 0;
  while (start < encoded.size()) {
    auto end = encoded.find(' ', start);
    if (end == std::string::npos) end = encoded.size();
    const auto word = encoded.substr(start, end - start);
    EXPECT_LE(word.size(), 75u);
    decoded += decode_word(word);  // whole characters per word: each decodes to valid UTF-8 on its own
    start = end + 1;
  }
  EXPECT_EQ(decoded, czech);
  EXPECT_EQ(decode_word(encode_words("Ödön")), "Ödön");
}

TEST(OutboundMail, MailboxesQuoteOrEncodeTheName) {
  EXPECT_EQ(mailbox("", "a@example.com"), "a@example.com");
  EXPECT_EQ(mailbox("Shop Support", "a@example.com"), "\"Shop Support\" <a@example.com>");
  EXPECT_EQ(mailbox("Say \"hi\"", "a@example.com"), "\"Say \\\"hi\\\"\" <a@example.com>");
  const auto box = mailbox("Zákaznická podpora", "podpora@shop.cz");
  EXPECT_EQ(box.rfind("=?UTF-8?B?", 0), 0u);
  EXPECT_NE(box.find(" <podpora@shop.cz>"), std::string::npos);
}

TEST(OutboundMail, ReplySubjectsAndReferencesThreadBack) {
  EXPECT_EQ(reply_subject("Where is my parcel?", "[SHOP-7]"), "Re: Where is my parcel? [SHOP-7]");
  EXPECT_EQ(reply_subject("RE: Where [SHOP-7]", "[SHOP-7]"), "RE: Where [SHOP-7]");
  EXPECT_EQ(reply_subject("AW: Lieferung", "[SHOP-7]"), "AW: Lieferung [SHOP-7]");
  EXPECT_EQ(reply_references({"a@x", "b@x"}, "c@x"), (std::vector<std::string>{"a@x", "b@x", "c@x"}));
  EXPECT_EQ(reply_references({"a@x", "c@x"}, "c@x"), (std::vector<std::string>{"a@x", "c@x"}));
  std::vector<std::string> many;
  for (int i = 0; i < 30; ++i) many.push_back("m" + std::to_string(i) + "@x");
  auto refs = reply_references(many, "last@x", 20);
  EXPECT_EQ(refs.size(), 20u);
  EXPECT_EQ(refs.front(), "m0@x");
  EXPECT_EQ(refs.back(), "last@x");
}

#include "helpdesk/domain/mentions.hpp"

TEST(Mentions, AtAddressesInANoteAreMentions) {
  using helpdesk::mentioned_addresses;
  EXPECT_EQ(mentioned_addresses("@Jana.Novak@Shop.example please check, cc @petr@shop.example."),
            (std::vector<std::string>{"jana.novak@shop.example", "petr@shop.example"}));
  EXPECT_TRUE(mentioned_addresses("write to jana@shop.example").empty()) << "a plain address is not a mention";
  EXPECT_TRUE(mentioned_addresses("@jana without a domain").empty());
  EXPECT_EQ(mentioned_addresses("@a@x.example @a@x.example").size(), 1u);
  EXPECT_TRUE(mentioned_addresses("").empty());
}

TEST(Mentions, DeliveryReportsNeverStepBack) {
  using helpdesk::delivery_advances;
  EXPECT_TRUE(delivery_advances("queued", "sent"));
  EXPECT_TRUE(delivery_advances("sent", "delivered"));
  EXPECT_TRUE(delivery_advances("delivered", "bounced"));
  EXPECT_FALSE(delivery_advances("delivered", "sent"));
  EXPECT_FALSE(delivery_advances("sent", "sent"));
  EXPECT_FALSE(delivery_advances("failed", "delivered"));
}

#include "helpdesk/domain/canned.hpp"

TEST(Canned, PlaceholdersAreFilledAndUnknownOnesReported) {
  using namespace helpdesk::canned;
  const std::map<std::string, std::string> v = {{"customer.first_name", "Jana"}, {"ticket.number", "SHOP-7"},
                                                {"agent.name", "Petr Novák"}};
  EXPECT_EQ(render("Dobrý den {{customer.first_name}}, k {{ ticket.number }}: {{agent.name}}", v),
            "Dobrý den Jana, k SHOP-7: Petr Novák");
  EXPECT_EQ(render("{{brand.name}}!", v), "!") << "a known placeholder without a value is empty";
  EXPECT_EQ(render("a {{ unclosed", v), "a {{ unclosed");
  EXPECT_EQ(unknown_placeholders("{{customer.name}} {{order.id}} {{order.id}} {{x}}"),
            (std::vector<std::string>{"order.id", "x"}));
  EXPECT_TRUE(unknown_placeholders("plain text").empty());
  EXPECT_EQ(first_name("Jana Nováková"), "Jana");
  EXPECT_EQ(first_name(" Cher "), "Cher");
}
