#include <gtest/gtest.h>

#include "helpdesk/domain/automatic_mail.hpp"

using namespace helpdesk;

namespace {

// Headers every ordinary message carries; none of them may trigger a rule.
header_list human_headers() {
  return {{"Return-Path", "<jan@example.cz>"},
          {"From", "Jan Novák <jan@example.cz>"},
          {"To", "support@shop.example"},
          {"Subject", "Re: [SHOP-1042] Objednávka"},
          {"Message-ID", "<CAF=abc123@mail.gmail.com>"},
          {"MIME-Version", "1.0"},
          {"Content-Type", "text/plain; charset=UTF-8"}};
}

header_list with(header_list h, std::string name, std::string value) {
  h.emplace_back(std::move(name), std::move(value));
  return h;
}

automatic_verdict classify(const header_list& h, std::string_view from = "jan@example.cz", bool dsr = false) {
  return classify_automatic(h, from, dsr);
}

void expect_human(const automatic_verdict& v) {
  EXPECT_FALSE(v.automatic);
  EXPECT_FALSE(v.bounce);
  EXPECT_EQ(v.reason, "");
}

void expect_automatic(const automatic_verdict& v, const std::string& reason, bool bounce = false) {
  EXPECT_TRUE(v.automatic);
  EXPECT_EQ(v.bounce, bounce);
  EXPECT_EQ(v.reason, reason);
}

}  // namespace

TEST(AutomaticMail, OrdinaryMailIsHuman) {
  expect_human(classify(human_headers()));
  expect_human(classify({}));
  expect_human(classify({}, ""));
}

TEST(AutomaticMail, AutoSubmitted) {
  // Exchange / Microsoft 365 auto-generated notices and Gmail vacation replies.
  expect_automatic(classify(with(human_headers(), "Auto-Submitted", "auto-generated")),
                   "Auto-Submitted: auto-generated");
  expect_automatic(classify(with(human_headers(), "Auto-Submitted", "auto-replied")), "Auto-Submitted: auto-replied");
  expect_automatic(classify(with(human_headers(), "auto-submitted", "Auto-Replied")), "Auto-Submitted: auto-replied");
  expect_automatic(classify(with(human_headers(), "AUTO-SUBMITTED", " AUTO-GENERATED ")),
                   "Auto-Submitted: auto-generated");
  // RFC 3834 parameters and comments.
  expect_automatic(classify(with(human_headers(), "Auto-Submitted", "auto-replied; owner-email=\"jan@example.cz\"")),
                   "Auto-Submitted: auto-replied");
  expect_automatic(classify(with(human_headers(), "Auto-Submitted", "auto-generated (failure)")),
                   "Auto-Submitted: auto-generated");
  expect_automatic(classify(with(human_headers(), "Auto-Submitted", "auto-notified")), "Auto-Submitted: auto-notified");
}

TEST(AutomaticMail, AutoSubmittedNoIsHuman) {
  expect_human(classify(with(human_headers(), "Auto-Submitted", "no")));
  expect_human(classify(with(human_headers(), "Auto-Submitted", "No")));
  expect_human(classify(with(human_headers(), "Auto-Submitted", " no ; x=y")));
  expect_human(classify(with(human_headers(), "Auto-Submitted", "no (sent by a person)")));
  // A malformed empty value is not evidence of a machine.
  expect_human(classify(with(human_headers(), "Auto-Submitted", "")));
}

TEST(AutomaticMail, Precedence) {
  expect_automatic(classify(with(human_headers(), "Precedence", "bulk")), "Precedence: bulk");
  expect_automatic(classify(with(human_headers(), "precedence", "Bulk")), "Precedence: bulk");
  expect_automatic(classify(with(human_headers(), "Precedence", "junk")), "Precedence: junk");
  expect_automatic(classify(with(human_headers(), "Precedence", "list")), "Precedence: list");
  expect_automatic(classify(with(human_headers(), "Precedence", "auto_reply")), "Precedence: auto_reply");
  expect_human(classify(with(human_headers(), "Precedence", "first-class")));
  expect_human(classify(with(human_headers(), "Precedence", "")));
}

