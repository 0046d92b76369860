#include "access_log.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>

#include "helpdesk/obs/logging.hpp"

namespace helpdesk::http {
namespace {

// "2026-11-23T10:51:47.814Z": the date and time are formatted once per second
// per thread; only the milliseconds change between lines.
std::string_view utc_timestamp(char (&out)[32]) {
  thread_local std::time_t cached_second = -1;
  thread_local char prefix[24];
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t second = static_cast<std::time_t>(ms / 1000);
  if (second != cached_second) {
    std::tm tm{};
    gmtime_r(&second, &tm);
    std::strftime(prefix, sizeof prefix, "%Y-%m-%dT%H:%M:%S", &tm);
    cached_second = second;
  }
  int n = std::snprintf(out, sizeof out, "%s.%03dZ", prefix, static_cast<int>(ms % 1000));
  return {out, static_cast<std::size_t>(n)};
}

}  // namespace

void log_access(std::string_view method, std::string_view route, std::string_view path, unsigned status,
                double millis, std::string_view request_id, std::string_view remote) {
  if (!obs::access_log_enabled()) return;
  char ts_buf[32];
  const auto ts = utc_timestamp(ts_buf);
  if (obs::json_logs()) {
    nlohmann::json line = {{"ts", ts},         {"level", "info"},      {"logger", "access"},
                           {"method", method}, {"route", route},       {"path", path},
                           {"status", status}, {"duration_ms", millis}, {"request_id", request_id},
                           {"remote", remote}};
    obs::write_access_line(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  } else {
    fmt::memory_buffer buf;
    fmt::format_to(std::back_inserter(buf), "{} info  [access] {} {} {} {} {:.2f}ms id={} remote={}\n", ts, method,
                   route, path, status, millis, request_id, remote);
    obs::write_access_line(std::string_view(buf.data(), buf.size()));
  }
}

}  // namespace helpdesk::http
