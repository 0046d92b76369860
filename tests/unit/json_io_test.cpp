#include <gtest/gtest.h>

#include "helpdesk/api/json_io.hpp"

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
