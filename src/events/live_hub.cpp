#include "helpdesk/events/live_hub.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

namespace helpdesk::events {

std::string sse_frame(const store::relay::feed_row& r) {
  const nlohmann::json data = {{"seq", r.seq},
                               {"type", r.event_type},
                               {"ticket_id", r.ticket_id ? nlohmann::json(*r.ticket_id) : nlohmann::json(nullptr)},
                               {"brand_id", r.brand_id},
                               {"at", format_rfc3339(r.at)},
                               {"data", nlohmann::json::parse(r.data_json, nullptr, false)}};
  return "id: " + std::to_string(r.seq) + "\nevent: " + r.event_type + "\ndata: " + data.dump() + "\n\n";
}

void subscriber::push(const frame& f) {
  {
    std::lock_guard lock(mutex_);
    rows_.push_back(f);
  }
  ring();
}

void subscriber::close() {
  closed_ = true;
  ring();
}

void subscriber::ring() {
  // The timer belongs to the stream's executor: cancel it there, if the
  // stream still exists by then.
  asio::post(wake_.get_executor(), [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->wake_.cancel();
  });
}

awaitable<void> subscriber::wait(std::chrono::milliseconds timeout) {
  {
    std::lock_guard lock(mutex_);
    if (!rows_.empty() || closed_) co_return;
  }
  wake_.expires_after(timeout);
  beast::error_code ec;
  co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

std::vector<frame> subscriber::take() {
  std::lock_guard lock(mutex_);
  std::vector<frame> out(std::make_move_iterator(rows_.begin()), std::make_move_iterator(rows_.end()));
  rows_.clear();
  return out;
}

live_hub::live_hub(store::db_pool& db, hub_options opts) : db_(db), opts_(std::move(opts)) {}

live_hub::~live_hub() {
  stopping_ = true;
  if (listener_.joinable()) listener_.join();
}

void live_hub::start(asio::io_context& ioc) {
  if (loop_) return;
  loop_ = std::make_unique<app::background_loop>(ioc, "live", opts_.poll, std::chrono::milliseconds(5),
                                                 [this]() -> awaitable<void> { co_await pass(); });
  loop_->start();
  if (!opts_.database_url.empty()) listener_ = std::thread([this] { listen_loop(); });
}

void live_hub::stop() {
  stopping_ = true;
  if (loop_) loop_->stop();
  std::lock_guard lock(mutex_);
  for (auto& [agent, s] : by_agent_) s->close();
}

void live_hub::finish() {
  loop_.reset();
  if (listener_.joinable()) listener_.join();
}

void live_hub::kick() {
  if (loop_) loop_->kick();
}

std::optional<live_hub::joined> live_hub::subscribe(const std::string& agent_id, asio::any_io_executor ex) {
  std::lock_guard lock(mutex_);
  if (seen_ < 0) return std::nullopt;
  auto s = std::make_shared<subscriber>(agent_id, ex);
  by_agent_.emplace(agent_id, s);
  if (stopping_) s->close();
  return joined{s, seen_};
}

void live_hub::unsubscribe(const std::shared_ptr<subscriber>& s) {
  std::lock_guard lock(mutex_);
  for (auto [it, end] = by_agent_.equal_range(s->agent_id()); it != end; ++it)
    if (it->second == s) {
      by_agent_.erase(it);
      return;
    }
}

std::size_t live_hub::streams() const {
  std::lock_guard lock(mutex_);
  return by_agent_.size();
}

awaitable<std::vector<store::relay::feed_row>> live_hub::since(std::string agent_id, long long after_seq) {
  auto job = [agent_id, after_seq, limit = static_cast<long long>(opts_.backlog)](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return store::relay::feed_after(tx, after_seq, agent_id, limit);
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<long long> live_hub::head() {
  auto job = [](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return store::relay::feed_head(tx);
  };
  co_return co_await db_.run(std::move(job));
}

// Rows are handed out and the mark moved under one lock, so a stream that
// joins at mark M gets exactly the rows after M.
awaitable<void> live_hub::pass() {
  bool idle = false;
  long long after = 0;
  {
    std::lock_guard lock(mutex_);
    idle = seen_ < 0 || by_agent_.empty();
    after = seen_;
  }
  if (idle) {
    // Nobody listens here: move the mark to the head without reading rows.
    const long long h = co_await head();
    std::lock_guard lock(mutex_);
    if (seen_ < 0 || by_agent_.empty()) seen_ = std::max(seen_, h);
    if (!by_agent_.empty()) kick();
    co_return;
  }
  for (int round = 0; round < 20; ++round) {
    auto job = [after](pqxx::connection_base& c) {
      pqxx::read_transaction tx(c);
      return store::relay::feed_after(tx, after, "", 5000);
    };
    auto rows = co_await db_.run(std::move(job));
    if (rows.empty()) co_return;
    const bool full = rows.size() == 5000;
    // The rows of one event (one per agent) share a number: a cut page
    // leaves its last event whole for the next round.
    if (full && rows.front().seq != rows.back().seq) {
      const long long cut = rows.back().seq;
      while (rows.back().seq == cut) rows.pop_back();
    }
    {
      std::lock_guard lock(mutex_);
      for (const auto& r : rows) {
        auto [it, end] = by_agent_.equal_range(r.agent_id);
        if (it == end) continue;
        const frame f{r.seq, std::make_shared<const std::string>(sse_frame(r))};
        for (; it != end; ++it) it->second->push(f);
      }
      seen_ = rows.back().seq;
      after = seen_;
    }
    if (!full) co_return;
  }
}

namespace {

class feed_listener final : public pqxx::notification_receiver {
 public:
  feed_listener(pqxx::connection_base& c, live_hub& hub) : pqxx::notification_receiver(c, "helpdesk_feed"), hub_(hub) {}
  void operator()(const std::string&, int) override { hub_.kick(); }

 private:
  live_hub& hub_;
};

}  // namespace

void live_hub::listen_loop() {
  while (!stopping_) {
    try {
      pqxx::connection c(opts_.database_url);
      feed_listener listener(c, *this);
      kick();  // anything sent while not listening is read now
      while (!stopping_) c.await_notification(0, 200000);
    } catch (const std::exception& ex) {
      if (stopping_) break;
      spdlog::warn("live updates: listening for notifications failed, polling until it works again: {}", ex.what());
      for (int i = 0; i < 20 && !stopping_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

}  // namespace helpdesk::events
