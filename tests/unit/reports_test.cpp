// The pure side of reports: periods in local days, parameters with pointers,
// compliance rounding and the CSV that clients open in spreadsheets.
#include <gtest/gtest.h>

#include "helpdesk/api/csv.hpp"
#include "helpdesk/domain/reports.hpp"

namespace helpdesk::reports {
namespace {

timestamp at(const char* text) { return *parse_rfc3339(text); }

report_request parse(report_kind k, std::map<std::string, std::string> params, std::vector<field_error>& errors) {
  return parse_request(k, raw_query{std::move(params)}, at("2026-12-01T12:00:00Z"), errors);
}

std::vector<std::string> pointers(const std::vector<field_error>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.pointer);
  return out;
}

TEST(LocalMidnight, FollowsTheZoneIncludingDaylightSavingChanges) {
  EXPECT_EQ(local_midnight("2026-12-01", "Europe/Prague"), at("2026-11-30T23:00:00Z"));
  EXPECT_EQ(local_midnight("2026-07-01", "Europe/Prague"), at("2026-06-30T22:00:00Z"));
  EXPECT_EQ(local_midnight("2026-03-29", "Europe/Prague"), at("2026-03-28T23:00:00Z")) << "the DST day starts in winter time";
  EXPECT_EQ(local_midnight("2026-03-30", "Europe/Prague"), at("2026-03-29T22:00:00Z"));
  EXPECT_EQ(local_midnight("2026-03-08", "America/New_York"), at("2026-03-08T05:00:00Z"));
  EXPECT_EQ(local_midnight("2026-12-01", "UTC"), at("2026-12-01T00:00:00Z"));
  EXPECT_EQ(local_midnight("2026-12-01", "Asia/Kolkata"), at("2026-11-30T18:30:00Z"));
  // Where the clocks jump at midnight the day begins at the jump.
  EXPECT_EQ(local_midnight("2026-03-08", "America/Havana"), at("2026-03-08T05:00:00Z"));
  EXPECT_FALSE(local_midnight("2026-02-30", "UTC"));
  EXPECT_FALSE(local_midnight("2026-12-01", "Mars/Olympus"));
  EXPECT_FALSE(local_midnight("1.12.2026", "UTC"));
}

TEST(WholeHours, CoverThePeriodOnTheHourInWholeHourZones) {
  const auto span = whole_hours(at("2026-11-01T00:00:00Z"), at("2026-12-01T00:00:00Z"), "Europe/Prague");
  EXPECT_EQ(span.from, at("2026-11-01T00:00:00Z"));
  EXPECT_EQ(span.to, at("2026-12-01T00:00:00Z"));
  // Across both DST changes of a year: Prague is +1 or +2, whole hours.
  const auto year = whole_hours(at("2025-12-01T00:00:00Z"), at("2026-12-01T00:00:00Z"), "Europe/Prague");
  EXPECT_EQ(year.from, at("2025-12-01T00:00:00Z"));
  EXPECT_EQ(year.to, at("2026-12-01T00:00:00Z"));
  // A period off the hour: the hours inside it; the rest is read from the logs.
  const auto inner = whole_hours(at("2026-11-01T10:20:00Z"), at("2026-11-01T13:59:59Z"), "UTC");
  EXPECT_EQ(inner.from, at("2026-11-01T11:00:00Z"));
  EXPECT_EQ(inner.to, at("2026-11-01T13:00:00Z"));
}

TEST(WholeHours, AreEmptyWhereNoWholeHourFitsOrTheOffsetIsNotWholeHours) {
  const auto to = at("2026-11-01T10:59:00Z");
  const auto short_span = whole_hours(at("2026-11-01T10:01:00Z"), to, "UTC");
  EXPECT_TRUE(short_span.empty());
  EXPECT_EQ(short_span.from, to);
  EXPECT_EQ(short_span.to, to);
  EXPECT_TRUE(whole_hours(at("2026-11-01T10:30:00Z"), at("2026-11-01T11:30:00Z"), "UTC").empty());
  EXPECT_TRUE(whole_hours(at("2026-11-01T00:00:00Z"), at("2026-12-01T00:00:00Z"), "Asia/Kolkata").empty());
  EXPECT_TRUE(whole_hours(at("2026-11-01T00:00:00Z"), at("2026-12-01T00:00:00Z"), "Asia/Kathmandu").empty());
  EXPECT_TRUE(whole_hours(at("2026-11-01T00:00:00Z"), at("2026-12-01T00:00:00Z"), "America/St_Johns").empty());
  // Lord Howe Island moves by half an hour: +10:30 in winter, +11 in summer.
  EXPECT_TRUE(whole_hours(at("2026-01-01T00:00:00Z"), at("2026-12-01T00:00:00Z"), "Australia/Lord_Howe").empty());
  EXPECT_FALSE(whole_hours(at("2026-01-01T00:00:00Z"), at("2026-02-01T00:00:00Z"), "Australia/Sydney").empty());
  // Amsterdam kept +0:20 until 1937.
  EXPECT_TRUE(whole_hours(at("1930-01-01T00:00:00Z"), at("1930-02-01T00:00:00Z"), "Europe/Amsterdam").empty());
  EXPECT_TRUE(whole_hours(at("2026-11-01T00:00:00Z"), at("2026-12-01T00:00:00Z"), "Mars/Olympus").empty());
}

TEST(ReportRequest, DatesAreWholeLocalDaysAndInstantsAreExact) {
  std::vector<field_error> errors;
  auto r = parse(report_kind::interactions, {{"from", "2026-11-30"}, {"to", "2026-11-30"}, {"tz", "Europe/Prague"}}, errors);
  ASSERT_TRUE(errors.empty());
  EXPECT_EQ(r.from, at("2026-11-29T23:00:00Z"));
  EXPECT_EQ(r.to, at("2026-11-30T23:00:00Z")) << "the `to` date is included";
  EXPECT_EQ(r.group_by, "brand");
  r = parse(report_kind::sla, {{"from", "2026-11-30T23:30:00Z"}, {"to", "2026-12-01T01:00:00+01:00"}}, errors);
  ASSERT_TRUE(errors.empty());
  EXPECT_EQ(r.from, at("2026-11-30T23:30:00Z"));
  EXPECT_EQ(r.to, at("2026-12-01T00:00:00Z"));
}

TEST(ReportRequest, DefaultsToTheLastThirtyDaysInUtc) {
  std::vector<field_error> errors;
  auto r = parse(report_kind::volume, {}, errors);
  ASSERT_TRUE(errors.empty());
  EXPECT_EQ(r.to, at("2026-12-01T12:00:00Z"));
  EXPECT_EQ(r.from, at("2026-11-01T12:00:00Z"));
  EXPECT_EQ(r.tz, "UTC");
  EXPECT_EQ(r.group_by, "day");
}

TEST(ReportRequest, EveryBadParameterIsReportedAtItsPointer) {
  std::vector<field_error> errors;
  parse(report_kind::sla,
        {{"group_by", "weather"}, {"tz", "Mars/Olympus"}, {"channel", "fax"}, {"queue", "nope"}, {"colour", "red"},
         {"format", "xml"}},
        errors);
  EXPECT_EQ(pointers(errors), (std::vector<std::string>{"/query/colour", "/query/tz", "/query/group_by", "/query/queue",
                                                         "/query/channel", "/query/format"}));
  errors.clear();
  parse(report_kind::sla, {{"from", "2026-12-02"}, {"to", "2026-12-01"}}, errors);
  EXPECT_EQ(pointers(errors), std::vector<std::string>{"/query/from"}) << "from after to";
  errors.clear();
  parse(report_kind::sla, {{"from", "2026-12-01T00:00:00Z"}, {"to", "2026-12-01T00:00:00Z"}}, errors);
  EXPECT_EQ(pointers(errors), std::vector<std::string>{"/query/from"}) << "an empty period";
  errors.clear();
  parse(report_kind::sla, {{"from", "2025-01-01"}, {"to", "2026-01-02"}}, errors);
  EXPECT_EQ(pointers(errors), std::vector<std::string>{"/query/to"}) << "a year and a day is too long";
  errors.clear();
  parse(report_kind::sla, {{"from", "2024-01-01"}, {"to", "2024-12-31"}, {"tz", "Europe/Prague"}}, errors);
  EXPECT_TRUE(errors.empty()) << "a whole leap year fits";
  errors.clear();
  parse(report_kind::volume, {{"agent", "0190a1b2-0000-7000-8000-000000000001"}}, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "the volume report cannot be filtered by agent");
  errors.clear();
  parse(report_kind::sla, {{"detail", "true"}}, errors);
  EXPECT_EQ(pointers(errors), std::vector<std::string>{"/query/detail"});
}

TEST(ReportRequest, ListsAreSplitOnCommasOnce) {
  std::vector<field_error> errors;
  auto r = parse(report_kind::interactions, {{"brand", "shop-a, shop-b,shop-a"}, {"format", "csv"}, {"detail", "true"}},
                 errors);
  ASSERT_TRUE(errors.empty());
  EXPECT_EQ(r.brands, (std::vector<std::string>{"shop-a", "shop-b"}));
  EXPECT_TRUE(r.csv);
  EXPECT_TRUE(r.detail);
}

TEST(ReportKinds, RoundTripTheirPathNames) {
  for (auto k : {report_kind::sla, report_kind::response_times, report_kind::volume, report_kind::calls,
                 report_kind::interactions, report_kind::contact_reasons, report_kind::agents})
    EXPECT_EQ(parse_report_kind(to_string(k)), k);
  EXPECT_FALSE(parse_report_kind("weather"));
}

TEST(Compliance, IsTheMetShareOfDecidedClocks) {
  EXPECT_FALSE(compliance(0, 0));
  EXPECT_EQ(compliance(1, 1), 50.0);
  EXPECT_EQ(compliance(2, 1), 66.67);
  EXPECT_EQ(compliance(0, 3), 0.0);
  EXPECT_EQ(compliance(999, 1), 99.9);
}

TEST(Csv, QuotesWhatNeedsItAndDefusesFormulas) {
  using api::csv::field;
  EXPECT_EQ(field("plain"), "plain");
  EXPECT_EQ(field("a,b"), "\"a,b\"");
  EXPECT_EQ(field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(field("+420777"), "'+420777");
  EXPECT_EQ(field("@sum"), "'@sum");
  EXPECT_EQ(field(""), "");
  nlohmann::json rows = nlohmann::json::parse(R"([{"a": "x", "n": 3, "s": {"avg": 1.5}, "z": null},
                                                  {"a": "-1", "n": -2, "s": {}, "z": true}])");
  EXPECT_EQ(api::csv::table(rows, {"a", "n", "s.avg", "z"}), "a,n,s.avg,z\r\nx,3,1.5,\r\n'-1,-2,,true\r\n");
}

}  // namespace
}  // namespace helpdesk::reports
