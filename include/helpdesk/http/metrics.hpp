#pragma once
// Prometheus text exposition of request counts and latencies by route
// template, plus gauges supplied by other modules (e.g. the DB pool).
#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace helpdesk::http {

class metrics {
 public:
  static constexpr std::array<double, 12> buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  void observe(const std::string& route, const std::string& method, unsigned status, double seconds);
  void connection_opened() { ++open_connections_; }
  void connection_closed() { --open_connections_; }
  void connection_rejected() { ++rejected_connections_; }
  // name, help, value source: each rendered as a gauge.
  void add_gauge(std::string name, std::string help, std::function<double()> read);
  void set_build_info(std::string version);
  std::string render() const;

 private:
  struct series {
    std::uint64_t count = 0;
    double sum = 0;
    std::array<std::uint64_t, buckets.size()> le{};
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t> requests_;
  std::map<std::string, series> latency_;  // by route template
  std::vector<std::tuple<std::string, std::string, std::function<double()>>> gauges_;
  std::string version_;
  std::atomic<long> open_connections_{0};
  std::atomic<long> rejected_connections_{0};
};

}  // namespace helpdesk::http
