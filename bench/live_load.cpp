// Load for the workspace benchmark, in two modes:
//   live_load streams PORT TOKEN STREAMS EVENTS TICKET_ID
//     holds STREAMS open GET /v1/stream connections for one agent, then posts
//     EVENTS internal notes mentioning nobody on TICKET_ID (the agent is its
//     assignee, so every stream hears of each note) and measures, per stream
//     and note, the time from the note's 201 to its event on the stream.
//   live_load receiver PORT SECONDS [EXPECTED]
//     a webhook receiver that answers 200 at once; prints how many requests it
//     got and the deliveries per second between the first and the last.
// Prints `name value unit` lines.
// <utility> first: Boost 1.74 Asio needs std::exchange declared (g++ 12).
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

struct shared_state {
  std::mutex mutex;
  std::map<std::string, clock_type::time_point> posted;  // message id -> when its note was acknowledged
  std::vector<double> latencies_ms;
  std::atomic<int> ready{0};
  std::atomic<int> failed{0};
};

asio::awaitable<void> stream(tcp::endpoint ep, std::string token, shared_state& st) {
  auto ex = co_await asio::this_coro::executor;
  tcp::socket s(ex);
  beast::error_code ec;
  co_await s.async_connect(ep, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    ++st.failed;
    co_return;
  }
  std::string req = "GET /v1/stream HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer " + token + "\r\n\r\n";
  co_await asio::async_write(s, asio::buffer(req), asio::redirect_error(asio::use_awaitable, ec));
  std::string buf;
  bool counted = false;
  char chunk[8192];
  for (;;) {
    auto n = co_await s.async_read_some(asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    buf.append(chunk, n);
    if (!counted && buf.find("event: views") != std::string::npos) {
      counted = true;
      ++st.ready;
    }
    std::size_t end;
    while ((end = buf.find("\n\n")) != std::string::npos) {
      const std::string ev = buf.substr(0, end);
      buf.erase(0, end + 2);
      if (ev.find("event: note.created") == std::string::npos) continue;
      const auto at = ev.find("\"message\":{");
      const auto id_at = ev.find("\"id\":\"", at);
      if (at == std::string::npos || id_at == std::string::npos) continue;
      const std::string id = ev.substr(id_at + 6, 36);
      const auto now = clock_type::now();
      std::lock_guard lock(st.mutex);
      auto it = st.posted.find(id);
      if (it != st.posted.end())
        st.latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - it->second).count());
    }
  }
}

std::string post_note(const tcp::endpoint& ep, const std::string& token, const std::string& ticket) {
  asio::io_context ioc;
  tcp::socket s(ioc);
  s.connect(ep);
  http::request<http::string_body> req{http::verb::post, "/v1/tickets/" + ticket + "/notes", 11};
  req.set(http::field::host, "bench");
  req.set(http::field::authorization, "Bearer " + token);
  req.set(http::field::content_type, "application/json");
  req.body() = R"({"body_text": "bench note"})";
  req.prepare_payload();
  http::write(s, req);
  beast::flat_buffer b;
  http::response<http::string_body> res;
  http::read(s, b, res);
  const auto& body = res.body();
  const auto at = body.find("\"id\":\"");
  return at == std::string::npos ? "" : body.substr(at + 6, 36);
}

int streams_mode(unsigned short port, const std::string& token, int streams, int events, const std::string& ticket) {
  shared_state st;
  asio::io_context ioc;
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  for (int i = 0; i < streams; ++i) asio::co_spawn(ioc, stream(ep, token, st), asio::detached);
  std::thread runner([&] { ioc.run(); });
  for (int i = 0; i < 600 && st.ready + st.failed < streams; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::cout << "sse_clients " << st.ready.load() << " streams\n";
  for (int e = 0; e < events; ++e) {
    const auto id = post_note(ep, token, ticket);
    {
      std::lock_guard lock(st.mutex);
      st.posted[id] = clock_type::now();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const auto expected = static_cast<std::size_t>(st.ready.load()) * static_cast<std::size_t>(events);
  for (int i = 0; i < 100; ++i) {
    {
      std::lock_guard lock(st.mutex);
      if (st.latencies_ms.size() >= expected) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ioc.stop();
  runner.join();
  auto& l = st.latencies_ms;
  std::sort(l.begin(), l.end());
  auto pct = [&](double p) { return l.empty() ? 0.0 : l[std::min(l.size() - 1, static_cast<std::size_t>(p * l.size()))]; };
  std::cout << "sse_events_received " << l.size() << " of " << expected << "\n";
  std::cout << "sse_event_latency_p50_ms " << pct(0.50) << " ms\n";
  std::cout << "sse_event_latency_p99_ms " << pct(0.99) << " ms\n";
  return 0;
}

asio::awaitable<void> answer(tcp::socket s, std::atomic<long>& count, std::atomic<long long>& first_ns,
                             std::atomic<long long>& last_ns) {
  beast::flat_buffer b;
  beast::error_code ec;
  for (;;) {
    http::request<http::string_body> req;
    co_await http::async_read(s, b, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    const long long now = std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch()).count();
    long long expected = 0;
    first_ns.compare_exchange_strong(expected, now);
    last_ns = now;
    ++count;
    http::response<http::string_body> res{http::status::ok, 11};
    res.body() = "ok";
    res.prepare_payload();
    res.keep_alive(req.keep_alive());
    co_await http::async_write(s, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !req.keep_alive()) co_return;
  }
}

int receiver_mode(unsigned short port, int seconds, long expected) {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), port});
  std::atomic<long> count{0};
  std::atomic<long long> first{0}, last{0};
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    for (;;) {
      auto s = co_await acceptor.async_accept(asio::use_awaitable);
      asio::co_spawn(ioc, answer(std::move(s), count, first, last), asio::detached);
    }
  }, asio::detached);
  asio::steady_timer stop(ioc, std::chrono::seconds(seconds));
  stop.async_wait([&](beast::error_code) { ioc.stop(); });
  std::thread watch([&] {
    while (!ioc.stopped() && (expected <= 0 || count.load() < expected)) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ioc.stop();
  });
  ioc.run();
  watch.join();
  const double span = static_cast<double>(last - first) / 1e9;
  std::cout << "webhook_deliveries " << count.load() << " count\n";
  std::cout << "webhook_deliveries_per_s " << (span > 0 ? static_cast<double>(count.load()) / span : 0) << " deliveries/s\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() == 6 && a[0] == "streams")
    return streams_mode(static_cast<unsigned short>(std::stoi(a[1])), a[2], std::stoi(a[3]), std::stoi(a[4]), a[5]);
  if ((a.size() == 3 || a.size() == 4) && a[0] == "receiver")
    return receiver_mode(static_cast<unsigned short>(std::stoi(a[1])), std::stoi(a[2]), a.size() == 4 ? std::stol(a[3]) : 0);
  std::cerr << "usage: live_load streams PORT TOKEN STREAMS EVENTS TICKET_ID | live_load receiver PORT SECONDS [EXPECTED]\n";
  return 2;
}
