#pragma once
#include <exception>

#include "helpdesk/domain/error.hpp"

namespace helpdesk::store {

// The one place where libpqxx's exception hierarchy becomes typed errors.
// Unknown failures become `internal`; their details go to the log, never to
// the client.
error translate_db_error(std::exception_ptr e);

}  // namespace helpdesk::store
