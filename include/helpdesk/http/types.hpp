#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "helpdesk/domain/auth.hpp"
#include "helpdesk/net.hpp"

namespace helpdesk::http {

using request = bhttp::request<bhttp::string_body>;
using response = bhttp::response<bhttp::string_body>;

struct route;

// What a handler sees of one request. Lives on the connection's coroutine
// frame for the whole exchange.
struct request_context {
  const request& req;
  std::string request_id;
  std::string remote_addr;
  const route* matched = nullptr;
  std::vector<std::pair<std::string, std::string>> params;  // path parameters
  std::optional<principal> who;                               // set for authenticated routes
  // Set by a handler that streams (Server-Sent Events): after the response
  // head is written, the connection belongs to this until it returns, and
  // is then closed. The response must not carry a Content-Length.
  std::function<awaitable<void>(beast::tcp_stream&)> stream_body;

  std::string_view path() const;
  std::string_view param(std::string_view name) const;
  // Percent-decoded query parameter; nullopt when absent.
  std::optional<std::string> query(std::string_view name) const;
  // Every query parameter in order, percent-decoded.
  std::vector<std::pair<std::string, std::string>> query_params() const;
  const principal& caller() const { return *who; }
};

using handler = std::function<awaitable<response>(request_context&)>;

}  // namespace helpdesk::http
