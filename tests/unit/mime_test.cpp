#include "helpdesk/mail/mime.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "helpdesk/domain/error.hpp"

namespace {

using namespace std::chrono;
using helpdesk::errc;
using helpdesk::mail::mime_limits;
using helpdesk::mail::parse_mime;
using helpdesk::mail::parsed_email;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string fixture(const std::string& name) {
  const std::string text = read_file(std::string(HELPDESK_SOURCE_DIR) + "/tests/fixtures/mail/" + name);
  EXPECT_FALSE(text.empty()) << name;
  return text;
}

parsed_email parse_fixture(const std::string& name) { return parse_mime(fixture(name)); }

// Independent of the parser's own check so a bug there cannot hide here.
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size() || (n == 2 && c < 0xC2)) return false;
    std::uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n;
  }
  return true;
}

bool all_strings_valid(const parsed_email& e) {
  std::vector<std::string_view> fields = {e.from,        e.reply_to,   e.return_path, e.subject, e.message_id,
                                          e.in_reply_to, e.references, e.text,        e.html,    e.bounced_message_id};
  for (const auto& s : e.to) fields.push_back(s);
  for (const auto& s : e.cc) fields.push_back(s);
  for (const auto& [name, value] : e.headers) {
    fields.push_back(name);
    fields.push_back(value);
  }
  for (const auto& a : e.attachments) {
    fields.push_back(a.filename);
    fields.push_back(a.content_type);
    fields.push_back(a.content_id);
  }
  return std::all_of(fields.begin(), fields.end(), [](std::string_view s) {
    return valid_utf8(s) && s.find('\0') == std::string_view::npos;
  });
}

// `depth` multiparts, each inside the previous one, around one text part.
std::string nested_multiparts(std::size_t depth) {
  std::string m = "From: a@example.com\nSubject: deep\nMIME-Version: 1.0\n";
  for (std::size_t i = 0; i < depth; ++i) {
    m += "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(i) + "\"\n\n--b" + std::to_string(i) + "\n";
  }
  m += "Content-Type: text/plain\n\ninnermost\n";
  for (std::size_t i = depth; i-- > 0;) m += "--b" + std::to_string(i) + "--\n";
  return m;
}

// `depth` attached messages, each inside the previous one.
std::string nested_messages(std::size_t depth) {
  std::string m = "From: a@example.com\nSubject: deep\n";
  for (std::size_t i = 0; i < depth; ++i) m += "Content-Type: message/rfc822\n\nFrom: b@example.com\nSubject: level\n";
  return m + "Content-Type: text/plain\n\ninnermost\n";
}

template <class F>
helpdesk::error error_of(F&& f) {
  try {
    f();
  } catch (const helpdesk::error& e) {
    return e;
  }
  ADD_FAILURE() << "no helpdesk::error thrown";
  return helpdesk::error(errc::internal, "none");
}

TEST(Mime, Iso88592BodyAndEncodedWords) {
  const auto e = parse_fixture("iso-8859-2.eml");
  EXPECT_EQ(e.from, "Paweł Żółw <pawel@example.pl>");
  EXPECT_EQ(e.to, std::vector<std::string>{"Helpdesk <help@example.com>"});
  EXPECT_EQ(e.subject, "Zażółć gęślą jaźń");
  EXPECT_EQ(e.text, "Zażółć gęślą jaźń.\nPozdrawiam,\nPaweł");
  EXPECT_EQ(e.html, "");
  EXPECT_EQ(e.message_id, "pl-1@example.pl");
  ASSERT_TRUE(e.date.has_value());
  EXPECT_EQ(*e.date, sys_days{2023y / November / 14} + 8h + 15min);
  EXPECT_TRUE(e.attachments.empty());
  EXPECT_FALSE(e.has_return_path);
}

TEST(Mime, Windows1250QuotedPrintableWithCrlf) {
  const auto e = parse_fixture("windows-1250.eml");
  EXPECT_EQ(e.from, "jan@example.cz");
  EXPECT_EQ(e.subject, "Příliš žluťoučký kůň");
  EXPECT_EQ(e.text, "Příliš žluťoučký kůň úpěl ďábelské ódy.");
  EXPECT_FALSE(e.date.has_value());
  EXPECT_EQ(e.message_id, "");
}

