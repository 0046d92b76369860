#pragma once
// The HTTP/1.1 listener and its connections. Each connection is a coroutine
// on its own strand; each request passes the same middleware stages: request
// id, route match, limits, authentication, role check, handler, problem
// mapping, access log and metrics.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "helpdesk/http/metrics.hpp"
#include "helpdesk/http/router.hpp"
#include "helpdesk/http/types.hpp"

namespace helpdesk::http {

struct server_options {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  std::size_t body_limit = 1024 * 1024;
  std::size_t header_limit = 16 * 1024;
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds write_timeout{30000};
  std::size_t max_connections = 10000;
  std::chrono::milliseconds drain_timeout{10000};
};

// Resolves a bearer token to a principal; throws error(unauthorized).
using authenticator = std::function<awaitable<principal>(const std::string& bearer)>;

class server {
 public:
  server(asio::io_context& ioc, server_options opts, const router& routes, authenticator auth, metrics& m);
  ~server();

  void start();  // binds and listens; throws on failure
  unsigned short port() const { return bound_port_; }
  // Stops accepting, closes idle connections, lets busy ones finish until the
  // drain deadline, then closes the rest and calls done (on the io_context).
  void begin_shutdown(std::function<void()> done);
  bool stopping() const { return stopping_; }
  // Called with the route's path after every successful write request (not
  // GET or HEAD, status below 400), once its answer is sent: the event relay
  // is woken this way, so live updates follow changes made here at once.
  void on_change(std::function<void(std::string_view route)> fn) { on_change_ = std::move(fn); }

 private:
  struct connection;
  awaitable<void> accept_loop();
  awaitable<void> serve(std::shared_ptr<connection> c);
  awaitable<response> dispatch(request_context& ctx, const match_result& m);
  awaitable<void> drain(std::function<void()> done);
  void close_connections(bool only_idle);

  asio::io_context& ioc_;
  server_options opts_;
  const router& routes_;
  authenticator auth_;
  metrics& metrics_;
  tcp::acceptor acceptor_;
  unsigned short bound_port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> open_{0};
  std::mutex registry_mutex_;
  std::uint64_t next_id_ = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<connection>> registry_;
  std::function<void(std::string_view)> on_change_;
};

// Shared response helpers.
response make_response(bhttp::status status, std::string body, std::string_view content_type,
                       unsigned version = 11);
std::string new_request_id();

}  // namespace helpdesk::http
