#pragma once
// Everything the API handlers may call, wired once at start-up.
#include "helpdesk/app/auth_service.hpp"
#include "helpdesk/app/cpu_pool.hpp"
#include "helpdesk/app/directory_service.hpp"
#include "helpdesk/app/health_service.hpp"
#include "helpdesk/app/ingest_service.hpp"
#include "helpdesk/app/report_service.hpp"
#include "helpdesk/app/router_service.hpp"
#include "helpdesk/app/sla_service.hpp"
#include "helpdesk/app/support_service.hpp"
#include "helpdesk/app/webhook_service.hpp"
#include "helpdesk/app/workspace_service.hpp"
#include "helpdesk/store/group_commit.hpp"
#include "helpdesk/store/db_pool.hpp"

namespace helpdesk::app {

struct services {
  services(store::db_pool& pool, cpu_pool& workers, const auth_options& auth_opts,
           store::group_commit_options commit_opts = {}, ingest_options ingest_opts = {},
           router_options router_opts = {}, sla_options sla_opts = {}, webhook_options webhook_opts = {},
           report_options report_opts = {})
      : db(pool),
        cpu(workers),
        committer(pool, commit_opts),
        auth(pool, workers, auth_opts),
        directory(pool, workers, auth),
        health(pool),
        ingest(pool, committer, workers, std::move(ingest_opts)),
        support(pool, calendars),
        router(pool, calendars, router_opts),
        sla(pool, calendars, sla_opts, [this] { router.kick(); }),
        webhooks(pool, std::move(webhook_opts)),
        workspace(pool, calendars, {ingest.options().message_id_domain}),
        reports(pool, report_opts) {}

  store::db_pool& db;
  cpu_pool& cpu;
  store::group_committer committer;
  calendar_cache calendars;  // before the services that read clocks
  auth_service auth;
  directory_service directory;
  health_service health;
  ingest_service ingest;
  support_service support;
  router_service router;
  sla_service sla;
  webhook_service webhooks;
  workspace_service workspace;
  report_service reports;
};

}  // namespace helpdesk::app
