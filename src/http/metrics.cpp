#include "helpdesk/http/metrics.hpp"

#include <sstream>

namespace helpdesk::http {

void metrics::observe(const std::string& route, const std::string& method, unsigned status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{route, method, status}];
  auto& s = latency_[route];
  ++s.count;
  s.sum += seconds;
  for (std::size_t i = 0; i < buckets.size(); ++i)
    if (seconds <= buckets[i]) ++s.le[i];
}

void metrics::add_gauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mutex_);
  gauges_.emplace_back(std::move(name), std::move(help), std::move(read));
}

void metrics::set_build_info(std::string version) {
  std::lock_guard lock(mutex_);
  version_ = std::move(version);
}

std::string metrics::render() const {
  std::ostringstream out;
  std::lock_guard lock(mutex_);
  out << "# HELP helpdesk_build_info Build information.\n# TYPE helpdesk_build_info gauge\n"
      << "helpdesk_build_info{version=\"" << version_ << "\"} 1\n";
  out << "# HELP helpdesk_http_requests_total HTTP requests by route template, method and status.\n"
      << "# TYPE helpdesk_http_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    out << "helpdesk_http_requests_total{route=\"" << std::get<0>(key) << "\",method=\"" << std::get<1>(key)
        << "\",status=\"" << std::get<2>(key) << "\"} " << n << "\n";
  out << "# HELP helpdesk_http_request_duration_seconds Time from request headers to response.\n"
      << "# TYPE helpdesk_http_request_duration_seconds histogram\n";
  for (const auto& [route, s] : latency_) {
    for (std::size_t i = 0; i < buckets.size(); ++i)
      out << "helpdesk_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"" << buckets[i]
          << "\"} " << s.le[i] << "\n";
    out << "helpdesk_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} " << s.count
        << "\n";
    out << "helpdesk_http_request_duration_seconds_sum{route=\"" << route << "\"} " << s.sum << "\n";
    out << "helpdesk_http_request_duration_seconds_count{route=\"" << route << "\"} " << s.count << "\n";
  }
  out << "# HELP helpdesk_http_open_connections Open client connections.\n"
      << "# TYPE helpdesk_http_open_connections gauge\nhelpdesk_http_open_connections " << open_connections_.load()
      << "\n";
  out << "# HELP helpdesk_http_rejected_connections_total Connections refused at the connection cap.\n"
      << "# TYPE helpdesk_http_rejected_connections_total counter\nhelpdesk_http_rejected_connections_total "
      << rejected_connections_.load() << "\n";
  for (const auto& [name, help, read] : gauges_)
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n" << name << " " << read() << "\n";
  return out.str();
}

}  // namespace helpdesk::http
