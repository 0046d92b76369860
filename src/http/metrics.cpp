#include "helpdesk/http/metrics.hpp"

#include <sstream>

#include "helpdesk/http/router.hpp"

namespace helpdesk::http {

metrics::metrics() : unmatched_(std::make_unique<series>()) {
  unmatched_->route = "(unmatched)";
  unmatched_->method = "-";
}

metrics::~metrics() = default;

void metrics::describe_routes(const router& routes) {
  routes_.clear();
  for (const auto& r : routes.routes()) {
    auto s = std::make_unique<series>();
    s->route = r.path;
    s->method = std::string(bhttp::to_string(r.method));
    routes_.push_back(std::move(s));
  }
}

void metrics::observe(const route* r, unsigned status, double seconds) {
  series& s = r && r->index < routes_.size() ? *routes_[r->index] : *unmatched_;
  s.by_status[status < 600 ? status : 599].fetch_add(1, std::memory_order_relaxed);
  s.count.fetch_add(1, std::memory_order_relaxed);
  s.sum_micros.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
  // One increment in the first bucket that holds the value; render() sums
  // them into Prometheus' cumulative form. Fewer atomics on the hot path.
  std::size_t i = 0;
  while (i < buckets.size() && seconds > buckets[i]) ++i;
  if (i < buckets.size()) s.le[i].fetch_add(1, std::memory_order_relaxed);
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
  std::vector<const series*> all;
  for (const auto& s : routes_) all.push_back(s.get());
  all.push_back(unmatched_.get());
  out << "# HELP helpdesk_http_requests_total HTTP requests by route template, method and status.\n"
      << "# TYPE helpdesk_http_requests_total counter\n";
  for (const series* s : all)
    for (std::size_t code = 0; code < s->by_status.size(); ++code)
      if (auto n = s->by_status[code].load(std::memory_order_relaxed))
        out << "helpdesk_http_requests_total{route=\"" << s->route << "\",method=\"" << s->method << "\",status=\""
            << code << "\"} " << n << "\n";
  out << "# HELP helpdesk_http_request_duration_seconds Time from request headers to response written.\n"
      << "# TYPE helpdesk_http_request_duration_seconds histogram\n";
  for (const series* s : all) {
    auto count = s->count.load(std::memory_order_relaxed);
    if (count == 0) continue;
    const std::string labels = "route=\"" + s->route + "\",method=\"" + s->method + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
      cumulative += s->le[i].load(std::memory_order_relaxed);
      out << "helpdesk_http_request_duration_seconds_bucket{" << labels << ",le=\"" << buckets[i] << "\"} "
          << cumulative << "\n";
    }
    out << "helpdesk_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << count << "\n";
    out << "helpdesk_http_request_duration_seconds_sum{" << labels << "} "
        << double(s->sum_micros.load(std::memory_order_relaxed)) / 1e6 << "\n";
    out << "helpdesk_http_request_duration_seconds_count{" << labels << "} " << count << "\n";
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
