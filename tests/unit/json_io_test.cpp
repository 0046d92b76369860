#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>

#include "helpdesk/api/json_io.hpp"
#include "helpdesk/security/tokens.hpp"

using namespace helpdesk;
using namespace helpdesk::api;

namespace {
std::string failure_of(std::string_view text) {
  try {
    parse_json_text(text);
  } catch (const error& e) {
    return e.detail();
  }
  return "parsed";
}
}  // namespace

TEST(JsonInput, ParsesNormalDocuments) {
  auto j = parse_json_text(R"({"a": [1, 2, {"b": null}], "c": "žluťoučký"})");
  EXPECT_EQ(j["a"][2]["b"], nullptr);
  EXPECT_EQ(j["c"], "žluťoučký");
}

TEST(JsonInput, MalformedNamesTheBytePosition) {
  auto msg = failure_of(R"({"name": "x",})");
  EXPECT_NE(msg.find("Malformed JSON at byte 14"), std::string::npos) << msg;
}

TEST(JsonInput, EmptyBodyIsMalformed) { EXPECT_EQ(failure_of(""), "Malformed JSON at byte 0: the request body is empty."); }

TEST(JsonInput, DeepNestingIsRefused) {
  std::string deep(max_json_depth + 1, '[');
  deep += std::string(max_json_depth + 1, ']');
  EXPECT_NE(failure_of(deep).find("nesting deeper than 64"), std::string::npos);
  std::string ok(max_json_depth, '[');
  ok += std::string(max_json_depth, ']');
  EXPECT_EQ(failure_of(ok), "parsed");
  EXPECT_NE(failure_of(std::string(100000, '[')).find("nesting"), std::string::npos);
}

TEST(JsonInput, DuplicateKeysAreRefusedWithPointer) {
  EXPECT_EQ(failure_of(R"({"a": {"b": 1, "b": 2}})"), "Malformed JSON: duplicate key at /a/b.");
  EXPECT_EQ(failure_of(R"({"x": [{"k": 1, "k": 1}]})"), "Malformed JSON: duplicate key at /x/0/k.");
}

TEST(JsonInput, InvalidUtf8IsMalformed) {
  auto msg = failure_of("{\"a\": \"\xff\xfe\"}");
  EXPECT_NE(msg.find("Malformed JSON at byte"), std::string::npos) << msg;
  EXPECT_NE(msg.find("UTF-8"), std::string::npos) << msg;
}

TEST(FieldReader, CollectsEveryProblemWithPointers) {
  auto doc = parse_json_text(R"({"name": 5, "tags": ["a", 3], "extra": true})");
  field_reader in(doc, {"name", "tags", "missing"});
  in.string("name");
  in.string_array("tags");
  in.required("missing");
  try {
    in.finish();
    FAIL() << "expected a validation error";
  } catch (const error& e) {
    ASSERT_EQ(e.code(), errc::validation);
    std::vector<std::string> pointers;
    for (const auto& f : e.errors()) pointers.push_back(f.pointer);
    EXPECT_EQ(pointers, (std::vector<std::string>{"/extra", "/name", "/tags/1", "/missing"}));
  }
}

TEST(FieldReader, NonObjectBodyIsRejected) {
  auto doc = parse_json_text("[1]");
  EXPECT_THROW(field_reader(doc, {}), error);
}

TEST(FieldReader, RejectsNulInStrings) {
  auto doc = parse_json_text(R"({"name": "a\u0000b"})");
  field_reader in(doc, {"name"});
  EXPECT_FALSE(in.string("name").has_value());
  EXPECT_THROW(in.finish(), error);
}

// Stored idempotency keys hold sha256_hex(doc.dump()); the streamed digest
// must never drift from it, whatever the document holds.
TEST(CanonicalDigest, EqualsTheDigestOfTheDumpedText) {
  const std::string escapes = "quote \" backslash \\ slash / \b\f\n\r\t \x01\x1f\x7f end";
  const std::string across_buffer = std::string(4090, 'a') + "\"\n" + std::string(5000, 'b') + "\\";
  const std::vector<std::string> docs = {
      R"({})",
      R"([])",
      R"("")",
      R"({"a":[],"b":{},"c":[{}],"z":null})",
      R"({"int":42,"neg":-7,"big":18446744073709551615,"min":-9223372036854775808,"zero":0})",
      R"({"f":[1.0,0.1,-0.0,1e300,2.5e-8,3.141592653589793,100000000000000000000.0]})",
      R"({"t":true,"f":false,"n":null})",
      R"({"čeština":"Příliš žluťoučký kůň","emoji":"🙂 \ud83d\ude00","rtl":"שלום","zh":"你好"})",
      R"({"order":{"z":1,"a":2,"m":[3,{"y":4,"b":5}]}})",
  };
  for (const auto& text : docs) {
    const auto doc = api::parse_json_text(text);
    EXPECT_EQ(api::canonical_sha256(doc), security::sha256_hex(doc.dump())) << text;
  }
  for (const auto& s : {escapes, across_buffer}) {
    const api::json doc = {{"text", s}, {"list", {s, s}}, {s, 1}};
    EXPECT_EQ(api::canonical_sha256(doc), security::sha256_hex(doc.dump()));
  }
}

TEST(CanonicalDigest, EqualsTheDumpOverGeneratedDocuments) {
  std::mt19937 rng(20261202);
  const std::vector<std::string> pieces = {"a", "\"", "\\", "\n", "\x02", "é", "€", "𝄞", " ", "\x7f", "0", "{"};
  auto text = [&] {
    std::string s;
    for (int n = static_cast<int>(rng() % 40); n > 0; --n) s += pieces[rng() % pieces.size()];
    return s;
  };
  std::function<api::json(int)> make = [&](int depth) -> api::json {
    switch (depth > 3 ? rng() % 4 : rng() % 6) {
      case 0: return text();
      case 1: return static_cast<long long>(rng()) - (1ll << 31);
      case 2: return std::ldexp(static_cast<double>(rng()), static_cast<int>(rng() % 40) - 20);
      case 3: return rng() % 2 == 0;
      case 4: {
        api::json a = api::json::array();
        for (int n = static_cast<int>(rng() % 5); n > 0; --n) a.push_back(make(depth + 1));
        return a;
      }
      default: {
        api::json o = api::json::object();
        for (int n = static_cast<int>(rng() % 5); n > 0; --n) o[text()] = make(depth + 1);
        return o;
      }
    }
  };
  for (int i = 0; i < 500; ++i) {
    const auto doc = make(0);
    ASSERT_EQ(api::canonical_sha256(doc), security::sha256_hex(doc.dump())) << doc.dump();
  }
}
