#include "helpdesk/obs/logging.hpp"

#include <unistd.h>

#include "helpdesk/obs/line_batcher.hpp"

#include <spdlog/async.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

namespace helpdesk::obs {
namespace {

std::atomic<bool> json_mode{false};
std::unique_ptr<line_batcher> access;

// Escapes the message for a JSON string, so the whole line stays valid JSON.
class json_message_flag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    for (char c : std::string_view(msg.payload.data(), msg.payload.size())) {
      switch (c) {
        case '"': dest.append(std::string_view("\\\"")); break;
        case '\\': dest.append(std::string_view("\\\\")); break;
        case '\n': dest.append(std::string_view("\\n")); break;
        case '\r': dest.append(std::string_view("\\r")); break;
        case '\t': dest.append(std::string_view("\\t")); break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            dest.append(std::string_view(buf));
          } else {
            dest.push_back(c);
          }
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<json_message_flag>(); }
};

std::unique_ptr<spdlog::formatter> make_formatter(bool json) {
  auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (json) {
    f->add_flag<json_message_flag>('*');
    f->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","logger":"%n","msg":"%*"})");
  } else {
    f->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ [%n] %v");
  }
  return f;
}

}  // namespace

void init_logging(const std::string& format, const std::string& level, bool access_log) {
  json_mode = format == "json";
  // Asynchronous, so that a slow stdout (a pipe to a log shipper) never stalls
  // an I/O thread; blocking when full, so that no line is silently lost.
  spdlog::init_thread_pool(32768, 1);
  auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  auto main_logger = std::make_shared<spdlog::async_logger>("helpdesk", sink, spdlog::thread_pool(),
                                                            spdlog::async_overflow_policy::block);
  main_logger->set_formatter(make_formatter(json_mode));
  main_logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(main_logger);
  if (access_log) access = std::make_unique<line_batcher>(STDOUT_FILENO);
}

bool json_logs() { return json_mode; }
bool access_log_enabled() { return access != nullptr; }
void write_access_line(std::string_view line) {
  if (access) access->append(line);
}

void flush_logs() {
  if (auto d = spdlog::default_logger()) d->flush();
  if (access) access->flush();
  std::fflush(stdout);
}

}  // namespace helpdesk::obs
