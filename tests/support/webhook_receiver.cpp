#include "support/webhook_receiver.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <cctype>
#include <sstream>
#include <stdexcept>

namespace helpdesk::testing {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool read_request(int fd, webhook_receiver::hit& h) {
  std::string data;
  char buf[65536];
  std::size_t head_end = std::string::npos;
  std::size_t length = 0;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) return false;
    const auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    data.append(buf, static_cast<std::size_t>(n));
    if (head_end == std::string::npos) {
      head_end = data.find("\r\n\r\n");
      if (head_end == std::string::npos) continue;
      std::istringstream lines(data.substr(0, head_end));
      std::string line;
      std::getline(lines, line);
      std::istringstream first(line);
      std::string method;
      first >> method >> h.target;
      while (std::getline(lines, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        auto value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        h.headers[lower(line.substr(0, colon))] = value;
      }
      length = h.headers.count("content-length") ? std::stoul(h.headers["content-length"]) : 0;
    }
    if (data.size() >= head_end + 4 + length) {
      h.body = data.substr(head_end + 4, length);
      return true;
    }
  }
}

std::optional<std::string> decode_base64(const std::string& text) {
  std::string out(text.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t pad = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

}  // namespace

webhook_receiver::webhook_receiver(std::vector<int> statuses, std::string location)
    : statuses_(std::move(statuses)), location_(std::move(location)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0)
    throw std::runtime_error("webhook receiver: cannot listen");
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

webhook_receiver::~webhook_receiver() {
  stop_ = true;
  thread_.join();
  for (int fd : hanging_) ::close(fd);
  ::close(listen_fd_);
}

std::string webhook_receiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<webhook_receiver::hit> webhook_receiver::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

bool webhook_receiver::wait_for(std::size_t n, std::chrono::milliseconds timeout) const {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    {
      std::lock_guard lock(mutex_);
      if (hits_.size() >= n) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

void webhook_receiver::set_statuses(std::vector<int> statuses) {
  std::lock_guard lock(mutex_);
  statuses_ = std::move(statuses);
  answered_ = 0;
}

void webhook_receiver::serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    hit h;
    if (read_request(fd, h)) {
      int status = 200;
      {
        std::lock_guard lock(mutex_);
        if (!statuses_.empty()) status = statuses_[std::min(answered_, statuses_.size() - 1)];
        ++answered_;
        hits_.push_back(h);
      }
      if (status == 0) {
        hanging_.push_back(fd);
        continue;
      }
      std::string res = "HTTP/1.1 " + std::to_string(status) + " Scripted\r\nContent-Length: 2\r\nConnection: close\r\n";
      if (status >= 300 && status < 400) res += "Location: " + location_ + "\r\n";
      res += "\r\nok";
      [[maybe_unused]] auto w = ::write(fd, res.data(), res.size());
    }
    ::close(fd);
  }
}

bool verify_standard_webhook(const std::string& secret, const webhook_receiver::hit& h) {
  const auto get = [&](const char* k) { return h.headers.count(k) ? h.headers.at(k) : std::string(); };
  const auto id = get("webhook-id"), ts = get("webhook-timestamp"), sigs = get("webhook-signature");
  if (id.empty() || ts.empty() || sigs.empty() || secret.rfind("whsec_", 0) != 0) return false;
  const long long t = std::stoll(ts);
  const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
  if (std::llabs(now - t) > 300) return false;
  const auto key = decode_base64(secret.substr(6));
  if (!key) return false;
  const std::string content = id + "." + ts + "." + h.body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  HMAC(EVP_sha256(), key->data(), static_cast<int>(key->size()), reinterpret_cast<const unsigned char*>(content.data()),
       content.size(), mac, &len);
  std::istringstream entries(sigs);
  std::string entry;
  while (entries >> entry) {
    if (entry.rfind("v1,", 0) != 0) continue;
    const auto got = decode_base64(entry.substr(3));
    if (got && got->size() == len && CRYPTO_memcmp(got->data(), mac, len) == 0) return true;
  }
  return false;
}

}  // namespace helpdesk::testing
