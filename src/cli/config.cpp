#include "helpdesk/cli/config.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>

namespace helpdesk::cli {
namespace {

struct option {
  std::string key;
  std::string help;
  std::function<void(config&, const std::string&)> set;
  std::function<std::string(const config&)> get;
};

long parse_long(const std::string& key, const std::string& text, long min, long max) {
  long v = 0;
  std::size_t used = 0;
  try {
    v = std::stol(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size())
    throw config_error(key + ": '" + text + "' is not a whole number");
  if (v < min || v > max)
    throw config_error(key + ": " + text + " is outside " + std::to_string(min) + ".." + std::to_string(max));
  return v;
}

bool parse_bool(const std::string& key, const std::string& text) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  throw config_error(key + ": '" + text + "' is not true or false");
}

option number(std::string key, long config::*field, long min, long max, std::string help) {
  return {key, std::move(help),
          [key, field, min, max](config& c, const std::string& v) { c.*field = parse_long(key, v, min, max); },
          [field](const config& c) { return std::to_string(c.*field); }};
}

option flag(std::string key, bool config::*field, std::string help) {
  return {key, std::move(help), [key, field](config& c, const std::string& v) { c.*field = parse_bool(key, v); },
          [field](const config& c) { return std::string(c.*field ? "true" : "false"); }};
}

option text(std::string key, std::string config::*field, std::string help,
            std::function<void(const std::string&)> check = {}) {
  return {key, std::move(help),
          [key, field, check](config& c, const std::string& v) {
            if (check) check(v);
            c.*field = v;
          },
          [field](const config& c) { return c.*field; }};
}

void check_listen(const std::string& v) {
  auto colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0) throw config_error("listen: '" + v + "' is not HOST:PORT");
  parse_long("listen", v.substr(colon + 1), 0, 65535);
}

const std::vector<option>& options() {
  static const std::vector<option> all = {
      text("listen", &config::listen, "address and port to listen on (port 0 picks a free one)", check_listen),
      text("database_url", &config::database_url, "libpq connection URI or key=value string",
           [](const std::string& v) {
             if (v.empty()) throw config_error("database_url: must not be empty");
           }),
      number("threads", &config::threads, 0, 256, "I/O threads (0: one per core)"),
      number("db_pool", &config::db_pool, 1, 256, "database connections, one thread each"),
      number("db_queue", &config::db_queue, 1, 1000000, "database jobs allowed to wait before 503"),
      number("db_queue_timeout_ms", &config::db_queue_timeout_ms, 1, 600000, "longest wait for a database connection before 503"),
      number("statement_timeout_ms", &config::statement_timeout_ms, 1, 3600000, "PostgreSQL statement_timeout on every connection"),
      number("report_timeout_ms", &config::report_timeout_ms, 1, 3600000,
             "statement_timeout of a report's statements (they read months of logs)"),
      number("live_stats_cache_ms", &config::live_stats_cache_ms, 0, 60000,
             "how long one computation of /v1/stats/live serves callers of the same scope (0: never reused)"),
      number("report_fold_ms", &config::report_fold_ms, 0, 3600000,
             "how often the rows appended to the hourly report counts are folded in (0: never, in this process)"),
      number("index_upkeep_ms", &config::index_upkeep_ms, 0, 3600000,
             "how often the search indexes' pending entries are merged in the background (BRIN ranges: every 30 s; "
             "0: never, in this process)"),
      number("body_limit", &config::body_limit, 1024, 1LL << 30, "default request body limit in bytes"),
      number("header_limit", &config::header_limit, 1024, 1 << 20, "request header block limit in bytes (431 above)"),
      number("header_timeout_ms", &config::header_timeout_ms, 1, 600000, "time allowed to send the request headers"),
      number("body_timeout_ms", &config::body_timeout_ms, 1, 3600000, "time allowed to send the request body"),
      number("idle_timeout_ms", &config::idle_timeout_ms, 1, 3600000, "keep-alive idle time before the connection is closed"),
      number("max_connections", &config::max_connections, 1, 1000000, "open connections cap; more are refused"),
      number("drain_timeout_ms", &config::drain_timeout_ms, 0, 600000, "how long shutdown waits for in-flight requests"),
      number("shutdown_delay_ms", &config::shutdown_delay_ms, 0, 600000,
             "on SIGTERM, keep serving this long with /readyz at 503 before closing the listener"),
      text("log_format", &config::log_format, "text or json",
           [](const std::string& v) {
             if (v != "text" && v != "json") throw config_error("log_format: must be text or json, not '" + v + "'");
           }),
      text("log_level", &config::log_level, "trace, debug, info, warn, error, critical or off",
           [](const std::string& v) {
             static const std::vector<std::string> ok = {"trace", "debug", "info", "warn", "error", "critical", "off"};
             if (std::find(ok.begin(), ok.end(), v) == ok.end())
               throw config_error("log_level: '" + v + "' is not one of trace, debug, info, warn, error, critical, off");
           }),
      flag("access_log", &config::access_log, "one log line per request"),
      number("auth_cache_ms", &config::auth_cache_ms, 0, 60000, "how long a credential lookup is cached (revocation delay on other nodes)"),
      number("session_ttl_s", &config::session_ttl_s, 60, 90L * 24 * 3600, "lifetime of a login session"),
      number("login_max_failures", &config::login_max_failures, 1, 1000, "failed logins per email within the window before 429"),
      number("login_window_s", &config::login_window_s, 1, 86400, "login throttling window"),
      number("housekeeping_interval_s", &config::housekeeping_interval_s, 1, 86400,
             "how often old failed logins, dead sessions, expired keys and old event history are pruned"),
      number("ingest_writers", &config::ingest_writers, 1, 64,
             "ingest transactions in flight at once (each holds a pooled connection)"),
      number("ingest_batch", &config::ingest_batch, 1, 1000, "most inbound events that share one commit"),
      number("reopen_window_days", &config::reopen_window_days, 0, 3650,
             "a reply to a ticket solved longer ago than this starts a new, linked ticket"),
      number("callback_due_s", &config::callback_due_s, 60, 30L * 86400,
             "a missed call's callback deadline after the call, in calendar time"),
      number("idempotency_ttl_s", &config::idempotency_ttl_s, 86400, 365L * 86400,
             "how long an Idempotency-Key is remembered"),
      number("event_retention_days", &config::event_retention_days, 0, 3650,
             "days of live-feed rows, relayed outbox rows and finished webhook deliveries kept (0: forever)"),
      number("router_tick_ms", &config::router_tick_ms, 10, 60000,
             "the router's pass at least this often (overflow timers, other processes' changes)"),
      flag("router", &config::router, "run the queue router's background passes in this process"),
      number("sla_tick_ms", &config::sla_tick_ms, 10, 60000,
             "the SLA worker's pass at least this often (recompute changed tickets, fire due warnings and breaches)"),
      flag("sla", &config::sla, "run the SLA worker in this process"),
      flag("events", &config::events, "run the event relay and webhook delivery in this process"),
      number("relay_tick_ms", &config::relay_tick_ms, 10, 60000,
             "the event relay's pass at least this often (events of other processes' changes)"),
      number("webhook_tick_ms", &config::webhook_tick_ms, 10, 60000, "look for due webhook deliveries at least this often"),
      number("webhook_timeout_ms", &config::webhook_timeout_ms, 100, 120000, "one delivery attempt's deadline"),
      number("webhook_concurrency", &config::webhook_concurrency, 1, 1000, "webhook deliveries in flight per process"),
      number("webhook_first_retry_ms", &config::webhook_first_retry_ms, 10, 600000,
             "the wait before the first retry; later waits keep the standard schedule's proportions (5 s, 5 min, ... 24 h)"),
      text("webhook_allowed_hosts", &config::webhook_allowed_hosts,
           "hosts exempt from the webhook SSRF guard, comma-separated (development and tests only)"),
      number("stream_heartbeat_s", &config::stream_heartbeat_s, 1, 300, "comment lines on idle live streams this often"),
      flag("migrate", &config::migrate, "serve: apply pending migrations before starting"),
  };
  return all;
}

std::string env_name(const std::string& key) {
  std::string out = "HELPDESK_";
  for (char c : key) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string flag_name(const std::string& key) {
  std::string out = "--";
  for (char c : key) out += c == '_' ? '-' : c;
  return out;
}

const option* find_option(const std::string& key) {
  for (const auto& o : options())
    if (o.key == key) return &o;
  return nullptr;
}

void load_file(config& c, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw config_error("config file " + path + ": cannot be read");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& ex) {
    throw config_error("config file " + path + ": not valid JSON (" + std::string(ex.what()) + ")");
  }
  if (!doc.is_object()) throw config_error("config file " + path + ": must be a JSON object");
  for (const auto& [key, value] : doc.items()) {
    const option* o = find_option(key);
    if (!o) throw config_error("config file " + path + ": unknown key '" + key + "'");
    o->set(c, value.is_string() ? value.get<std::string>() : value.dump());
  }
}

}  // namespace