TEST(Mime, Koi8rBodyAndEncodedWords) {
  const auto e = parse_fixture("koi8-r.eml");
  EXPECT_EQ(e.from, "Иван <ivan@example.ru>");
  EXPECT_EQ(e.subject, "Съешь же ещё");
  EXPECT_EQ(e.text, "Съешь же ещё этих мягких французских булок.");
}

TEST(Mime, QuotedPrintableSoftLineBreaks) {
  const auto e = parse_fixture("quoted-printable.eml");
  EXPECT_EQ(e.subject, "Café crème");
  EXPECT_EQ(e.text,
            "Café crème, 2 + 2 = 4. This line is long enough that it is wrapped by a soft line break. \n"
            "Second line.");
}

TEST(Mime, Base64AttachmentsWithEncodedFilenames) {
  const auto e = parse_fixture("base64-attachment.eml");
  EXPECT_EQ(e.text, "Please find the invoice attached.");
  ASSERT_EQ(e.attachments.size(), 3u);

  std::string pdf;
  for (int b = 0; b < 256; ++b) pdf.push_back(static_cast<char>(b));
  pdf += "%PDF-1.4 end";
  const auto& a0 = e.attachments[0];
  EXPECT_EQ(a0.filename, "résumé.pdf");  // RFC 2231
  EXPECT_EQ(a0.content_type, "application/pdf");
  EXPECT_EQ(a0.data.size(), 268u);
  EXPECT_EQ(a0.data, pdf);
  EXPECT_FALSE(a0.is_inline);
  EXPECT_EQ(a0.content_id, "");

  const auto& a1 = e.attachments[1];
  EXPECT_EQ(a1.filename, "Übersicht.txt");  // RFC 2047 inside the name parameter
  EXPECT_EQ(a1.content_type, "text/plain");
  EXPECT_EQ(a1.data, "Grüße\n");  // attachments keep their bytes as sent

  const auto& a2 = e.attachments[2];
  EXPECT_EQ(a2.filename, "attachment-3");
  EXPECT_EQ(a2.content_type, "application/octet-stream");
  EXPECT_EQ(a2.data, std::string("\x00\x01\x02", 3));
}

TEST(Mime, HtmlOnlyMailGetsTextFromHtml) {
  const auto e = parse_fixture("html-only.eml");
  EXPECT_EQ(e.text, "Café news\n\nHello & welcome, Günter!\n\n- One\n- Two\n\nBye\nTeam");
  // The HTML as sent, decoded from the latin1 its <meta> declares.
  EXPECT_EQ(e.html.rfind("<html><head><meta http-equiv=", 0), 0u);
  EXPECT_NE(e.html.find("<p>Hello&nbsp;&amp;   welcome, Günter!</p>"), std::string::npos);
  EXPECT_NE(e.html.find("<script>alert(1)</script>"), std::string::npos);
  EXPECT_TRUE(e.attachments.empty());
}

