#include <pqxx/pqxx>

#include "helpdesk/domain/reports.hpp"
#include "helpdesk/store/db_pool.hpp"
#include "helpdesk/store/report_repos.hpp"
#include "sql_util.hpp"

namespace helpdesk::store {
namespace {

// Every report statement takes the same parameters: $1 brands, $2 from and
// $3 to (Unix microseconds), $4 time zone, $5 queues, $6 agents, $7 channel
// (NULL: any), $8 the grouping, $9 and $10 the whole hours of the period the
// hourly counts answer (reports::whole_hours).
#define FROM_AT HELPDESK_SQL_AT("$2")
#define TO_AT HELPDESK_SQL_AT("$3")
#define ANY_QUEUE(col) "(cardinality($5::uuid[]) = 0 OR " col " = ANY($5::uuid[]))"
#define ANY_AGENT(col) "(cardinality($6::uuid[]) = 0 OR " col " = ANY($6::uuid[]))"
#define ANY_CHANNEL(col) "($7::text IS NULL OR " col " = $7::text)"
// Named once so every statement types all eight, whichever it reads.
#define PARAMS                                                                                                  \
  "_p AS (SELECT $1::uuid[] AS b, $2::bigint AS f, $3::bigint AS t, $4::text AS z, $5::uuid[] AS q, $6::uuid[] " \
  "AS a, $7::text AS c, $8::text AS g, $9::bigint AS hf, $10::bigint AS ht)"
#define HOURS_FROM HELPDESK_SQL_AT("$9")
#define HOURS_TO HELPDESK_SQL_AT("$10")
// The hourly counts of the period's whole hours that `cond` picks, whether
// folded yet or not (migration 0014). A message that moved to another hour
// leaves a count of 0 behind: groups that sum to 0 are left out.
#define COUNTS_IN(cond, lo, hi)                                                                                 \
  "(SELECT brand_id, hour, metric, channel, direction, agent_id, n FROM report_counts WHERE brand_id = "        \
  "ANY($1::uuid[]) AND hour >= " lo " AND hour < " hi " AND " cond " UNION ALL SELECT brand_id, hour, metric, " \
  "channel, direction, agent_id, n FROM report_counts_delta WHERE brand_id = ANY($1::uuid[]) AND hour >= " lo   \
  " AND hour < " hi " AND " cond ")"
#define COUNTS(cond) COUNTS_IN(cond, HOURS_FROM, HOURS_TO)
#define LOCAL(col) "(" col " AT TIME ZONE $4::text)"

// One row per SLA clock started in the period, decided as of its end from the
// SLA log alone (folded per clock into sla_clock_facts as it is written):
// breached (a breach, or a late fulfilment), else met, else cancelled
// (waived, or no policy any more), else still running. The ticket's
// brand, channel, priority and queue are those at the start; the agent is
// whoever held the ticket when it was decided. Only what was recorded by the
// period's end counts: a policy change later may log a clock that started
// inside the period, and last month must read the same tomorrow. A clock
// whose every event came and was recorded before the period's end has its
// agent stored (migration 0024): the same answer, without the comparisons.
// `targets` (quoted names) picks the key ranges of the covering index
// (migration 0021); the group is an id (brand, queue, agent) or a name
// (channel, priority), kept apart so that rows are grouped by uuid, not by
// its text.
#define SLA_CLOCKS(targets)                                                                                        \
  "d AS (SELECT x.target, x.brand_id, x.channel, x.priority, x.queue_id, x.started_at, x.started_agent, x.met_at, " \
  "x.met_elapsed, x.met_late, x.met_agent, x.breached_agent, x.cancelled_agent, x.settled_before, "              \
  "x.settled_agent, (x.met_at >= " FROM_AT                                                                       \
  " AND x.met_at < " TO_AT " AND x.met_recorded_at < " TO_AT ") IS TRUE AS is_met, (x.breached_at >= " FROM_AT    \
  " AND x.breached_at < " TO_AT " AND x.breached_recorded_at < " TO_AT ") IS TRUE AS is_breached, "              \
  "(x.cancelled_at >= " FROM_AT " AND x.cancelled_at < " TO_AT " AND x.cancelled_recorded_at < " TO_AT            \
  ") IS TRUE AS is_cancelled FROM sla_clock_facts x WHERE x.brand_id = ANY($1::uuid[]) AND x.target = ANY(ARRAY["  \
  targets "]) AND x.started_at >= " FROM_AT " AND x.started_at < " TO_AT " AND x.started_recorded_at < " TO_AT     \
  "), c AS (SELECT d.target, d.brand_id, d.channel, d.priority, d.queue_id, CASE WHEN d.settled_before < " TO_AT \
  " THEN d.settled_agent ELSE coalesce(greatest(CASE WHEN is_met "                                                 \
  "THEN met_agent END, CASE WHEN is_breached THEN breached_agent END, CASE WHEN is_cancelled THEN cancelled_agent " \
  "END), started_agent) END AS agent, d.started_at, CASE WHEN is_met THEN d.met_at END AS met_at, "                    \
  "CASE WHEN is_met THEN d.met_elapsed END AS elapsed, is_breached OR (is_met AND coalesce(d.met_late, false)) "   \
  "AS breached, is_met AS met, is_cancelled AS cancelled FROM d), "                                                \
  "f AS NOT MATERIALIZED (SELECT c.*, CASE $8::text WHEN 'brand' THEN brand_id WHEN 'queue' THEN queue_id "      \
  "WHEN 'agent' THEN agent END AS gid, CASE $8::text WHEN 'channel' THEN channel WHEN 'priority' THEN priority "   \
  "END AS gtext FROM c WHERE " ANY_QUEUE("queue_id") " AND " ANY_AGENT("agent") " AND " ANY_CHANNEL("channel") ") "
#define ALL_TARGETS "'first_response', 'next_response', 'resolution', 'callback'"
// A clock group as the reports answer it: the id's text, or the name.
#define CLOCK_GROUP "coalesce(gid::text, gtext) AS grp"

// The display name of a clock group (SLA_CLOCKS).
#define CLOCK_GROUP_NAME                                                                                    \
  "CASE $8::text WHEN 'brand' THEN (SELECT name FROM brands WHERE id = gid) "                               \
  "WHEN 'queue' THEN (SELECT name FROM queues WHERE id = gid) "                                             \
  "WHEN 'agent' THEN (SELECT name FROM agents WHERE id = gid) ELSE gtext END AS group_name"

// The display name of a group id.
#define GROUP_NAME(col)                                                                                     \
  "CASE $8::text WHEN 'brand' THEN (SELECT name FROM brands WHERE id::text = " col ") "                      \
  "WHEN 'queue' THEN (SELECT name FROM queues WHERE id::text = " col ") "                                    \
  "WHEN 'agent' THEN (SELECT name FROM agents WHERE id::text = " col ") ELSE " col " END AS group_name"

// Percentiles do not add up: the total is a grouping set of its own, in
// the same pass over the rows.
#define WITH_TOTAL(always, grp) "GROUPING SETS ((" always ", " grp "), (" always "))"
#define TARGET_ORDER "array_position(ARRAY['first_response', 'next_response', 'resolution', 'callback'], target)"

#define DONE "('solved', 'closed')"
// The other statuses, named: a range of the (brand, status) index each,
// where NOT IN would read the index of every ticket ever made.
#define NOT_DONE "('new', 'open', 'pending', 'on_hold')"
#define TICKET_CHANNEL \
  "($7::text IS NULL OR EXISTS (SELECT 1 FROM tickets t WHERE t.id = e.ticket_id AND t.origin_channel = $7::text))"

// Messages that count as handled interactions: with the customer, by a
// person. The parts of the period outside its whole hours come from the
// messages themselves (two ranges of the BRIN index on their time).
#define INTERACTION_IN(lo, hi)                                                                                    \
  "m.brand_id = ANY($1::uuid[]) AND m.occurred_at >= " lo " AND m.occurred_at < " hi                             \
  " AND m.direction <> 'internal' AND m.channel <> 'note' AND NOT m.automatic AND " ANY_CHANNEL("m.channel")     \
  " AND " ANY_AGENT("m.author_agent_id")
#define INTERACTION INTERACTION_IN(FROM_AT, TO_AT)
// By author only when the report groups or filters by agent (migration 0014).
#define INTERACTION_COUNTS                                                                                     \
  COUNTS("metric = CASE WHEN $8::text = 'agent' OR cardinality($6::uuid[]) > 0 THEN 'message_by_author' ELSE " \
         "'message' END AND direction <> 'internal' AND channel <> 'note' AND " ANY_CHANNEL("channel")         \
         " AND " ANY_AGENT("agent_id"))
#define INTERACTIONS_OUTSIDE_HOURS(cols)                                                                  \
  "SELECT " cols " FROM messages m WHERE " INTERACTION_IN(FROM_AT, HOURS_FROM) " UNION ALL SELECT " cols \
  " FROM messages m WHERE " INTERACTION_IN(HOURS_TO, TO_AT)

const char* const sla_sql =
    "WITH " PARAMS ", " SLA_CLOCKS(ALL_TARGETS) ", "
    "g AS (SELECT target, gid, gtext, count(*) FILTER (WHERE met OR breached OR NOT cancelled) AS started, "
    "count(*) FILTER (WHERE met AND NOT breached) AS met, count(*) FILTER (WHERE breached) AS breached, "
    "count(*) FILTER (WHERE NOT met AND NOT breached AND NOT cancelled) AS running, "
    "count(*) FILTER (WHERE cancelled AND NOT met AND NOT breached) AS cancelled FROM f GROUP BY target, gid, gtext) "
    "SELECT target, " CLOCK_GROUP ", " CLOCK_GROUP_NAME ", started, met, breached, running, cancelled FROM g "
    "ORDER BY " TARGET_ORDER ", grp NULLS LAST";

// Seconds as date_part (double precision), not extract (numeric since
// PostgreSQL 14): averages and percentiles over a year of clocks ran in
// numeric arithmetic. Percentiles are ordered-set aggregates, which
// PostgreSQL computes in one process: as branches of a UNION ALL, one per
// target, the two run side by side (a Parallel Append). In one aggregate
// a year took 2.4-2.6 s, of which 1.5 s sorting in the leader alone; as
// two branches 1.5-1.6 s (1M-ticket seed, 2 cores).
#define RESPONSE_TIMES_OF(target)                                                                                \
  "SELECT grouping(gid) = 1 AS is_total, gid, gtext, target, count(*) AS n, "                                    \
  "avg(date_part('epoch', met_at - started_at)) AS c_avg, "                                                    \
  "percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', met_at - started_at)) AS c_med, "            \
  "percentile_cont(0.9) WITHIN GROUP (ORDER BY date_part('epoch', met_at - started_at)) AS c_p90, "            \
  "avg(elapsed) AS b_avg, percentile_cont(0.5) WITHIN GROUP (ORDER BY elapsed) AS b_med, "                      \
  "percentile_cont(0.9) WITHIN GROUP (ORDER BY elapsed) AS b_p90 FROM f WHERE met AND target = '" target "' " \
  "GROUP BY " WITH_TOTAL("target", "gid, gtext")
const char* const response_sql =
    "WITH " PARAMS ", " SLA_CLOCKS("'first_response', 'resolution'") ", "
    "g AS (" RESPONSE_TIMES_OF("first_response") " UNION ALL " RESPONSE_TIMES_OF("resolution") ") "
    "SELECT " CLOCK_GROUP ", " CLOCK_GROUP_NAME ", target, n, c_avg, c_med, c_p90, b_avg, b_med, b_p90, is_total FROM g "
    "ORDER BY is_total, grp NULLS LAST, " TARGET_ORDER;

// The backlog at the period's start is the backlog now, less what changed
// since: one snapshot, and only the log from the period's start is read.
// The hourly counts answer the period's whole hours and every hour after
// its end; the ticket log itself the rest.
#define AFTER_TO "(date_trunc('hour', " TO_AT ", 'UTC') + CASE WHEN date_trunc('hour', " TO_AT ", 'UTC') = " TO_AT \
  " THEN interval '0' ELSE interval '1 hour' END)"
#define TICKET_COUNTS(lo, hi) \
  "SELECT hour AS at, metric, n FROM " COUNTS_IN("metric IN ('ticket_created', 'ticket_solved', 'ticket_reopened') AND " ANY_CHANNEL("channel"), lo, hi) " k"
#define TICKET_LOG(lo, hi)                                                                                        \
  "SELECT e.at, report_ticket_metric(e.kind, e.data) AS metric, 1 AS n FROM ticket_events e WHERE e.brand_id = " \
  "ANY($1::uuid[]) AND e.at >= " lo " AND e.at < " hi " AND e.kind IN ('created', 'status_changed') AND "       \
  "report_ticket_metric(e.kind, e.data) IS NOT NULL AND " TICKET_CHANNEL
const char* const volume_sql =
    "WITH " PARAMS ", ev AS (" TICKET_COUNTS(HOURS_FROM, HOURS_TO) " UNION ALL " TICKET_COUNTS(AFTER_TO, "'infinity'")
    " UNION ALL " TICKET_LOG(FROM_AT, HOURS_FROM) " UNION ALL " TICKET_LOG(HOURS_TO, AFTER_TO) "), "
    "now_open AS (SELECT count(*) AS n FROM tickets t WHERE t.brand_id = ANY($1::uuid[]) AND t.status IN " NOT_DONE
    " AND " ANY_CHANNEL("t.origin_channel") "), "
    "b AS (SELECT date_trunc($8::text, " LOCAL("at") ")::date AS day, "
    "sum(n) FILTER (WHERE metric = 'ticket_created') AS created, sum(n) FILTER (WHERE metric = 'ticket_solved') AS solved, "
    "sum(n) FILTER (WHERE metric = 'ticket_reopened') AS reopened FROM ev WHERE at < " TO_AT " GROUP BY 1), "
    "start AS (SELECT (SELECT n FROM now_open) - coalesce(sum(n) FILTER (WHERE metric = 'ticket_created'), 0) "
    "+ coalesce(sum(n) FILTER (WHERE metric = 'ticket_solved'), 0) - coalesce(sum(n) FILTER (WHERE metric = "
    "'ticket_reopened'), 0) AS n FROM ev) "
    "SELECT to_char(s.day, 'YYYY-MM-DD'), coalesce(b.created, 0), coalesce(b.solved, 0), coalesce(b.reopened, 0), "
    "(SELECT n FROM start) FROM generate_series(date_trunc($8::text, " LOCAL(FROM_AT) "), "
    "date_trunc($8::text, " LOCAL("(" TO_AT " - interval '1 microsecond')") "), ('1 ' || $8::text)::interval) s(day) "
    "LEFT JOIN b ON b.day = s.day::date ORDER BY s.day";

#define GRID_MESSAGE(lo, hi)                                                                                    \
  "SELECT m.channel, m.occurred_at AS at, 1 AS n FROM messages m WHERE m.brand_id = ANY($1::uuid[]) AND "      \
  "m.occurred_at >= " lo " AND m.occurred_at < " hi " AND m.direction = 'inbound' AND NOT m.automatic AND "    \
  "m.channel <> 'note' AND " ANY_CHANNEL("m.channel")
const char* const grid_sql =
    "WITH " PARAMS ", src AS (SELECT channel, hour AS at, n FROM "
    COUNTS("metric = 'message' AND direction = 'inbound' AND channel <> 'note' AND " ANY_CHANNEL("channel"))
    " k UNION ALL " GRID_MESSAGE(FROM_AT, HOURS_FROM) " UNION ALL " GRID_MESSAGE(HOURS_TO, TO_AT) ") "
    "SELECT channel, extract(isodow FROM " LOCAL("at") ")::int, extract(hour FROM " LOCAL("at") ")::int, "
    "sum(n)::bigint FROM src GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3";

// A callback answers the missed calls before it on the same ticket.
const char* const calls_sql =
    "WITH " PARAMS ", k AS (SELECT m.id, m.ticket_id, m.occurred_at, m.call_outcome AS outcome, "
    "coalesce((m.call->>'callback_required')::boolean, false) AS required, "
    "(m.call->>'wait_seconds')::double precision AS wait, "
    "coalesce((m.call->>'ended_at')::timestamptz, m.occurred_at) AS ended_at, "
    "CASE $8::text WHEN 'brand' THEN m.brand_id::text WHEN 'agent' THEN nullif(m.call->>'agent_id', '') "
    "WHEN 'day' THEN to_char(" LOCAL("m.occurred_at") ", 'YYYY-MM-DD') END AS grp "
    "FROM messages m WHERE m.brand_id = ANY($1::uuid[]) AND m.channel = 'phone' AND m.direction = 'inbound' "
    "AND m.occurred_at >= " FROM_AT " AND m.occurred_at < " TO_AT
    " AND (cardinality($6::uuid[]) = 0 OR nullif(m.call->>'agent_id', '') = ANY($6::uuid[]::text[]))), "
    "cb AS (SELECT k.*, CASE WHEN required THEN (SELECT min(a.at) FROM callback_attempts a WHERE a.ticket_id = "
    "k.ticket_id AND a.at >= k.occurred_at AND a.at < " TO_AT ") END AS attempted_at, "
    "required AND EXISTS (SELECT 1 FROM callback_attempts a WHERE a.ticket_id = k.ticket_id AND a.at >= k.occurred_at "
    "AND a.at < " TO_AT " AND a.outcome = 'reached') AS reached FROM k), "
    "g AS (SELECT grouping(grp) = 1 AS is_total, grp, count(*) AS offered, "
    "count(*) FILTER (WHERE outcome IN ('answered', 'in_progress', 'transferred')) AS answered, "
    "count(*) FILTER (WHERE outcome = 'missed') AS missed, count(*) FILTER (WHERE outcome = 'voicemail') AS voicemail, "
    "avg(wait) AS wait_avg, percentile_cont(0.9) WITHIN GROUP (ORDER BY wait) AS wait_p90, "
    "count(*) FILTER (WHERE required) AS required, count(*) FILTER (WHERE required AND attempted_at IS NOT NULL) AS attempted, "
    "count(*) FILTER (WHERE required AND reached) AS reached, "
    "percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', attempted_at - ended_at)) "
    "FILTER (WHERE required) AS ttc_med, "
    "percentile_cont(0.9) WITHIN GROUP (ORDER BY date_part('epoch', attempted_at - ended_at)) "
    "FILTER (WHERE required) AS ttc_p90 FROM cb GROUP BY GROUPING SETS ((grp), ())) "
    "SELECT grp, " GROUP_NAME("grp") ", offered, answered, missed, voicemail, wait_avg, wait_p90, required, attempted, "
    "reached, ttc_med, ttc_p90, is_total FROM g ORDER BY is_total, grp NULLS LAST";

const char* const interactions_sql =
    "WITH " PARAMS ", src AS (SELECT brand_id, agent_id, channel, direction, hour AS at, n FROM " INTERACTION_COUNTS
    " k UNION ALL " INTERACTIONS_OUTSIDE_HOURS("m.brand_id, m.author_agent_id, m.channel, m.direction, m.occurred_at, 1")
    "), g AS (SELECT CASE $8::text WHEN 'brand' THEN brand_id::text WHEN 'agent' THEN agent_id::text "
    "WHEN 'day' THEN to_char(" LOCAL("at") ", 'YYYY-MM-DD') END AS grp, channel, direction, sum(n)::bigint AS n "
    "FROM src GROUP BY 1, 2, 3 HAVING sum(n) <> 0) "
    "SELECT grp, " GROUP_NAME("grp") ", channel, direction, n FROM g ORDER BY grp NULLS LAST, channel, direction";

const char* const interaction_details_sql =
    "WITH " PARAMS " ""SELECT m.brand_id, b.slug, m.ticket_id, b.ticket_prefix || '-' || t.number, m.id, m.channel, m.direction, "
    "m.author_agent_id, to_char(" LOCAL("m.occurred_at") ", 'YYYY-MM-DD\"T\"HH24:MI:SS'), "
    HELPDESK_SQL_MICROS("m.occurred_at") " FROM messages m JOIN tickets t ON t.id = m.ticket_id "
    "JOIN brands b ON b.id = m.brand_id WHERE " INTERACTION " AND $8::text IS NOT NULL "
    "ORDER BY m.occurred_at, m.id LIMIT $11";

// The tags a ticket created in the period carried at its end: the last tag
// change before then, else those it was created with; and the same for the
// period of equal length just before ($11, its start), in the same pass.
// Only two kinds of event give a ticket tags (migration 0022): creations
// with tags, and tag changes, whose tickets' creations are then looked up
// one by one. Most tickets never carry a tag, and reading every creation of
// both periods was most of the report (30 days: 0.56 s, then 0.28 s with
// the untagged left out before unpacking; a year 2.1 s; 1M-ticket seed).
#define PREVIOUS_AT HELPDESK_SQL_AT("$11")
#define CREATED_IN_PERIODS                                                                                     \
  "e.kind = 'created' AND e.brand_id = ANY($1::uuid[]) AND e.at >= " PREVIOUS_AT " AND e.at < " TO_AT " AND " \
  "($7::text IS NULL OR e.data->>'channel' = $7::text)"
const char* const tags_sql =
    "WITH " PARAMS ", ch AS MATERIALIZED (SELECT e.id, e.ticket_id, e.at >= " FROM_AT " AS current, "
    "e.data->'to' AS tags FROM ticket_events e WHERE e.kind = 'tags_changed' AND e.brand_id = ANY($1::uuid[]) "
    "AND e.at >= " PREVIOUS_AT " AND e.at < " TO_AT " AND $8::text IS NOT NULL), "
    "l AS (SELECT DISTINCT ON (ticket_id, current) ticket_id, current, tags FROM ch "
    "ORDER BY ticket_id, current, id DESC), "
    "cr AS (SELECT e.ticket_id, e.brand_id, e.at >= " FROM_AT " AS current, e.data->'tags' AS tags "
    "FROM ticket_events e WHERE " CREATED_IN_PERIODS " AND e.data->'tags' <> '[]'::jsonb "
    "UNION ALL SELECT e.ticket_id, e.brand_id, e.at >= " FROM_AT ", NULL::jsonb FROM (SELECT DISTINCT ticket_id "
    "FROM ch) r JOIN ticket_events e ON e.ticket_id = r.ticket_id WHERE " CREATED_IN_PERIODS
    " AND (e.data->'tags' <> '[]'::jsonb) IS NOT TRUE) "
    "SELECT t.brand_id, b.name, t.tag, t.now, t.before FROM (SELECT c.brand_id, tag, "
    "count(*) FILTER (WHERE c.current) AS now, count(*) FILTER (WHERE NOT c.current) AS before FROM cr c "
    "LEFT JOIN l ON l.ticket_id = c.ticket_id AND l.current = c.current, "
    "jsonb_array_elements_text(coalesce(l.tags, c.tags, '[]'::jsonb)) tag GROUP BY 1, 2) t "
    "JOIN brands b ON b.id = t.brand_id ORDER BY 2, 4 DESC, 3";

// The parts of the agents report (replies and tickets handled, the clocks
// of each target, presence) are branches of one UNION ALL, so that
// PostgreSQL runs them side by side (a Parallel Append); as separate
// subqueries it ran them one after another. The first-response clocks give
// their counts and the median in one pass; the other targets are counted
// by hash. A year took 3.2-3.7 s as subqueries, 2.1-2.2 s as branches
// (1M-ticket seed, 2 cores).
//
// Tickets handled: the replies that are their agent's first on the ticket
// in the period, from the link to the previous one (migration 0023); a
// year of them 2.1-2.3 s, against 2.9-3.2 s counting (agent, ticket)
// pairs. The link spans channels: filtered by channel, the report counts
// the pairs.
#define REPLIES INTERACTION " AND m.direction = 'outbound' AND m.author_agent_id IS NOT NULL"
#define CLOCK_COUNTS "count(*) FILTER (WHERE met AND NOT breached) AS met, count(*) FILTER (WHERE breached) AS breached"
#define CLOCK_COUNTS_OF(target) \
  "SELECT agent, 2, met, breached, NULL::float8, NULL::float8 FROM (SELECT agent, " CLOCK_COUNTS " FROM f WHERE " \
  "target = '" target "' AND agent IS NOT NULL GROUP BY 1) s"
const char* const agents_sql =
    "WITH " PARAMS ", ag AS (SELECT a.id, a.name FROM agents a WHERE EXISTS (SELECT 1 FROM agent_brands ab WHERE "
    "ab.agent_id = a.id AND ab.brand_id = ANY($1::uuid[])) AND " ANY_AGENT("a.id") " AND a.role IN ('agent', 'manager')), "
    SLA_CLOCKS(ALL_TARGETS) ", "
    "parts(agent, part, a, b, v, w) AS (SELECT m.author_agent_id, 1, count(*) FILTER (WHERE "
    "m.agent_previous_reply_at IS NULL OR m.agent_previous_reply_at < " FROM_AT "), count(*), NULL::float8, "
    "NULL::float8 FROM messages m WHERE " REPLIES " AND $7::text IS NULL GROUP BY 1 "
    "UNION ALL SELECT agent, 1, count(*), sum(n)::bigint, NULL::float8, NULL::float8 FROM (SELECT "
    "m.author_agent_id AS agent, m.ticket_id, count(*) AS n FROM messages m WHERE " REPLIES
    " AND $7::text IS NOT NULL GROUP BY 1, 2) p GROUP BY 1 "
    "UNION ALL SELECT agent, 2, " CLOCK_COUNTS ", percentile_cont(0.5) WITHIN GROUP (ORDER BY "
    "date_part('epoch', met_at - started_at)) FILTER (WHERE met), NULL::float8 FROM f "
    "WHERE target = 'first_response' AND agent IS NOT NULL GROUP BY 1 "
    "UNION ALL " CLOCK_COUNTS_OF("next_response") " UNION ALL " CLOCK_COUNTS_OF("resolution")
    " UNION ALL " CLOCK_COUNTS_OF("callback") " "
    "UNION ALL SELECT i.agent_id, 3, NULL::bigint, NULL::bigint, "
    "sum(date_part('epoch', least(coalesce(i.ended_at, now()), " TO_AT ") - greatest(i.started_at, " FROM_AT ")))"
    " FILTER (WHERE i.status = 'online'), "
    "sum(date_part('epoch', least(coalesce(i.ended_at, now()), " TO_AT ") - greatest(i.started_at, " FROM_AT ")))"
    " FILTER (WHERE i.status = 'away') FROM agent_presence_intervals i "
    "WHERE EXISTS (SELECT 1 FROM agent_brands ab WHERE ab.agent_id = i.agent_id AND ab.brand_id = ANY($1::uuid[])) "
    "AND " ANY_AGENT("i.agent_id") " AND i.started_at < " TO_AT " AND coalesce(i.ended_at, 'infinity') > "
    FROM_AT " AND least(coalesce(i.ended_at, now()), " TO_AT ") > greatest(i.started_at, " FROM_AT ") GROUP BY 1), "
    "x AS (SELECT agent, max(a) FILTER (WHERE part = 1) AS handled, max(b) FILTER (WHERE part = 1) AS replies, "
    "sum(a) FILTER (WHERE part = 2)::bigint AS met, sum(b) FILTER (WHERE part = 2)::bigint AS breached, "
    "max(v) FILTER (WHERE part = 2) AS frm, max(v) FILTER (WHERE part = 3) AS online, "
    "max(w) FILTER (WHERE part = 3) AS away FROM parts GROUP BY 1) "
    "SELECT ag.id, ag.name, coalesce(x.handled, 0), coalesce(x.replies, 0), x.frm, coalesce(x.met, 0), "
    "coalesce(x.breached, 0), coalesce(x.online, 0), coalesce(x.away, 0) FROM ag LEFT JOIN x ON x.agent = ag.id "
    "ORDER BY ag.name, ag.id";

#define OPEN_WAITING "t.assignee_id IS NULL AND t.status IN ('new', 'open')"

// Tickets due within the hour come from the due-time index across brands,
// once: per brand, a brand index would be read whole.
const char* const live_brands_sql =
    "WITH due AS (SELECT t.brand_id, count(*) FILTER (WHERE t.sla_due_at >= now()) AS soon, "
    "count(*) FILTER (WHERE t.sla_due_at < now()) AS overdue FROM tickets t "
    "WHERE t.sla_due_at < now() + interval '1 hour' AND t.status NOT IN " DONE " AND t.brand_id = ANY($1::uuid[]) "
    "GROUP BY t.brand_id), "
    "presence AS (SELECT ab.brand_id, count(*) FILTER (WHERE a.presence = 'online') AS online, "
    "count(*) FILTER (WHERE a.presence = 'away') AS away, count(*) FILTER (WHERE a.presence = 'offline') AS offline "
    "FROM agents a JOIN agent_brands ab ON ab.agent_id = a.id WHERE a.active AND ab.brand_id = ANY($1::uuid[]) "
    "GROUP BY ab.brand_id) "
    "SELECT b.id, b.name, coalesce(p.online, 0), coalesce(p.away, 0), coalesce(p.offline, 0), "
    "w.n, " HELPDESK_SQL_MICROS("w.oldest") ", coalesce(d.soon, 0), coalesce(d.overdue, 0), "
    "(SELECT count(*) FROM tickets t WHERE t.brand_id = b.id AND t.callback_required AND t.status NOT IN " DONE "), "
    "(SELECT count(*) FROM tickets t WHERE t.brand_id = b.id AND t.callback_required AND t.status NOT IN " DONE
    " AND t.callback_due_at < now()) "
    "FROM brands b CROSS JOIN LATERAL (SELECT count(*) AS n, min(coalesce(t.queued_at, t.created_at)) AS oldest "
    "FROM tickets t WHERE t.brand_id = b.id AND " OPEN_WAITING ") w LEFT JOIN due d ON d.brand_id = b.id "
    "LEFT JOIN presence p ON p.brand_id = b.id WHERE b.id = ANY($1::uuid[]) ORDER BY b.name, b.id";

const char* const live_queues_sql =
    "SELECT q.id, q.brand_id, q.name, w.n, " HELPDESK_SQL_MICROS("w.oldest") ", "
    "(SELECT count(*) FROM agents a JOIN agent_brands ab ON ab.agent_id = a.id WHERE ab.brand_id = q.brand_id "
    "AND a.active AND a.presence = 'online' AND a.skills @> q.required_skills), "
    "(SELECT count(*) FROM agents a JOIN agent_brands ab ON ab.agent_id = a.id WHERE ab.brand_id = q.brand_id "
    "AND a.active AND a.presence = 'away' AND a.skills @> q.required_skills) "
    "FROM queues q, LATERAL (SELECT count(*) AS n, min(coalesce(t.queued_at, t.created_at)) AS oldest FROM tickets t "
    "WHERE t.queue_id = q.id AND " OPEN_WAITING ") w WHERE q.brand_id = ANY($1::uuid[]) "
    "ORDER BY q.brand_id, q.position, q.name";

using nlohmann::json;

json number_or_null(const pqxx::field& f) { return f.is_null() ? json(nullptr) : json(f.as<double>()); }
json text_or_null(const pqxx::field& f) { return f.is_null() ? json(nullptr) : json(f.as<std::string>()); }
json micros_or_null(const pqxx::field& f) {
  return f.is_null() ? json(nullptr) : json(format_rfc3339(sql::micros(f)));
}

// The tags' groups are expressions (a ticket's tags at the period's end)
// of which the planner assumes hundreds of thousands of values, where there
// are a few hundred. So it prices the partial aggregates of parallel
// workers as shipping that many rows each, and keeps to one process. At a
// tenth of the default price per row shipped it runs them in parallel: 30
// days of tags took 0.30 s instead of 0.36-0.41 (1M-ticket seed). The other
// reports' plans are as fast or faster at the default (response times over
// 30 days: 0.31 s against 0.41; a year of agents 2.1-2.2 s against 2.9-3.2).
void price_few_groups(pqxx::transaction_base& tx) { tx.exec("SET LOCAL parallel_tuple_cost = 0.01"); }

template <typename... Extra>
pqxx::result run(pqxx::transaction_base& tx, const char* name, const reports::query& q, Extra&&... extra) {
  const auto hours = helpdesk::reports::whole_hours(q.from, q.to, q.tz);
  return tx.exec_prepared(name, sql::uuid_array(q.brand_ids), to_unix_micros(q.from), to_unix_micros(q.to), q.tz,
                          sql::uuid_array(q.queue_ids), sql::uuid_array(q.agent_ids), sql::nullable(q.channel),
                          q.group_by, to_unix_micros(hours.from), to_unix_micros(hours.to),
                          std::forward<Extra>(extra)...);
}

}  // namespace

// JIT compiles each report for longer than it then runs (0.6 s for the
// interactions report), the planner prefers a parallel scan of the whole
// message table to the BRIN index on its append-ordered times (0.4 s against
// 1.8 s for a month of interactions). Percentiles sort a year of clocks or
// calls, in memory rather than in temporary files. A year of reports
// outlasts the OLTP statement timeout, so reports get their own. The right
// plan depends on the period and the brands: after five runs PostgreSQL may
// keep a generic plan, which reads the SLA clocks through a bitmap of the
// table instead of the covering index alone; planning takes milliseconds.
void reports::analytic_settings(pqxx::transaction_base& tx, std::chrono::milliseconds timeout) {
  tx.exec("SET LOCAL jit = off; SET LOCAL enable_seqscan = off; SET LOCAL work_mem = '64MB'; "
          "SET LOCAL plan_cache_mode = force_custom_plan; "
          "SET LOCAL statement_timeout = " + std::to_string(timeout.count()));
}

std::vector<prepared_statement> report_statements() {
  return {
      {"report_sla", sla_sql},
      {"report_response_times", response_sql},
      {"report_volume", volume_sql},
      {"report_grid", grid_sql},
      {"report_calls", calls_sql},
      {"report_interactions", interactions_sql},
      {"report_interaction_details", interaction_details_sql},
      {"report_tags", tags_sql},
      {"report_agents", agents_sql},
      {"report_live_brands", live_brands_sql},
      {"report_live_queues", live_queues_sql},
      {"report_brands_by_key",
       "SELECT k, b.id FROM unnest($1::text[]) k LEFT JOIN brands b ON b.id::text = k OR b.slug = k"},
      {"report_all_brands", "SELECT id FROM brands ORDER BY id"},
      {"report_counts_fold_lock", "SELECT pg_try_advisory_xact_lock(hashtext('report_counts_fold'))"},
      {"report_counts_fold", "SELECT report_counts_fold($1::integer)"},
  };
}

namespace reports {

std::vector<std::string> resolve_brands(pqxx::transaction_base& tx, const std::vector<std::string>& keys,
                                        std::vector<std::string>& unknown) {
  std::vector<std::string> out;
  for (const auto& r : tx.exec_prepared("report_brands_by_key", sql::text_array(keys))) {
    if (r[1].is_null()) unknown.push_back(r[0].as<std::string>());
    else out.push_back(r[1].as<std::string>());
  }
  return out;
}

std::vector<std::string> all_brands(pqxx::transaction_base& tx) {
  std::vector<std::string> out;
  for (const auto& r : tx.exec_prepared("report_all_brands")) out.push_back(r[0].as<std::string>());
  return out;
}

json sla(pqxx::transaction_base& tx, const query& q) {
  json rows = json::array();
  for (const auto& r : run(tx, "report_sla", q))
    rows.push_back({{"target", r[0].as<std::string>()},
                    {"group", text_or_null(r[1])},
                    {"group_name", text_or_null(r[2])},
                    {"started", r[3].as<long long>()},
                    {"met", r[4].as<long long>()},
                    {"breached", r[5].as<long long>()},
                    {"running", r[6].as<long long>()},
                    {"cancelled", r[7].as<long long>()}});
  return rows;
}

// The rows of a statement grouped WITH_TOTAL (its last column says which
// rows are the total's), as {"rows", "total"}; total rows have no group.
template <typename RowJson>
json with_total(const pqxx::result& result, RowJson row_json) {
  json out = {{"rows", json::array()}, {"total", json::array()}};
  for (const auto& r : result) {
    const bool total = r[r.size() - 1].as<bool>();
    json row = row_json(r);
    if (total) {
      row.erase("group");
      row.erase("group_name");
    }
    out[total ? "total" : "rows"].push_back(std::move(row));
  }
  return out;
}

json response_times(pqxx::transaction_base& tx, const query& q) {
  return with_total(run(tx, "report_response_times", q), [](const pqxx::row& r) {
    return json{{"group", text_or_null(r[0])},
                    {"group_name", text_or_null(r[1])},
                    {"metric", r[2].as<std::string>()},
                    {"count", r[3].as<long long>()},
                    {"calendar", {{"avg", number_or_null(r[4])}, {"median", number_or_null(r[5])}, {"p90", number_or_null(r[6])}}},
                    {"business", {{"avg", number_or_null(r[7])}, {"median", number_or_null(r[8])}, {"p90", number_or_null(r[9])}}}};
  });
}

json volume(pqxx::transaction_base& tx, const query& q, long long& backlog_start) {
  json rows = json::array();
  backlog_start = 0;
  for (const auto& r : run(tx, "report_volume", q)) {
    backlog_start = r[4].as<long long>();
    rows.push_back({{"day", r[0].as<std::string>()},
                    {"created", r[1].as<long long>()},
                    {"solved", r[2].as<long long>()},
                    {"reopened", r[3].as<long long>()}});
  }
  return rows;
}

json inbound_grid(pqxx::transaction_base& tx, const query& q) {
  json rows = json::array();
  for (const auto& r : run(tx, "report_grid", q))
    rows.push_back({{"channel", r[0].as<std::string>()},
                    {"weekday", r[1].as<int>()},
                    {"hour", r[2].as<int>()},
                    {"count", r[3].as<long long>()}});
  return rows;
}

json calls(pqxx::transaction_base& tx, const query& q) {
  return with_total(run(tx, "report_calls", q), [](const pqxx::row& r) {
    return json{{"group", text_or_null(r[0])},
                    {"group_name", text_or_null(r[1])},
                    {"offered", r[2].as<long long>()},
                    {"answered", r[3].as<long long>()},
                    {"missed", r[4].as<long long>()},
                    {"voicemail", r[5].as<long long>()},
                    {"wait_avg_s", number_or_null(r[6])},
                    {"wait_p90_s", number_or_null(r[7])},
                    {"callbacks_required", r[8].as<long long>()},
                    {"callbacks_attempted", r[9].as<long long>()},
                    {"callbacks_reached", r[10].as<long long>()},
                    {"time_to_callback_median_s", number_or_null(r[11])},
                    {"time_to_callback_p90_s", number_or_null(r[12])}};
  });
}

json interactions(pqxx::transaction_base& tx, const query& q) {
  json rows = json::array();
  for (const auto& r : run(tx, "report_interactions", q))
    rows.push_back({{"group", text_or_null(r[0])},
                    {"group_name", text_or_null(r[1])},
                    {"channel", r[2].as<std::string>()},
                    {"direction", r[3].as<std::string>()},
                    {"count", r[4].as<long long>()}});
  return rows;
}

void interaction_details(pqxx::transaction_base& tx, const query& q, long long limit,
                         const std::function<void(const pqxx::row&)>& each) {
  for (const auto& r : run(tx, "report_interaction_details", q, limit))
    each(r);
}

json tag_counts(pqxx::transaction_base& tx, const query& q, timestamp previous_from) {
  json rows = json::array();
  price_few_groups(tx);
  for (const auto& r : run(tx, "report_tags", q, to_unix_micros(previous_from)))
    rows.push_back({{"brand_id", r[0].as<std::string>()},
                    {"brand_name", r[1].as<std::string>()},
                    {"tag", r[2].as<std::string>()},
                    {"count", r[3].as<long long>()},
                    {"previous", r[4].as<long long>()}});
  return rows;
}

json agents(pqxx::transaction_base& tx, const query& q) {
  json rows = json::array();
  for (const auto& r : run(tx, "report_agents", q))
    rows.push_back({{"agent_id", r[0].as<std::string>()},
                    {"name", r[1].as<std::string>()},
                    {"tickets_handled", r[2].as<long long>()},
                    {"replies", r[3].as<long long>()},
                    {"first_response_median_s", number_or_null(r[4])},
                    {"met", r[5].as<long long>()},
                    {"breached", r[6].as<long long>()},
                    {"online_s", r[7].as<double>()},
                    {"away_s", r[8].as<double>()}});
  return rows;
}

long long fold_counts(pqxx::transaction_base& tx, long long most) {
  if (!tx.exec_prepared1("report_counts_fold_lock")[0].as<bool>()) return 0;
  return tx.exec_prepared1("report_counts_fold", most)[0].as<long long>();
}

json live_brands(pqxx::transaction_base& tx, const std::vector<std::string>& brand_ids) {
  json rows = json::array();
  for (const auto& r : tx.exec_prepared("report_live_brands", sql::uuid_array(brand_ids)))
    rows.push_back({{"brand_id", r[0].as<std::string>()},
                    {"name", r[1].as<std::string>()},
                    {"agents", {{"online", r[2].as<long long>()}, {"away", r[3].as<long long>()}, {"offline", r[4].as<long long>()}}},
                    {"waiting", r[5].as<long long>()},
                    {"oldest_waiting_at", micros_or_null(r[6])},
                    {"breaching_next_hour", r[7].as<long long>()},
                    {"overdue", r[8].as<long long>()},
                    {"callbacks_open", r[9].as<long long>()},
                    {"callbacks_overdue", r[10].as<long long>()}});
  return rows;
}

json live_queues(pqxx::transaction_base& tx, const std::vector<std::string>& brand_ids) {
  json rows = json::array();
  for (const auto& r : tx.exec_prepared("report_live_queues", sql::uuid_array(brand_ids)))
    rows.push_back({{"queue_id", r[0].as<std::string>()},
                    {"brand_id", r[1].as<std::string>()},
                    {"name", r[2].as<std::string>()},
                    {"waiting", r[3].as<long long>()},
                    {"oldest_waiting_at", micros_or_null(r[4])},
                    {"agents", {{"online", r[5].as<long long>()}, {"away", r[6].as<long long>()}}}});
  return rows;
}

}  // namespace reports
}  // namespace helpdesk::store
