// GET /v1/stream: Server-Sent Events for the signed-in agent.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "handlers.hpp"

namespace helpdesk::api {
namespace {

using clock = std::chrono::steady_clock;

std::optional<long long> last_event_id(const http::request_context& ctx) {
  std::string raw(ctx.req["Last-Event-ID"]);
  const char* pointer = "/headers/Last-Event-ID";
  if (raw.empty()) {
    raw = ctx.query("last_event_id").value_or("");
    pointer = "/query/last_event_id";
  }
  if (raw.empty()) return std::nullopt;
  try {
    std::size_t used = 0;
    const long long v = std::stoll(raw, &used);
    if (used == raw.size() && v >= 0) return v;
  } catch (const std::exception&) {
  }
  throw error::validation({{pointer, "must be the id of an event this stream sent"}});
}

struct stream_state {
  env& e;
  principal who;
  std::shared_ptr<events::subscriber> sub;
  long long start = 0;
  std::optional<long long> resume_from;
  clock::time_point joined_at;  // just after the stream joined the hub
};

awaitable<bool> send(beast::tcp_stream& s, const std::string& text) {
  beast::error_code ec;
  s.expires_after(std::chrono::seconds(10));
  co_await asio::async_write(s, asio::buffer(text), asio::redirect_error(asio::use_awaitable, ec));
  co_return !ec;
}

// The counts of one agent, shared by its streams for a second: an agent with
// many tabs (or thousands of streams reconnecting at once) costs one count.
// The streams that wait for another one's count are woken when it lands; they
// used to poll every 5 ms, and 5,000 streams of one agent polling through a
// 50 ms count kept both I/O threads busy while events waited to go out.
struct cached_count {
  clock::time_point started;   // when its read began: what it can reflect
  clock::time_point finished;  // when it landed: how long it is reused
  store::views::counts counts;
};
struct counts_cache {
  std::mutex mutex;
  std::map<std::string, cached_count> by_agent;
  // Agents whose counts are being read, with the wake-ups of the streams waiting for them.
  std::map<std::string, std::vector<std::function<void()>>> counting;
};
counts_cache& cached_counts() {
  static counts_cache cache;
  return cache;
}

// The agent's counts if read (begun) at or after `not_before` and within the
// last second. Otherwise the caller either becomes the one to read them
// (`leader`) or, with `wake` given, is woken once they are stored.
std::optional<store::views::counts> recent_counts(counts_cache& cache, const std::string& agent,
                                                  clock::time_point not_before, bool& leader,
                                                  std::function<void()> wake = {}) {
  std::lock_guard lock(cache.mutex);
  auto it = cache.by_agent.find(agent);
  if (it != cache.by_agent.end() && it->second.started >= not_before &&
      clock::now() - it->second.finished < std::chrono::seconds(1))
    return it->second.counts;
  auto [waiting, fresh] = cache.counting.try_emplace(agent);
  leader = fresh;
  if (!fresh && wake) waiting->second.push_back(std::move(wake));
  return std::nullopt;
}

// `not_before`: counts read before then may miss what the stream is telling
// them about (an event that changed them).
awaitable<std::string> views_event(env& e, const principal& who, clock::time_point not_before) {
  auto& cache = cached_counts();
  bool leader = false;
  auto known = recent_counts(cache, who.agent_id, not_before, leader);
  if (!known && !leader) {
    // The stream's coroutine and the posted cancel share the connection's
    // strand, so a wake-up cannot land before the wait has begun. The timeout
    // bounds a slow reader: after 2 s the stream reads for itself.
    auto pause = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor);
    const auto wake = [pause] { asio::post(pause->get_executor(), [pause] { pause->cancel(); }); };
    known = recent_counts(cache, who.agent_id, not_before, leader, wake);
    for (int i = 0; i < 40 && !known && !leader; ++i) {
      pause->expires_after(std::chrono::milliseconds(50));
      beast::error_code ec;
      co_await pause->async_wait(asio::redirect_error(asio::use_awaitable, ec));
      // Woken, the stream's wake-up was used up with the reader's entry: it
      // registers again with whoever reads next. After a timeout it is still
      // registered with the slow reader.
      const bool woken = ec == asio::error::operation_aborted;
      known = recent_counts(cache, who.agent_id, not_before, leader, woken ? wake : std::function<void()>{});
    }
  }
  if (!known) {
    const auto started = clock::now();
    std::optional<store::views::counts> read;
    std::exception_ptr failure;
    try {
      read = co_await e.svc.workspace.view_counts(who, 3600);
    } catch (...) {
      failure = std::current_exception();
    }
    std::vector<std::function<void()>> waiting;
    {
      std::lock_guard lock(cache.mutex);
      // A stream that gave up waiting reads for itself only: the entry and
      // its waiters stay with the reader that made it.
      if (auto it = cache.counting.find(who.agent_id); leader && it != cache.counting.end()) {
        waiting = std::move(it->second);
        cache.counting.erase(it);
      }
      if (!failure) {
        if (cache.by_agent.size() > 100000) cache.by_agent.clear();  // bounded: agents come and go
        auto& kept = cache.by_agent[who.agent_id];
        if (started >= kept.started) kept = {started, clock::now(), *read};
      }
    }
    // On a failure the waiters wake too, and one of them reads in turn.
    for (auto& w : waiting) w();
    if (failure) std::rethrow_exception(failure);
    known = read;
  }
  const auto& c = *known;
  json data = {{"mine", c.mine}, {"unassigned", c.unassigned}, {"breaching", c.breaching}, {"callbacks", c.callbacks}};
  co_return "event: views\ndata: " + data.dump() + "\n\n";
}

awaitable<void> run_stream(std::shared_ptr<stream_state> st, beast::tcp_stream& s) {
  auto& hub = *st->e.live;
  try {
    std::string hello = "retry: 2000\n\n";
    // Rows up to here are sent; live ones at or below it are repeats.
    long long sent = st->start;
    if (st->resume_from) {
      // What the agent missed while disconnected, from the feed itself: the
      // hub may not have seen the newest rows yet.
      auto missed = co_await hub.since(st->who.agent_id, *st->resume_from);
      for (const auto& r : missed) {
        hello += events::sse_frame(r);
        sent = std::max(sent, r.seq);
      }
      if (!missed.empty() && missed.size() >= 1000)
        hello += "event: reset\ndata: {\"reason\": \"more events were missed than a stream replays; reload\"}\n\n";
    } else {
      hello += "id: " + std::to_string(st->start) + "\nevent: ready\ndata: {\"seq\": " + std::to_string(st->start) + "}\n\n";
    }
    // Counts read before the stream joined may predate an event it never gets.
    hello += co_await views_event(st->e, st->who, st->joined_at);
    bool open = co_await send(s, hello);
    auto last_write = clock::now();
    auto counts_due = clock::time_point::max();
    auto counts_after = clock::time_point::min();  // the last event not yet reflected in sent counts
    const auto heartbeat = std::chrono::duration_cast<std::chrono::milliseconds>(st->e.heartbeat);
    while (open && !st->sub->closed()) {
      auto wait = heartbeat - std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - last_write);
      if (counts_due != clock::time_point::max())
        wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(counts_due - clock::now()));
      co_await st->sub->wait(std::max(wait, std::chrono::milliseconds(1)));
      std::string out;
      for (const auto& f : st->sub->take()) {
        if (f.seq <= sent) continue;
        sent = f.seq;
        out += *f.text;
        // Counts change with the agent's events; tell them a moment later, once.
        counts_after = clock::now();
        if (counts_due == clock::time_point::max()) counts_due = counts_after + std::chrono::milliseconds(500);
      }
      if (clock::now() >= counts_due) {
        out += co_await views_event(st->e, st->who, counts_after);
        counts_due = clock::time_point::max();
      }
      if (out.empty() && clock::now() - last_write >= heartbeat) out = ": keep-alive\n\n";
      if (!out.empty()) {
        open = co_await send(s, out);
        last_write = clock::now();
      }
    }
  } catch (const std::exception&) {
    // A database hiccup ends the stream; the client reconnects with Last-Event-ID.
  }
  hub.unsubscribe(st->sub);
}

}  // namespace