TEST(Mime, NestedMultipartsAndAddressHeaders) {
  const auto e = parse_fixture("nested.eml");
  EXPECT_EQ(e.from, "Doe, Jane <jane@example.com>");
  EXPECT_EQ(e.to, (std::vector<std::string>{"help@example.com", "a@example.com", "b@example.com"}));
  EXPECT_EQ(e.cc, std::vector<std::string>{"Jürgen <juergen@example.de>"});
  EXPECT_EQ(e.reply_to, "replies@example.com");
  EXPECT_TRUE(e.has_return_path);
  EXPECT_EQ(e.return_path, "bounces+jane@example.com");
  EXPECT_EQ(e.message_id, "nested-1@example.com");
  EXPECT_EQ(e.in_reply_to, "<prev-1@example.com>");
  EXPECT_EQ(e.references, "<root@example.com> <prev-1@example.com>");
  ASSERT_TRUE(e.date.has_value());
  EXPECT_EQ(*e.date, sys_days{2023y / March / 1} + 17h);

  // mixed > alternative > (plain, related > (html, image)), pdf
  EXPECT_EQ(e.text, "Plain body.");
  EXPECT_EQ(e.html, "<p>HTML <b>body</b><img src=\"cid:logo@x\"></p>");
  ASSERT_EQ(e.attachments.size(), 2u);
  EXPECT_EQ(e.attachments[0].filename, "attachment-1");
  EXPECT_EQ(e.attachments[0].content_type, "image/png");
  EXPECT_EQ(e.attachments[0].content_id, "logo@x");
  EXPECT_TRUE(e.attachments[0].is_inline);
  EXPECT_EQ(e.attachments[0].data, std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(e.attachments[1].filename, "report.pdf");
  EXPECT_EQ(e.attachments[1].data, "%PDF");
  EXPECT_FALSE(e.attachments[1].is_inline);

  // Every top-level header in order, Content-Type included.
  ASSERT_EQ(e.headers.size(), 12u);
  EXPECT_EQ(e.headers[0], (std::pair<std::string, std::string>{"From", "\"Doe, Jane\" <jane@example.com>"}));
  EXPECT_EQ(e.headers[2], (std::pair<std::string, std::string>{"Cc", "Jürgen <juergen@example.de>"}));
  EXPECT_EQ(e.headers[9], (std::pair<std::string, std::string>{"References", "<root@example.com> <prev-1@example.com>"}));
  EXPECT_EQ(e.headers[11], (std::pair<std::string, std::string>{"Content-Type", "multipart/mixed; boundary=m"}));
}

TEST(Mime, BrokenHeadersAndCharsetsDecodeBestEffort) {
  const auto e = parse_fixture("broken-headers.eml");
  EXPECT_EQ(e.from, "José <jose@example.es>");            // raw latin1 bytes in a header
  EXPECT_EQ(e.subject, "Réunion à 3h café");              // raw UTF-8 bytes and an x-foo encoded word
  EXPECT_EQ(e.headers[2], (std::pair<std::string, std::string>{"X-Empty", ""}));
  // Several inline text parts are joined by a blank line.
  EXPECT_EQ(e.text,
            "Grüße aus Köln\n\n"                               // no charset, latin1 bytes
            "Unknown charset but UTF-8: żółw\n\n"              // charset=x-foo
            "Says ASCII, is UTF-8: naïve\n\n"                  // charset=us-ascii
            "Says UTF-8, is latin1: \u201Cquoted\u201D naïve\n\n"  // windows-1252 fallback
            "Broken Shift_JIS: あ\uFFFD");                     // declared charset, bad byte replaced
  EXPECT_TRUE(e.attachments.empty());
  EXPECT_TRUE(all_strings_valid(e));
}

TEST(Mime, HeaderLineWithoutColonIsTolerated) {
  const auto e = parse_mime("From: a@example.com\nSubject: first\nthis line is not a header\n\nbody\n");
  EXPECT_EQ(e.from, "a@example.com");
  EXPECT_EQ(e.subject, "first");
  EXPECT_TRUE(all_strings_valid(e));
}

TEST(Mime, UnparseableDateAndUnsafeFilenames) {
  const auto e = parse_mime(
      "From: a@example.com\nDate: sometime soon\nContent-Type: multipart/mixed; boundary=x\n\n"
      "--x\nContent-Type: application/octet-stream; name=\"../../etc/passwd\"\n\nroot\n"
      "--x\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"C:\\\\tmp\\\\a\tb.exe\"\n\nMZ\n"
      "--x--\n");
  EXPECT_FALSE(e.date.has_value());
  ASSERT_EQ(e.attachments.size(), 2u);
  EXPECT_EQ(e.attachments[0].filename, "passwd");
  EXPECT_EQ(e.attachments[0].data, "root");
  EXPECT_EQ(e.attachments[1].filename, "ab.exe");
}

TEST(Mime, MboxFromLineIsSkipped) {
  const auto e = parse_mime("From someone@example.com Mon Jan  1 00:00:00 2024\nSubject: mbox\n\nbody\n");
  EXPECT_EQ(e.subject, "mbox");
  EXPECT_EQ(e.text, "body");
}

TEST(Mime, DeliveryStatusBounceWithReturnedMessage) {
  const auto e = parse_fixture("dsn.eml");
  EXPECT_TRUE(e.delivery_status_report);
  EXPECT_EQ(e.bounced_message_id, "ticket-42.reply@help.example.com");
  EXPECT_TRUE(e.has_return_path);
  EXPECT_EQ(e.return_path, "");
  EXPECT_EQ(e.from, "Mail Delivery System <MAILER-DAEMON@mx.example.com>");
  EXPECT_EQ(e.text,
            "I'm sorry to have to inform you that your message could not\n"
            "be delivered to one or more recipients.");
  ASSERT_EQ(e.attachments.size(), 2u);
  EXPECT_EQ(e.attachments[0].content_type, "message/delivery-status");
  EXPECT_NE(e.attachments[0].data.find("Status: 5.1.1"), std::string::npos);
  EXPECT_EQ(e.attachments[1].content_type, "message/rfc822");
  EXPECT_EQ(e.attachments[1].filename, "forwarded-message.eml");
}

TEST(Mime, DeliveryStatusBounceWithReturnedHeadersOnly) {
  const auto e = parse_fixture("dsn-headers.eml");
  EXPECT_TRUE(e.delivery_status_report);
  EXPECT_EQ(e.bounced_message_id, "ticket-7@help.example.com");
  EXPECT_EQ(e.text, "Delivery failed.");
  EXPECT_EQ(e.html, "<b>Delivery failed.</b>");
  ASSERT_EQ(e.attachments.size(), 2u);
  EXPECT_EQ(e.attachments[1].content_type, "text/rfc822-headers");
}

TEST(Mime, ForwardedMessageIsAnAttachment) {
  const auto e = parse_fixture("forward.eml");
  EXPECT_FALSE(e.delivery_status_report);
  EXPECT_EQ(e.bounced_message_id, "");
  EXPECT_EQ(e.text, "See below.");  // the forwarded text stays inside its attachment
  ASSERT_EQ(e.attachments.size(), 1u);
  const auto& fwd = e.attachments[0];
  EXPECT_EQ(fwd.filename, "forwarded-message.eml");
  EXPECT_EQ(fwd.content_type, "message/rfc822");
  EXPECT_FALSE(fwd.is_inline);
  EXPECT_NE(fwd.data.find("Subject: Complaint"), std::string::npos);
  EXPECT_NE(fwd.data.find("It broke."), std::string::npos);
}

TEST(Mime, NestingUpToTheLimitIsAccepted) {
  const auto e = parse_mime(nested_multiparts(100));
  EXPECT_EQ(e.text, "innermost");
  mime_limits shallow;
  shallow.max_depth = 3;
  EXPECT_EQ(parse_mime(nested_multiparts(3), shallow).text, "innermost");
  EXPECT_EQ(error_of([&] { parse_mime(nested_multiparts(4), shallow); }).code(), errc::validation);
}

TEST(Mime, DeepNestingIsRejectedNotCrashed) {
  // GMime itself stops nesting at 1024 levels; 20000 is as far past that as
  // 100000 (checked by hand) at a fraction of the run time.
  for (std::size_t depth : {101u, 150u, 5000u, 20000u}) {
    const auto e = error_of([&] { parse_mime(nested_multiparts(depth)); });
    EXPECT_EQ(e.code(), errc::validation) << depth;
    ASSERT_EQ(e.errors().size(), 1u);
    EXPECT_EQ(e.errors()[0].message, "MIME parts are nested deeper than 100 levels.");
    EXPECT_EQ(e.detail(), "The message nests MIME parts deeper than 100 levels.");
  }
  for (std::size_t depth : {150u, 5000u}) {
    EXPECT_EQ(error_of([&] { parse_mime(nested_messages(depth)); }).code(), errc::validation) << depth;
  }
}

TEST(Mime, PartLimit) {
  mime_limits limits;
  limits.max_parts = 4;  // the nested fixture has 7 objects
  const auto e = error_of([&] { parse_mime(fixture("nested.eml"), limits); });
  EXPECT_EQ(e.code(), errc::validation);
  EXPECT_EQ(e.detail(), "The message has more than 4 MIME parts.");
  limits.max_parts = 7;
  EXPECT_EQ(parse_mime(fixture("nested.eml"), limits).attachments.size(), 2u);
}

TEST(Mime, AttachmentSizeLimits) {
  const std::string raw = fixture("base64-attachment.eml");
  mime_limits limits;
  limits.max_attachment_bytes = 267;
  auto e = error_of([&] { parse_mime(raw, limits); });
  EXPECT_EQ(e.code(), errc::payload_too_large);
  EXPECT_EQ(e.detail(), "The attachment \"résumé.pdf\" is 268 bytes, over the limit of 267 bytes.");

  limits.max_attachment_bytes = 268;  // exactly at the limit is fine
  EXPECT_EQ(parse_mime(raw, limits).attachments.size(), 3u);

  limits.max_total_attachment_bytes = 270;  // 268 + 8 + 3 bytes in all
  e = error_of([&] { parse_mime(raw, limits); });
  EXPECT_EQ(e.code(), errc::payload_too_large);
  EXPECT_EQ(e.detail(),
            "With the attachment \"Übersicht.txt\" the attachments total 276 bytes, over the limit of 270 bytes.");
}

TEST(Mime, HeaderBlockLimit) {
  mime_limits limits;
  limits.max_header_bytes = 64;
  const std::string raw = "From: a@example.com\nSubject: " + std::string(100, 'x') + "\n\nbody\n";
  const auto e = error_of([&] { parse_mime(raw, limits); });
  EXPECT_EQ(e.code(), errc::validation);
  EXPECT_EQ(e.detail(), "The message's header block is larger than 64 bytes.");
  limits.max_header_bytes = 200;
  EXPECT_EQ(parse_mime(raw, limits).text, "body");
}

TEST(Mime, GarbageIsABadRequest) {
  std::mt19937 random(42);
  std::string binary;
  for (int i = 0; i < 4096; ++i) binary.push_back(static_cast<char>(random() & 0xFF));
  binary[0] = '\x01';  // never a header name by chance

  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "The message is empty."},
      {binary, "The message has no header block: it does not start with a \"Name: value\" header line."},
      {"hello world\nno headers here\n",
       "The message has no header block: it does not start with a \"Name: value\" header line."},
      {"\n\nbody only\n", "The message has no header block: it does not start with a \"Name: value\" header line."},
  };
  for (const auto& [raw, detail] : cases) {
    const auto e = error_of([&] { parse_mime(raw); });
    EXPECT_EQ(e.code(), errc::bad_request);
    EXPECT_EQ(e.detail(), detail);
  }
}

