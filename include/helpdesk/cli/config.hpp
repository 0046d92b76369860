#pragma once
// One typed configuration, filled from defaults, then an optional JSON file
// (--config or HELPDESK_CONFIG), then HELPDESK_* environment variables, then
// command-line flags. Every value is validated; a bad one is a config_error
// whose message is the single line the operator sees.
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace helpdesk::cli {

struct config_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct config {
  std::string listen = "127.0.0.1:8080";
  std::string database_url = "postgresql://helpdesk@127.0.0.1:5432/helpdesk";
  long threads = 0;  // 0: one per core
  long db_pool = 4;
  long db_queue = 2048;
  long db_queue_timeout_ms = 2000;
  long statement_timeout_ms = 5000;
  long report_timeout_ms = 120000;
  long live_stats_cache_ms = 1000;
  long report_fold_ms = 1000;
  long index_upkeep_ms = 500;
  long body_limit = 1024 * 1024;
  long header_limit = 16 * 1024;
  long header_timeout_ms = 10000;
  long body_timeout_ms = 30000;
  long idle_timeout_ms = 60000;
  long max_connections = 10000;
  long drain_timeout_ms = 10000;
  long shutdown_delay_ms = 0;
  std::string log_format = "text";
  std::string log_level = "info";
  bool access_log = true;
  long auth_cache_ms = 5000;
  long session_ttl_s = 12 * 3600;
  long login_max_failures = 5;
  long login_window_s = 900;
  long housekeeping_interval_s = 600;
  long ingest_writers = 2;
  long ingest_batch = 64;
  long reopen_window_days = 30;
  long callback_due_s = 1800;
  long idempotency_ttl_s = 7L * 24 * 3600;
  long event_retention_days = 30;
  long router_tick_ms = 1000;
  bool router = true;
  long sla_tick_ms = 250;
  bool sla = true;
  bool events = true;
  long relay_tick_ms = 250;
  long webhook_tick_ms = 1000;
  long webhook_timeout_ms = 15000;
  long webhook_concurrency = 32;
  long webhook_first_retry_ms = 5000;
  std::string webhook_allowed_hosts;
  long stream_heartbeat_s = 15;
  bool migrate = false;

  std::string host() const;
  unsigned short port() const;
};

struct option_doc {
  std::string key;
  std::string env;
  std::string flag;
  std::string default_value;
  std::string help;
  bool boolean = false;  // a flag that needs no value
};
std::vector<option_doc> describe_options();

struct parsed_command_line {
  config cfg;
  std::vector<std::string> positional;  // command and its own arguments
  std::map<std::string, std::string> command_flags;  // flags that are not configuration (e.g. --role)
  bool help = false;
};

// `known_command_flags` lists flags a command takes besides configuration.
parsed_command_line parse_command_line(const std::vector<std::string>& args,
                                       const std::map<std::string, std::string>& environment,
                                       const std::vector<std::string>& known_command_flags);

}  // namespace helpdesk::cli
