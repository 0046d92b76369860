#pragma once
// Process-wide logging set-up: human-readable lines by default, JSON lines
// (one object per line) when the format is "json". Access lines go to their
// own logger so that operators can route or silence them separately.
#include <memory>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace helpdesk::obs {

void init_logging(const std::string& format, const std::string& level, bool access_log);
bool json_logs();
bool access_log_enabled();
// Appends one access line (newline included) to the batched stdout writer.
void write_access_line(std::string_view line);
void flush_logs();

}  // namespace helpdesk::obs
