#pragma once
// Live updates for agents' streams (GET /v1/stream). The agent feed in the
// database is the source of truth; each process keeps one hub that learns of
// new feed rows from PostgreSQL LISTEN/NOTIFY (on its own connection and
// thread) and, should a notification be lost, from polling every tick, and
// hands each row to the streams of its agent. A stream that reconnects with
// Last-Event-ID reads what it missed from the feed first, so nothing is lost
// between two connections and nothing is sent twice.
#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "helpdesk/app/background_loop.hpp"
#include "helpdesk/store/db_pool.hpp"
#include "helpdesk/store/event_repos.hpp"

namespace helpdesk::events {

struct hub_options {
  std::string database_url;               // the LISTEN connection's
  std::chrono::milliseconds poll{1000};   // the fallback when a notification is lost
  std::size_t backlog = 1000;             // most rows one reconnect reads back
};

// One event as a stream sends it: "id:", "event:" and "data:" lines. A row is
// rendered once and the text shared by every stream of its agent.
struct frame {
  long long seq = 0;
  std::shared_ptr<const std::string> text;
};
std::string sse_frame(const store::relay::feed_row& row);

// One open stream. Rows arrive from the hub's thread; the stream's coroutine
// takes them on its own executor after a wake.
class subscriber : public std::enable_shared_from_this<subscriber> {
 public:
  subscriber(std::string agent_id, asio::any_io_executor ex) : agent_id_(std::move(agent_id)), wake_(ex) {}
  const std::string& agent_id() const { return agent_id_; }
  void push(const frame& f);
  void close();  // the server is stopping
  // Waits until rows arrive, the timeout passes or the stream is closed.
  awaitable<void> wait(std::chrono::milliseconds timeout);
  std::vector<frame> take();
  bool closed() const { return closed_.load(); }

 private:
  void ring();

  std::string agent_id_;
  asio::steady_timer wake_;
  std::mutex mutex_;
  std::deque<frame> rows_;
  std::atomic<bool> closed_{false};
};

class live_hub {
 public:
  live_hub(store::db_pool& db, hub_options opts);
  ~live_hub();
  void start(asio::io_context& ioc);
  void stop();    // closes every stream
  void finish();  // after the io_context stopped, before it is destroyed
  void kick();    // new feed rows may be there (a local relay just wrote some)

  // The stream is handed every feed row after `start` (the hub's mark when
  // it joined); nullopt until the hub has read the feed's head once.
  struct joined {
    std::shared_ptr<subscriber> stream;
    long long start = 0;
  };
  std::optional<joined> subscribe(const std::string& agent_id, asio::any_io_executor ex);
  void unsubscribe(const std::shared_ptr<subscriber>& s);
  // Feed rows of the agent after `after_seq` (a reconnect's catch-up).
  awaitable<std::vector<store::relay::feed_row>> since(std::string agent_id, long long after_seq);
  awaitable<long long> head();
  std::size_t streams() const;
  bool stopping() const { return stopping_.load(); }

 private:
  awaitable<void> pass();
  void listen_loop();

  store::db_pool& db_;
  hub_options opts_;
  std::unique_ptr<app::background_loop> loop_;
  mutable std::mutex mutex_;
  std::multimap<std::string, std::shared_ptr<subscriber>> by_agent_;
  long long seen_ = -1;  // the newest feed row handed out (under mutex_); -1 before the first pass
  std::atomic<bool> stopping_{false};
  std::thread listener_;
};

}  // namespace helpdesk::events
