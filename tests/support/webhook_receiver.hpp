#pragma once
// A local HTTP endpoint that plays a webhook receiver: it records every
// request and answers with the scripted statuses in turn (the last one
// repeats). A 3xx answer carries a Location header; status 0 never answers
// (the connection stays open until the receiver goes).
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace helpdesk::testing {

class webhook_receiver {
 public:
  struct hit {
    std::string target;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
  };

  explicit webhook_receiver(std::vector<int> statuses = {200}, std::string location = "");
  ~webhook_receiver();
  unsigned short port() const { return port_; }
  std::string url(const std::string& path = "/hook") const;
  std::vector<hit> hits() const;
  // Waits until at least n requests arrived; false on timeout.
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  void set_statuses(std::vector<int> statuses);

 private:
  void serve();

  int listen_fd_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<int> statuses_;
  std::size_t answered_ = 0;
  std::string location_;
  std::vector<hit> hits_;
  std::vector<int> hanging_;
};

// The Standard Webhooks check, written from the specification: the
// signature header holds "v1,<base64 HMAC-SHA256>" entries; one must match
// HMAC(base64-decoded secret after "whsec_", "<id>.<timestamp>.<body>"), and
// the timestamp must be within five minutes.
bool verify_standard_webhook(const std::string& secret, const webhook_receiver::hit& h);

}  // namespace helpdesk::testing