HELPDESK_HANDLER(get_stream) {
  const auto& who = ctx.caller();
  if (who.agent_id.empty())
    throw error(errc::forbidden, "Live updates are for signed-in agents: sign in with POST /v1/auth/login.");
  if (!e.live) throw error::unavailable("Live updates are off in this process.", 5);
  const auto resume_from = last_event_id(ctx);
  auto ex = co_await asio::this_coro::executor;
  std::optional<events::live_hub::joined> joined;
  asio::steady_timer pause(ex);
  for (int i = 0; i < 60 && !(joined = e.live->subscribe(who.agent_id, ex)); ++i) {
    // The hub reads the feed's head once at start; a stream opened in that moment waits for it.
    pause.expires_after(std::chrono::milliseconds(50));
    beast::error_code ec;
    co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (!joined) throw error::unavailable("Live updates are starting; try again.", 1);
  auto st = std::make_shared<stream_state>(stream_state{e, who, joined->stream, joined->start, resume_from, clock::now()});
  response res{bhttp::status::ok, ctx.req.version()};
  res.set(bhttp::field::content_type, "text/event-stream; charset=utf-8");
  res.set(bhttp::field::cache_control, "no-store");
  res.set("X-Accel-Buffering", "no");
  ctx.stream_body = [st](beast::tcp_stream& s) { return run_stream(st, s); };
  co_return res;
}

}  // namespace helpdesk::api
