#include "helpdesk/http/client.hpp"

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>

namespace helpdesk::http {
namespace {

using clock = std::chrono::steady_clock;

// What a receiver says back is read only up to here: its body is not used.
constexpr std::size_t response_limit = 64 * 1024;

template <class Stream>
awaitable<outbound_result> exchange(Stream& stream, const outbound_post& req) {
  bhttp::request<bhttp::string_body> msg{bhttp::verb::post, req.url.target, 11};
  const bool default_port = req.url.port == (req.url.scheme == "https" ? 443 : 80);
  std::string host = req.url.host.find(':') != std::string::npos ? "[" + req.url.host + "]" : req.url.host;
  if (!default_port) host += ":" + std::to_string(req.url.port);
  msg.set(bhttp::field::host, host);
  msg.set(bhttp::field::user_agent, "Helpdesk-Webhooks/1");
  msg.set(bhttp::field::content_type, req.content_type);
  msg.set(bhttp::field::connection, "close");
  for (const auto& [k, v] : req.headers) msg.set(k, v);
  msg.body() = req.body;
  msg.prepare_payload();
  co_await bhttp::async_write(stream, msg, asio::use_awaitable);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(response_limit);
  parser.header_limit(16 * 1024);
  boost::system::error_code ec;
  co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  // An answer whose body is too large or cut short still has its status.
  if (ec && !parser.is_header_done()) throw boost::system::system_error(ec);
  outbound_result out;
  const auto& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  if (*out.status >= 300 && *out.status < 400) {
    out.location = std::string(res[bhttp::field::location]);
    out.error = "Redirect to " + (out.location.empty() ? std::string("nowhere") : out.location) + " not followed.";
  } else if (*out.status < 200 || *out.status >= 300) {
    out.error = "The endpoint answered " + std::to_string(*out.status) + ".";
  }
  co_return out;
}

}  // namespace

tls_client_context::tls_client_context() : ctx_(std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client)) {
  ctx_->set_default_verify_paths();
  ctx_->set_verify_mode(asio::ssl::verify_peer);
}
tls_client_context::~tls_client_context() = default;

awaitable<outbound_result> post(const outbound_post& req, const address_check& allow, tls_client_context& tls) {
  const auto started = clock::now();
  outbound_result out;
  auto finish = [&](outbound_result r) {
    r.latency = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started);
    return r;
  };
  auto ex = co_await asio::this_coro::executor;
  try {
    tcp::resolver resolver(ex);
    asio::steady_timer deadline(ex);
    std::vector<tcp::endpoint> endpoints;
    std::string refused;
    const auto results =
        co_await resolver.async_resolve(req.url.host, std::to_string(req.url.port), asio::use_awaitable);
    for (const auto& r : results) {
      if (auto why = allow(r.endpoint().address())) {
        refused = "The address " + r.endpoint().address().to_string() + " of " + req.url.host + " is refused: " + *why;
        continue;
      }
      endpoints.push_back(r.endpoint());
    }
    if (endpoints.empty()) {
      out.error = refused.empty() ? "The host " + req.url.host + " has no address." : refused;
      co_return finish(out);
    }
    if (req.url.scheme == "https") {
      beast::ssl_stream<beast::tcp_stream> stream(ex, tls.get());
      beast::get_lowest_layer(stream).expires_after(req.timeout);
      if (!req.url.ip_literal && !SSL_set_tlsext_host_name(stream.native_handle(), req.url.host.c_str()))
        throw std::runtime_error("cannot set the TLS server name");
      stream.set_verify_callback(asio::ssl::host_name_verification(req.url.host));
      co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::use_awaitable);
      co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
      out = co_await exchange(stream, req);
      boost::system::error_code ignored;
      beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
    } else {
      beast::tcp_stream stream(ex);
      stream.expires_after(req.timeout);
      co_await stream.async_connect(endpoints, asio::use_awaitable);
      out = co_await exchange(stream, req);
      boost::system::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
  } catch (const boost::system::system_error& e) {
    out.status.reset();
    out.error = e.code() == beast::error::timeout ? "No answer within " + std::to_string(req.timeout.count()) + " ms."
                                                  : "Delivery failed: " + e.code().message() + ".";
  } catch (const std::exception& e) {
    out.status.reset();
    out.error = std::string("Delivery failed: ") + e.what();
  }
  co_return finish(out);
}

}  // namespace helpdesk::http
