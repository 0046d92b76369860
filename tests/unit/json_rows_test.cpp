#include "helpdesk/store/json_rows.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <random>

using helpdesk::store::invalid_utf8;
using helpdesk::store::json_rows;
using nlohmann::json;

TEST(JsonRows, NoRowsIsAnEmptyArray) {
  json_rows r;
  EXPECT_EQ(r.take(), "[]");
}

TEST(JsonRows, EveryKindOfFieldReadsBackAsWritten) {
  json_rows r;
  r.row()
      .text("s", std::string("plain"))
      .text("absent", std::optional<std::string>{})
      .text("present", std::optional<std::string>{"x"})
      .integer("i", -9007199254740993LL)
      .integer("oi", std::optional<long long>{})
      .boolean("b", true)
      .boolean("ob", std::optional<bool>{false})
      .real("conf", 0.8125)
      .real("nan", std::optional<double>{std::nan("")})
      .texts("tags", {"a", "b\"c"})
      .raw("email", std::optional<std::string>{R"({"to":["x@y.cz"]})"})
      .raw("empty", std::string())
      .null("n");
  r.row().integer("i", 2);
  const auto j = json::parse(r.take());
  ASSERT_EQ(j.size(), 2u);
  const auto& a = j[0];
  EXPECT_EQ(a["s"], "plain");
  EXPECT_TRUE(a["absent"].is_null());
  EXPECT_EQ(a["present"], "x");
  EXPECT_EQ(a["i"].get<long long>(), -9007199254740993LL);
  EXPECT_TRUE(a["oi"].is_null());
  EXPECT_EQ(a["b"], true);
  EXPECT_EQ(a["ob"], false);
  EXPECT_DOUBLE_EQ(a["conf"].get<double>(), 0.8125);
  EXPECT_TRUE(a["nan"].is_null());
  EXPECT_EQ(a["tags"], json::array({"a", "b\"c"}));
  EXPECT_EQ(a["email"]["to"][0], "x@y.cz");
  EXPECT_TRUE(a["empty"].is_null());
  EXPECT_TRUE(a["n"].is_null());
  EXPECT_EQ(j[1], json({{"i", 2}}));
}

TEST(JsonRows, EscapesWhatJsonRequiresAndKeepsUnicode) {
  std::string nasty = "quote\" back\\ nl\n cr\r tab\t bs\b ff\f bell\a esc\x1b del\x7f ";
  nasty += std::string(1, '\0');
  nasty += " Příliš žluťoučký 😀 \xe2\x80\xa8";
  json_rows r;
  r.row().text("v", nasty);
  const auto text = r.take();
  EXPECT_EQ(json::parse(text)[0]["v"].get<std::string>(), nasty);
  EXPECT_NE(text.find("\\u0007"), std::string::npos);
  EXPECT_NE(text.find("\\u0000"), std::string::npos);
  EXPECT_NE(text.find("Příliš"), std::string::npos) << "non-ASCII travels as UTF-8, not escaped";
}

TEST(JsonRows, RefusesTextThatIsNotUtf8) {
  for (const std::string bad : {"\xC0\x80", "\xC1\xBF", "\xE0\x9F\xBF", "\xED\xA0\x80", "\xF0\x8F\xBF\xBF",
                                "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\x80", "caf\xC3", "\xE2\x82",
                                "\xE2\x28\xA1", "ISO-8859-2: \xB9"}) {
    json_rows r;
    EXPECT_THROW(r.row().text("v", bad), invalid_utf8) << "byte length " << bad.size();
  }
  json_rows ok;
  ok.row().text("v", "\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xF0\x90\x80\x80\xF4\x8F\xBF\xBF");
  EXPECT_NO_THROW(json::parse(ok.take()));
}

TEST(JsonRows, TakeLeavesTheWriterEmpty) {
  json_rows r;
  r.row().integer("i", 1);
  EXPECT_EQ(r.take(), R"([{"i":1}])");
  r.row().integer("i", 2);
  r.row().integer("i", 3);
  EXPECT_EQ(r.take(), R"([{"i":2},{"i":3}])");
  EXPECT_THROW(r.integer("i", 4), std::logic_error);
}

TEST(JsonRows, RandomTextReadsBackExactly) {
  std::mt19937 gen(7);
  std::uniform_int_distribution<int> cp(0, 0x10FFFF);
  for (int n = 0; n < 200; ++n) {
    std::string s;
    for (int k = 0; k < 40; ++k) {
      int c = cp(gen) % (k % 3 == 0 ? 0x80 : 0x110000);
      if (c >= 0xD800 && c <= 0xDFFF) c = 'x';
      // Encode the code point as UTF-8 by hand, independently of the writer.
      if (c < 0x80) {
        s += static_cast<char>(c);
      } else if (c < 0x800) {
        s += static_cast<char>(0xC0 | (c >> 6));
        s += static_cast<char>(0x80 | (c & 0x3F));
      } else if (c < 0x10000) {
        s += static_cast<char>(0xE0 | (c >> 12));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
      } else {
        s += static_cast<char>(0xF0 | (c >> 18));
        s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
      }
    }
    json_rows r;
    r.row().text("v", s);
    EXPECT_EQ(json::parse(r.take())[0]["v"].get<std::string>(), s);
  }
}
