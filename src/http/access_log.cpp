#include "access_log.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "helpdesk/obs/logging.hpp"

namespace helpdesk::http {

void log_access(std::string_view method, std::string_view route, std::string_view path, unsigned status,
                double millis, std::string_view request_id, std::string_view remote) {
  auto logger = obs::access_logger();
  if (!logger) return;
  if (obs::json_logs()) {
    nlohmann::json line = {{"method", method}, {"route", route},       {"path", path},
                           {"status", status}, {"duration_ms", millis}, {"request_id", request_id},
                           {"remote", remote}};
    logger->info(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    logger->info("{} {} {} {} {:.2f}ms id={} remote={}", method, route, path, status, millis, request_id, remote);
  }
}

}  // namespace helpdesk::http