TEST(AutomaticMail, NewsletterShape) {
  header_list h = {{"From", "Shop News <news@mailing.example.com>"},
                   {"Precedence", "bulk"},
                   {"List-Unsubscribe", "<https://mailing.example.com/u/abc>, <mailto:unsub@mailing.example.com>"},
                   {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
  expect_automatic(classify(h, "news@mailing.example.com"), "Precedence: bulk");
  expect_automatic(classify({{"List-Unsubscribe", "<mailto:u@example.com>"}}, "news@example.com"),
                   "List-Unsubscribe present");
}

TEST(AutomaticMail, MailingLists) {
  expect_automatic(classify(with(human_headers(), "List-Id", "Shop users <users.lists.example.com>")),
                   "List-Id present");
  expect_automatic(classify(with(human_headers(), "list-id", "<users.lists.example.com>")), "List-Id present");
  expect_human(classify(with(human_headers(), "List-Id", "  ")));
  // List-Post or List-Archive alone are not among the rules.
  expect_human(classify(with(human_headers(), "List-Archive", "<https://lists.example.com/>")));
}

TEST(AutomaticMail, AutoreplyHeaders) {
  expect_automatic(classify(with(human_headers(), "X-Autoreply", "yes")), "X-Autoreply: yes");
  expect_automatic(classify(with(human_headers(), "X-AUTOREPLY", "YES")), "X-Autoreply: yes");
  expect_automatic(classify(with(human_headers(), "X-Autoreply", "")), "X-Autoreply");
  expect_automatic(classify(with(human_headers(), "X-Autorespond", "Out of office")), "X-Autorespond: out of office");
  expect_human(classify(with(human_headers(), "X-Autoreply", "no")));
  expect_human(classify(with(human_headers(), "X-Autorespond", "false")));
  expect_automatic(classify(with(human_headers(), "X-AutoGenerated", "Reply")), "X-Autogenerated: reply");
  expect_automatic(classify(with(human_headers(), "X-Autogenerated", "reply")), "X-Autogenerated: reply");
  expect_human(classify(with(human_headers(), "X-Autogenerated", "Forward")));
}

TEST(AutomaticMail, OutlookSuppressAloneIsHuman) {
  // Outlook adds this to ordinary mail to ask others not to auto-reply.
  expect_human(classify(with(human_headers(), "X-Auto-Response-Suppress", "All")));
  expect_human(classify(with(human_headers(), "X-Auto-Response-Suppress", "DR, OOF, AutoReply")));
}

TEST(AutomaticMail, ExchangeOutOfOffice) {
  header_list h = {{"From", "Jan Novák <jan@firma.cz>"},
                   {"Subject", "Automatická odpověď: [SHOP-1042] Vaše objednávka"},
                   {"Auto-Submitted", "auto-generated"},
                   {"X-Auto-Response-Suppress", "All"},
                   {"X-MS-Exchange-Inbox-Rules-Loop", "jan@firma.cz"}};
  expect_automatic(classify(h, "jan@firma.cz"), "Auto-Submitted: auto-generated");
}

TEST(AutomaticMail, EmptyReturnPath) {
  expect_automatic(classify({{"Return-Path", "<>"}}), "empty Return-Path");
  expect_automatic(classify({{"return-path", " < > "}}), "empty Return-Path");
  expect_human(classify({{"Return-Path", "<jan@example.cz>"}}));
  expect_human(classify({{"Return-Path", ""}}));
}

TEST(AutomaticMail, DaemonSendersAreBounces) {
  expect_automatic(classify({}, "MAILER-DAEMON@mx.example.com"), "sender mailer-daemon@mx.example.com", true);
  expect_automatic(classify({}, "mailer-daemon@googlemail.com"), "sender mailer-daemon@googlemail.com", true);
  expect_automatic(classify({}, "postmaster@example.cz"), "sender postmaster@example.cz", true);
  expect_automatic(classify({}, "PostMaster@Outlook.com"), "sender postmaster@outlook.com", true);
  // The sender rule is named before the headers it also carries.
  expect_automatic(classify({{"Auto-Submitted", "auto-replied"}}, "mailer-daemon@mx.example.com"),
                   "sender mailer-daemon@mx.example.com", true);
  // Similar names are people.
  expect_human(classify({}, "daemon@example.com"));
  expect_human(classify({}, "postmaster.jan@example.com"));
  expect_human(classify({}, "jan@mailer-daemon.example.com"));
}

TEST(AutomaticMail, DeliveryStatusReports) {
  expect_automatic(classify({}, "jan@example.cz", true), "delivery status report", true);
  expect_automatic(classify({{"Auto-Submitted", "auto-replied"}}, "MAILER-DAEMON@mx.example.com", true),
                   "delivery status report", true);
  // An ordinary auto-reply is automatic but no bounce.
  auto v = classify({{"Auto-Submitted", "auto-replied"}});
  EXPECT_TRUE(v.automatic);
  EXPECT_FALSE(v.bounce);
}

TEST(AutomaticMail, RuleOrderForReason) {
  header_list h = {{"Return-Path", "<>"}, {"Precedence", "bulk"}, {"Auto-Submitted", "auto-generated"}};
  expect_automatic(classify(h), "Auto-Submitted: auto-generated");
  header_list p = {{"Return-Path", "<>"}, {"List-Id", "<x.example.com>"}, {"Precedence", "list"}};
  expect_automatic(classify(p), "Precedence: list");
  // A repeated header counts if any copy triggers.
  header_list twice = {{"Auto-Submitted", "no"}, {"Auto-Submitted", "auto-replied"}};
  expect_automatic(classify(twice), "Auto-Submitted: auto-replied");
}

TEST(AutomaticMail, HeaderNamesWithStraySpace) {
  expect_automatic(classify({{"Auto-Submitted ", "auto-replied"}}), "Auto-Submitted: auto-replied");
}
