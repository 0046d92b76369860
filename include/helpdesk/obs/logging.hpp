#pragma once
// Process-wide logging set-up: human-readable lines by default, JSON lines
// (one object per line) when the format is "json". Access lines go to their
// own logger so that operators can route or silence them separately.
#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace helpdesk::obs {

void init_logging(const std::string& format, const std::string& level, bool access_log);
std::shared_ptr<spdlog::logger> access_logger();
bool json_logs();
void flush_logs();

}  // namespace helpdesk::obs
