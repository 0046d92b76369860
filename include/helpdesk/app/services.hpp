#pragma once
// Everything the API handlers may call, wired once at start-up.
#include "helpdesk/app/auth_service.hpp"
#include "helpdesk/app/cpu_pool.hpp"
#include "helpdesk/app/directory_service.hpp"
#include "helpdesk/app/health_service.hpp"
#include "helpdesk/store/db_pool.hpp"

namespace helpdesk::app {

struct services {
  services(store::db_pool& pool, cpu_pool& workers, const auth_options& auth_opts)
      : db(pool), cpu(workers), auth(pool, workers, auth_opts), directory(pool, workers, auth), health(pool) {}

  store::db_pool& db;
  cpu_pool& cpu;
  auth_service auth;
  directory_service directory;
  health_service health;
};

}  // namespace helpdesk::app
