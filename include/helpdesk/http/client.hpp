#pragma once
// The server's own outbound HTTP client, for webhook deliveries: one POST per
// call on a fresh connection, a deadline over the whole exchange, redirects
// never followed, and every resolved address put to `allow` before it is
// dialled (so a name cannot smuggle a private address past the SSRF guard).
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "helpdesk/domain/webhook_target.hpp"
#include "helpdesk/net.hpp"

namespace boost::asio::ssl {
class context;
}

namespace helpdesk::http {

struct outbound_result {
  std::optional<int> status;  // nullopt: no HTTP answer (refused, timeout, network error)
  std::string error;          // why, when not a 2xx
  std::string location;       // a redirect's target, reported and not followed
  std::chrono::milliseconds latency{0};
};

// The reason an address must not be dialled, or nullopt.
using address_check = std::function<std::optional<std::string>(const asio::ip::address&)>;

struct outbound_post {
  webhooks::target_url url;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{15000};
};

// TLS for https targets: system trust store, SNI and host name checks.
class tls_client_context {
 public:
  tls_client_context();
  ~tls_client_context();
  asio::ssl::context& get() { return *ctx_; }

 private:
  std::unique_ptr<asio::ssl::context> ctx_;
};

awaitable<outbound_result> post(const outbound_post& req, const address_check& allow, tls_client_context& tls);

}  // namespace helpdesk::http
