#include "helpdesk/store/db_errors.hpp"

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include <string>

namespace helpdesk::store {

error translate_db_error(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const error& already_typed) {
    return already_typed;
  } catch (const pqxx::in_doubt_error&) {
    spdlog::error("database: commit outcome unknown (connection lost during COMMIT)");
    return error::unavailable("The database connection was lost while committing; the change may or may not be saved.", 2);
  } catch (const pqxx::broken_connection& ex) {
    spdlog::warn("database: connection broken: {}", ex.what());
    return error::unavailable("The database is unreachable.", 2);
  } catch (const pqxx::unique_violation& ex) {
    return error(errc::conflict, "The object conflicts with an existing one.");
  } catch (const pqxx::foreign_key_violation&) {
    return error(errc::conflict, "The object refers to something that does not exist or is still referenced.");
  } catch (const pqxx::sql_error& ex) {
    const std::string state = ex.sqlstate();
    // 57014 statement timeout, 55P03 lock timeout, 25006 read-only standby,
    // 57P0x server shutting down, 53xxx out of resources.
    if (state == "57014" || state == "55P03" || state == "25006" || state.rfind("57P0", 0) == 0 ||
        state.rfind("53", 0) == 0) {
      spdlog::warn("database: {} ({})", ex.what(), state);
      return error::unavailable("The database is busy or unavailable.", 1);
    }
    spdlog::error("database: unexpected SQL error {}: {} in: {}", state, ex.what(), ex.query());
    return error(errc::internal, "Unexpected database error.");
  } catch (const std::exception& ex) {
    spdlog::error("database job failed: {}", ex.what());
    return error(errc::internal, "Unexpected error.");
  } catch (...) {
    spdlog::error("database job failed with a non-standard exception");
    return error(errc::internal, "Unexpected error.");
  }
}

}  // namespace helpdesk::store
