#pragma once
// Upkeep of the indexes whose own maintenance would otherwise land on a
// writer's commit or never happen under load:
// - GIN indexes (the search indexes) take new entries into a pending list;
//   the insert that finds the list over gin_pending_list_limit merges all of
//   it into the index itself, which holds that event's batch for 50-100 ms.
//   Merged in the background every half second instead, the list stays short
//   (searches read it linearly, too) and no writer ever does the merge.
// - BRIN indexes are summarised here (autosummarize is off, migration 0019):
//   under steady ingest autovacuum's queue of summarisation requests fills up
//   and PostgreSQL drops them with a log line each.
// Only indexes of the current schema that the current role owns (the
// functions require ownership) are touched, each in a short transaction of
// its own, so no lock outlives its index's step. Several server processes
// take turns through an advisory lock; a step that finds it taken is skipped.
#include <pqxx/pqxx>

namespace helpdesk::store::index_upkeep {

struct result {
  bool ran = false;           // false: another process held the upkeep lock throughout
  long long gin_pages = 0;    // pending-list pages merged into their GIN index
  long long brin_ranges = 0;  // page ranges newly summarised
  int busy = 0;               // indexes skipped: their lock was held (e.g. by VACUUM) or the step ran out of time
};

// One pass on the connection (no transaction open); BRIN summarisation only
// when asked.
result run(pqxx::connection_base& c, bool summarize_brin);

}  // namespace helpdesk::store::index_upkeep
