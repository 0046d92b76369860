#include "helpdesk/app/health_service.hpp"

#include <pqxx/pqxx>

#include "helpdesk/domain/error.hpp"
#include "helpdesk/store/migrations.hpp"

namespace helpdesk::app {

awaitable<void> health_service::check_ready() {
  if (draining_) throw error::unavailable("The server is shutting down.", 1);
  auto job = [](pqxx::connection_base& c) { return store::read_migration_status(c); };
  auto status = co_await db_.run(std::move(job));
  if (!status.up_to_date())
    throw error::unavailable("The database schema is at version " + std::to_string(status.current) +
                             ", this server needs " + std::to_string(status.latest) + ".", 5);
}

}  // namespace helpdesk::app