std::string config::host() const { return listen.substr(0, listen.rfind(':')); }
unsigned short config::port() const {
  return static_cast<unsigned short>(std::stoi(listen.substr(listen.rfind(':') + 1)));
}

std::vector<option_doc> describe_options() {
  std::vector<option_doc> out;
  config defaults;
  for (const auto& o : options())
    out.push_back({o.key, env_name(o.key), flag_name(o.key), o.get(defaults), o.help,
                   o.key == "migrate" || o.key == "access_log"});
  return out;
}

parsed_command_line parse_command_line(const std::vector<std::string>& args,
                                       const std::map<std::string, std::string>& environment,
                                       const std::vector<std::string>& known_command_flags) {
  parsed_command_line out;
  // Flags first, so that --config is known before the file is read.
  std::vector<std::pair<const option*, std::string>> flag_values;
  std::string config_file;
  if (auto it = environment.find("HELPDESK_CONFIG"); it != environment.end()) config_file = it->second;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      out.help = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) {
      out.positional.push_back(a);
      continue;
    }
    std::string name = a, value;
    bool has_value = false;
    if (auto eq = a.find('='); eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    }
    std::string key = name.substr(2);
    std::replace(key.begin(), key.end(), '-', '_');
    const option* o = find_option(key);
    const bool is_command_flag =
        std::find(known_command_flags.begin(), known_command_flags.end(), key) != known_command_flags.end();
    if (!o && !is_command_flag && key != "config") throw config_error("unknown option " + name + " (see --help)");
    const bool boolean = o && (key == "migrate" || key == "access_log");
    if (!has_value) {
      if (boolean) {
        // "--migrate" alone means true; "--access-log false" is also accepted.
        static const std::vector<std::string> literals = {"true", "false", "1", "0", "yes", "no", "on", "off"};
        const bool next_is_bool = i + 1 < args.size() &&
                                  std::find(literals.begin(), literals.end(), args[i + 1]) != literals.end();
        value = next_is_bool ? args[++i] : "true";
      } else {
        if (i + 1 >= args.size()) throw config_error(name + " needs a value");
        value = args[++i];
      }
    }
    if (key == "config") config_file = value;
    else if (o) flag_values.emplace_back(o, value);
    else out.command_flags[key] = out.command_flags.count(key) ? out.command_flags[key] + "," + value : value;
  }
  if (!config_file.empty()) load_file(out.cfg, config_file);
  for (const auto& o : options())
    if (auto it = environment.find(env_name(o.key)); it != environment.end()) o.set(out.cfg, it->second);
  for (const auto& [o, value] : flag_values) o->set(out.cfg, value);
  return out;
}

}  // namespace helpdesk::cli
