// Times the SLA deadline arithmetic alone (no I/O): a Prague calendar,
// Mon-Fri 09:00-12:00 and 13:00-17:00, Czech public holidays for 2026-2027;
// starts spread over 2026 at random, targets of 30 minutes to 2 business
// days. Prints `sla_deadline_calc_per_s` (add_business_seconds) and
// `sla_business_between_per_s` (business_seconds_between over up to 10 days).
// Inputs are drawn before the clock starts, so only the arithmetic is timed.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <tuple>
#include <utility>
#include <vector>

#include "helpdesk/domain/calendar.hpp"

using namespace helpdesk;
using namespace helpdesk::domain;

namespace {

business_calendar prague_office() {
  calendar_definition def;
  def.time_zone = "Europe/Prague";
  for (int w = 0; w < 5; ++w) def.weekly[w] = {{9 * 60, 12 * 60}, {13 * 60, 17 * 60}};
  for (auto [m, d] : {std::pair{1U, 1U}, {5, 1}, {5, 8}, {7, 5}, {7, 6}, {9, 28}, {10, 28}, {11, 17},
                      {12, 24}, {12, 25}, {12, 26}})
    def.holidays.push_back(date::month_day{date::month{m}, date::day{d}});
  // Good Friday and Easter Monday move every year.
  for (auto [y, m, d] : {std::tuple{2026, 4U, 3U}, {2026, 4, 6}, {2027, 3, 26}, {2027, 3, 29}})
    def.holidays.push_back(date::year_month_day{date::year{y}, date::month{m}, date::day{d}});
  return business_calendar::compile(def);
}

template <typename Work>
double per_second(int n, Work&& work) {
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) work(i);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  return n / took.count();
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 2'000'000;
  const business_calendar cal = prague_office();
  std::mt19937_64 rng(42);
  const std::int64_t year_start = 1'767'225'600'000'000LL;  // 2026-01-01T00:00:00Z
  std::uniform_int_distribution<std::int64_t> start_in_year(year_start, year_start + 365LL * 86'400'000'000LL);
  std::uniform_int_distribution<std::int64_t> target(30 * 60, 2 * 7 * 3600);        // 30 min .. 2 business days
  std::uniform_int_distribution<std::int64_t> span(0, 10LL * 86'400'000'000LL);     // up to 10 days

  std::vector<timestamp> starts(n), ends(n);
  std::vector<std::int64_t> targets(n);
  for (int i = 0; i < n; ++i) {
    starts[i] = from_unix_micros(start_in_year(rng));
    targets[i] = target(rng);
    ends[i] = starts[i] + std::chrono::microseconds(span(rng));
  }

  // The checksums keep the work from being optimised away and make runs comparable.
  std::int64_t due_sum = 0, between_sum = 0;
  const double deadlines = per_second(n, [&](int i) {
    const auto due = add_business_seconds(cal, starts[i], targets[i]);
    due_sum += due ? to_unix_micros(*due) % 1'000'003 : 1;
  });
  const double betweens = per_second(n, [&](int i) { between_sum += business_seconds_between(cal, starts[i], ends[i]); });

  std::printf("sla_deadline_calc_per_s %.0f ops/s\n", deadlines);
  std::printf("sla_business_between_per_s %.0f ops/s\n", betweens);
  std::fprintf(stderr, "checksums %lld %lld\n", static_cast<long long>(due_sum), static_cast<long long>(between_sum));
  return 0;
}
