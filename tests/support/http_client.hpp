#pragma once
// A blocking HTTP/1.1 client over a real TCP socket, plus raw-socket helpers
// for tests that must misbehave on purpose (slow, oversized, half-sent).
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace helpdesk::testing {

struct http_result {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body); }
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

http_result http_request(unsigned short port, const std::string& method, const std::string& target,
                         const std::string& body = "", const std::map<std::string, std::string>& headers = {},
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Shorthands with a bearer token and a JSON body.
http_result call(unsigned short port, const std::string& method, const std::string& target,
                 const std::string& token = "", const std::string& json_body = "");

// A raw connection: write exactly what the test says, read what comes back.
class raw_connection {
 public:
  explicit raw_connection(unsigned short port);
  ~raw_connection();
  void send(const std::string& bytes);
  // Reads until the peer closes or the timeout passes; returns what arrived.
  std::string read_until_close(std::chrono::milliseconds timeout);
  // Reads one response head and body (by Content-Length) or until timeout.
  std::string read_response(std::chrono::milliseconds timeout);
  bool closed_by_peer(std::chrono::milliseconds timeout);
  // Reads until `needle` arrived (returned with everything before it; the
  // rest stays for the next read) or the timeout passed (all that arrived).
  std::string read_until(const std::string& needle, std::chrono::milliseconds timeout);  // true when EOF/reset arrives in time

 private:
  int fd_ = -1;
  std::string pending_;
};

}  // namespace helpdesk::testing