TEST(Mime, PythonEmailCorpusNeverCrashes) {
  const std::filesystem::path dir = "/usr/lib/python3.11/test/test_email/data";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "libpython3.11-testsuite is not installed";
  std::size_t files = 0, parsed = 0, rejected = 0, with_from_or_subject = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".txt") continue;
    ++files;
    const std::string raw = read_file(entry.path());
    try {
      const auto e = parse_mime(raw);
      ++parsed;
      EXPECT_TRUE(all_strings_valid(e)) << entry.path();
      if (!e.from.empty() || !e.subject.empty()) ++with_from_or_subject;
    } catch (const helpdesk::error&) {
      ++rejected;
    } catch (const std::exception& ex) {
      ADD_FAILURE() << entry.path() << ": " << ex.what();
    }
  }
  EXPECT_EQ(parsed + rejected, files);
  EXPECT_GE(files, 47u);
  // Observed with Python 3.11's corpus: 46 of 47 parse, msg_19 (a bare body
  // without headers) is rejected, 41 carry a From or Subject.
  EXPECT_GE(parsed, 46u);
  EXPECT_GE(with_from_or_subject, 41u);
}

TEST(Mime, ConcurrentParsingGivesTheSameResults) {
  const std::vector<std::string> names = {"iso-8859-2.eml", "windows-1250.eml", "koi8-r.eml",  "base64-attachment.eml",
                                          "html-only.eml",  "nested.eml",       "dsn.eml",     "broken-headers.eml"};
  std::vector<std::string> raws;
  std::vector<std::string> expected;
  for (const auto& n : names) {
    raws.push_back(fixture(n));
    const auto e = parse_mime(raws.back());
    expected.push_back(e.subject + "|" + e.text + "|" + std::to_string(e.attachments.size()));
  }
  std::vector<std::thread> threads;
  std::vector<int> mismatches(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 25; ++round) {
        const std::size_t i = static_cast<std::size_t>(t + round) % raws.size();
        const auto e = parse_mime(raws[i]);
        if (e.subject + "|" + e.text + "|" + std::to_string(e.attachments.size()) != expected[i]) ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

}  // namespace
