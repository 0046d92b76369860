#include "helpdesk/http/server.hpp"

#include <spdlog/spdlog.h>

#include <limits>
#include <random>

#include "access_log.hpp"
#include "helpdesk/http/problem.hpp"

namespace helpdesk::http {
namespace {

using clock = std::chrono::steady_clock;

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

std::string bearer_of(const request& req) {
  auto it = req.find(bhttp::field::authorization);
  if (it == req.end()) return {};
  std::string_view v = it->value();
  constexpr std::string_view scheme = "Bearer ";
  if (v.size() <= scheme.size() || !beast::iequals(v.substr(0, scheme.size()), scheme)) return {};
  v.remove_prefix(scheme.size());
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  return std::string(v);
}

std::string allow_header(const std::vector<bhttp::verb>& verbs) {
  std::string out;
  for (auto v : verbs) {
    if (!out.empty()) out += ", ";
    out += std::string(bhttp::to_string(v));
    if (v == bhttp::verb::get) out += ", HEAD";
  }
  return out;
}

}  // namespace

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string id(16, '0');
  auto v = rng();
  for (auto& c : id) {
    c = hex[v & 15];
    v >>= 4;
  }
  return id;
}

response make_response(bhttp::status status, std::string body, std::string_view content_type, unsigned version) {
  response res{status, version};
  res.set(bhttp::field::content_type, content_type);
  res.set(bhttp::field::cache_control, "no-store");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

struct server::connection {
  explicit connection(tcp::socket s) : stream(std::move(s)) {}
  beast::tcp_stream stream;
  bool idle = true;  // waiting for the first byte of a request; touched on the strand only
  std::uint64_t id = 0;
};

server::server(asio::io_context& ioc, server_options opts, const router& routes, authenticator auth, metrics& m)
    // The accept loop and the close at shutdown share the acceptor's strand.
    : ioc_(ioc), opts_(std::move(opts)), routes_(routes), auth_(std::move(auth)), metrics_(m),
      acceptor_(asio::make_strand(ioc)) {}

server::~server() = default;

void server::start() {
  tcp::endpoint ep{asio::ip::make_address(opts_.host), opts_.port};
  acceptor_.open(ep.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  bound_port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
}

awaitable<void> server::accept_loop() {
  for (;;) {
    beast::error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(asio::make_strand(ioc_), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) co_return;
      // Out of descriptors (EMFILE/ENFILE) leaves the listener readable:
      // retrying at once would spin a core. Back off briefly.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (open_.load() >= opts_.max_connections) {
      // Over the cap: refuse at once rather than queueing work we cannot serve.
      metrics_.connection_rejected();
      socket.close(ec);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto c = std::make_shared<connection>(std::move(socket));
    {
      std::lock_guard lock(registry_mutex_);
      c->id = ++next_id_;
      registry_[c->id] = c;
    }
    ++open_;
    metrics_.connection_opened();
    auto ex = c->stream.get_executor();
    asio::co_spawn(ex, serve(std::move(c)), asio::detached);
  }
}

namespace {

// Feeds already-buffered bytes to the parser without any I/O. Most requests
// arrive whole in one segment, so this usually completes them with no
// further system call or timer.
void parse_buffered(bhttp::request_parser<bhttp::string_body>& parser, beast::flat_buffer& buffer,
                    beast::error_code& ec) {
  while (buffer.size() > 0 && !parser.is_done()) {
    const bool header_was_done = parser.is_header_done();
    auto used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == bhttp::error::need_more) {
      ec = {};
      return;
    }
    if (ec || used == 0) return;
    if (!header_was_done && parser.is_header_done() && !parser.eager()) return;
  }
}

// Writes without waiting when the socket has room (the common case); only a
// slow reader costs a timer and an asynchronous write.
awaitable<void> write_response(beast::tcp_stream& stream, response& res, std::chrono::milliseconds timeout,
                               beast::error_code& ec) {
  bhttp::serializer<false, bhttp::string_body> sr(res);
  auto& sock = stream.socket();
  sock.non_blocking(true, ec);
  if (!ec) bhttp::write(sock, sr, ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    ec = {};
    stream.expires_after(timeout);
    co_await bhttp::async_write(stream, sr, asio::redirect_error(asio::use_awaitable, ec));
  }
}

}  // namespace

awaitable<void> server::serve(std::shared_ptr<connection> c) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  std::string remote;
  {
    auto ep = c->stream.socket().remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
  }
  try {
    for (;;) {
      c->idle = true;
      if (stopping_) break;
      if (buffer.size() == 0) {
        // Idle keep-alive: wait for the next request's first bytes.
        c->stream.expires_after(opts_.idle_timeout);
        auto n = co_await c->stream.async_read_some(buffer.prepare(65536), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
        buffer.commit(n);
      }
      c->idle = false;

      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(opts_.header_limit));
      // The body limit depends on the route, known only once the header is
      // in: until then let any declared length through the header parser.
      parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      parse_buffered(parser, buffer, ec);
      if (!ec && !parser.is_header_done()) {
        // Headers must arrive whole within header_timeout: a slow client
        // loses its connection, nobody else notices.
        c->stream.expires_after(opts_.header_timeout);
        co_await bhttp::async_read_header(c->stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      }
      const auto started = clock::now();
      // Refusals before a request exists: say why, then close. The write has
      // its own short deadline, so a dead peer costs nothing.
      std::optional<error> refusal;
      const bool hung_up = ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message;
      if (ec == bhttp::error::header_limit)
        refusal = error(errc::header_too_large,
                        "The request header block exceeds " + std::to_string(opts_.header_limit) + " bytes.");
      else if (ec == beast::error::timeout)
        refusal = error(errc::request_timeout, "The request headers did not arrive within " +
                                                   std::to_string(opts_.header_timeout.count()) + " ms.");
      else if (!hung_up && ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category())
        refusal = error(errc::bad_request, "The request is not valid HTTP/1.1: " + ec.message() + ".");
      if (refusal) {
        const std::string request_id = new_request_id();
        auto res = make_problem(*refusal, request_id, "", 11);
        res.keep_alive(false);
        res.set("X-Request-Id", request_id);
        co_await write_response(c->stream, res, std::chrono::milliseconds(1000), ec);
        metrics_.observe(nullptr, res.result_int(), 0);
        log_access("-", "(unmatched)", "-", res.result_int(), 0, request_id, remote);
        break;
      }
      if (ec) break;  // reset or end of stream: nobody to answer

      const auto& head = parser.get();
      std::string request_id = valid_request_id(head["X-Request-Id"]) ? std::string(head["X-Request-Id"])
                                                                      : new_request_id();
      std::string_view target = head.target();
      std::string path(target.substr(0, target.find('?')));
      // HEAD is GET without the body (load balancers probe with it).
      const bool head_request = head.method() == bhttp::verb::head;
      match_result m = routes_.match(head_request ? bhttp::verb::get : head.method(), path);

      // Refuse an oversized body from its declared length, before reading it.
      std::size_t limit = m.found && m.found->body_limit ? m.found->body_limit : opts_.body_limit;
      std::optional<error> early;
      if (auto len = parser.content_length(); len && *len > limit)
        early = error(errc::payload_too_large, "The request body of " + std::to_string(*len) +
                                                   " bytes exceeds the limit of " + std::to_string(limit) + " bytes.");
      if (!early && !parser.is_done()) {
        parser.body_limit(limit);
        parser.eager(true);
        if (beast::iequals(head[bhttp::field::expect], "100-continue")) {
          // The client waits for this before sending the body.
          static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
          c->stream.expires_after(opts_.write_timeout);
          co_await asio::async_write(c->stream, asio::buffer(go_on.data(), go_on.size()),
                                     asio::redirect_error(asio::use_awaitable, ec));
          if (ec) break;
        }
        parse_buffered(parser, buffer, ec);
        if (!ec && !parser.is_done()) {
          c->stream.expires_after(opts_.body_timeout);
          co_await bhttp::async_read(c->stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        }
        if (ec == bhttp::error::body_limit)
          early = error(errc::payload_too_large,
                        "The request body exceeds the limit of " + std::to_string(limit) + " bytes.");
        else if (ec)
          break;
      }

      response res;
      const request& req = parser.get();
      std::function<awaitable<void>(beast::tcp_stream&)> stream_body;
      if (early) {
        res = make_problem(*early, request_id, path, req.version());
        res.keep_alive(false);  // the unread body is still on the wire
      } else {
        request_context ctx{req, request_id, remote, nullptr, {}, std::nullopt};
        res = co_await dispatch(ctx, m);
        res.keep_alive(req.keep_alive() && !stopping_);
        if (res.result() == bhttp::status::ok && !head_request) stream_body = std::move(ctx.stream_body);
      }
      res.set("X-Request-Id", request_id);
      if (head_request) {
        const auto length = res.body().size();
        res.body().clear();
        res.content_length(length);  // what GET would send; no body follows
      }
      const unsigned status = res.result_int();
      const bool keep_alive = res.keep_alive();

      if (stream_body) res.keep_alive(false);
      co_await write_response(c->stream, res, opts_.write_timeout, ec);
      const double secs = std::chrono::duration<double>(clock::now() - started).count();
      metrics_.observe(m.found, status, secs);
      if (on_change_ && m.found && status < 400 && req.method() != bhttp::verb::get && !head_request)
        on_change_(m.found->path);
      log_access(bhttp::to_string(req.method()), m.found ? std::string_view(m.found->path) : "(unmatched)", path,
                 status, secs * 1000.0, request_id, remote);
      if (!ec && stream_body) {
        c->stream.expires_never();
        co_await stream_body(c->stream);
        break;
      }
      if (ec || !keep_alive) break;
    }
  } catch (const std::exception& ex) {
    spdlog::error("connection failed: {}", ex.what());
  }
  c->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  c->stream.close();
  {
    std::lock_guard lock(registry_mutex_);
    registry_.erase(c->id);
  }
  --open_;
  metrics_.connection_closed();
}

awaitable<response> server::dispatch(request_context& ctx, const match_result& m) {
  const request& req = ctx.req;
  std::optional<error> failure;
  try {
    if (!m.found) {
      if (m.path_exists) {
        error e(errc::method_not_allowed, std::string(bhttp::to_string(req.method())) + " is not allowed on " +
                                              std::string(ctx.path()) + ".");
        auto res = make_problem(e, ctx.request_id, ctx.path(), req.version());
        res.set(bhttp::field::allow, allow_header(m.allowed));
        co_return res;
      }
      throw error(errc::not_found, "No resource at " + std::string(ctx.path()) + ".");
    }
    ctx.matched = m.found;
    ctx.params = m.params;
    const route& r = *m.found;
    if (!r.roles.empty()) {
      std::string bearer = bearer_of(req);
      if (bearer.empty()) throw error(errc::unauthorized, "A bearer token is required (Authorization: Bearer ...).");
      ctx.who = co_await auth_(bearer);
      if (!r.roles.contains(ctx.who->role_))
        throw error(errc::forbidden, "The role '" + std::string(to_string(ctx.who->role_)) +
                                         "' may not " + std::string(bhttp::to_string(req.method())) + " " + r.path +
                                         ".");
    }
    co_return co_await r.fn(ctx);
  } catch (const error& e) {
    failure = e;
  } catch (const std::exception& ex) {
    spdlog::error("request {} {} failed: {}", ctx.request_id, std::string(ctx.path()), ex.what());
    failure = error(errc::internal, "An unexpected error occurred; quote request id " + ctx.request_id + ".");
  }
  co_return make_problem(*failure, ctx.request_id, ctx.path(), req.version());
}

void server::close_connections(bool only_idle) {
  std::vector<std::shared_ptr<connection>> live;
  {
    std::lock_guard lock(registry_mutex_);
    for (auto& [id, weak] : registry_)
      if (auto c = weak.lock()) live.push_back(std::move(c));
  }
  for (auto& c : live) {
    auto close = [c, only_idle] {
      if (!only_idle || c->idle) {
        beast::error_code ignored;
        c->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        c->stream.socket().close(ignored);
      }
    };
    asio::post(c->stream.get_executor(), std::move(close));
  }
}

void server::begin_shutdown(std::function<void()> done) {
  if (stopping_.exchange(true)) return;
  auto stop_accepting = [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  };
  asio::post(acceptor_.get_executor(), std::move(stop_accepting));
  close_connections(true);
  asio::co_spawn(ioc_, drain(std::move(done)), asio::detached);
}

awaitable<void> server::drain(std::function<void()> done) {
  const auto deadline = clock::now() + opts_.drain_timeout;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (open_.load() > 0 && clock::now() < deadline) {
    // Connections that finished a request while we waited are idle now.
    close_connections(true);
    timer.expires_after(std::chrono::milliseconds(25));
    co_await timer.async_wait(asio::use_awaitable);
  }
  if (open_.load() > 0) {
    spdlog::warn("drain deadline reached with {} connection(s) open; closing them", open_.load());
    close_connections(false);
    // A connection still waiting on the database cannot be cancelled; give
    // it a bounded moment, then stop regardless.
    const auto hard_deadline = clock::now() + std::chrono::seconds(5);
    while (open_.load() > 0 && clock::now() < hard_deadline) {
      timer.expires_after(std::chrono::milliseconds(10));
      co_await timer.async_wait(asio::use_awaitable);
    }
    if (open_.load() > 0) {
      spdlog::error("{} connection(s) still busy 5 s after the drain deadline; stopping the event loop", open_.load());
      ioc_.stop();
      co_return;
    }
  }
  done();
}

}  // namespace helpdesk::http
