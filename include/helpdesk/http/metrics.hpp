#pragma once
// Prometheus text exposition of request counts and latencies by route
// template, plus gauges supplied by other modules (e.g. the DB pool).
// Recording is lock-free: one set of atomic counters per route, prepared
// when the routes are known, so the request path builds no label strings.
#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace helpdesk::http {

struct route;
class router;

class metrics {
 public:
  static constexpr std::array<double, 12> buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  metrics();
  ~metrics();
  void describe_routes(const router& routes);
  // r == nullptr: a request that matched no route.
  void observe(const route* r, unsigned status, double seconds);
  void connection_opened() { ++open_connections_; }
  void connection_closed() { --open_connections_; }
  void connection_rejected() { ++rejected_connections_; }
  void add_gauge(std::string name, std::string help, std::function<double()> read);
  void set_build_info(std::string version);
  std::string render() const;

 private:
  struct series {
    std::string route;
    std::string method;
    std::array<std::atomic<std::uint64_t>, 600> by_status{};
    std::array<std::atomic<std::uint64_t>, buckets.size()> le{};
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_micros{0};
  };
  std::vector<std::unique_ptr<series>> routes_;
  std::unique_ptr<series> unmatched_;
  mutable std::mutex mutex_;  // guards gauges_ and version_ only
  std::vector<std::tuple<std::string, std::string, std::function<double()>>> gauges_;
  std::string version_;
  std::atomic<long> open_connections_{0};
  std::atomic<long> rejected_connections_{0};
};

}  // namespace helpdesk::http
