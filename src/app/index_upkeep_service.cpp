#include "helpdesk/app/index_upkeep_service.hpp"

#include <spdlog/spdlog.h>

namespace helpdesk::app {

index_upkeep_service::index_upkeep_service(store::db_pool& db, index_upkeep_options opts) : db_(db), opts_(opts) {}
index_upkeep_service::~index_upkeep_service() = default;

void index_upkeep_service::start(asio::io_context& ioc) {
  if (opts_.tick.count() <= 0 || loop_) return;
  auto pass = [this]() -> awaitable<void> {
    const auto now = std::chrono::steady_clock::now();
    const bool brin = now >= brin_due_;
    const auto r = co_await run_once(brin);
    if (brin && r.ran) brin_due_ = now + opts_.brin_every;
    if (r.gin_pages > 0 || r.brin_ranges > 0)
      spdlog::debug("index upkeep: merged {} GIN pending pages, summarised {} BRIN ranges", r.gin_pages, r.brin_ranges);
  };
  // No gap of its own: the tick alone sets the pace (a pass, then `tick`).
  loop_ = std::make_unique<background_loop>(ioc, "index upkeep", opts_.tick, std::chrono::milliseconds(0),
                                            std::move(pass));
  loop_->start();
}

void index_upkeep_service::stop() {
  if (loop_) loop_->stop();
}

void index_upkeep_service::finish() { loop_.reset(); }

awaitable<store::index_upkeep::result> index_upkeep_service::run_once(bool brin) {
  auto job = [brin](pqxx::connection_base& c) { return store::index_upkeep::run(c, brin); };
  const auto r = co_await db_.run(std::move(job));
  if (r.ran) ++passes_;
  gin_pages_ += r.gin_pages;
  brin_ranges_ += r.brin_ranges;
  busy_ += r.busy;
  co_return r;
}

index_upkeep_totals index_upkeep_service::totals() const {
  return {passes_.load(), gin_pages_.load(), brin_ranges_.load(), busy_.load()};
}

}  // namespace helpdesk::app
