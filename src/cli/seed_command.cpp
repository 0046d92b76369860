// `helpdesk seed`: a large, deterministic history for reports and benchmarks,
// loaded with COPY.
//
// One thread generates batches (seed_generator); loaders stream them into
// PostgreSQL, each in a single transaction that runs from the first row to
// the commit, so an error, Ctrl-C or a crash leaves nothing behind.
//
// - When the role may skip foreign key triggers (a superuser, through
//   session_replication_role = replica), two connections load at once, one
//   the messages and the other everything else, and both cores work for
//   PostgreSQL. Without the triggers neither has to see the other's rows.
//   The generator's rows are consistent by construction; the tests check
//   every key.
// - Otherwise one connection loads everything, keys checked row by row.
//
// Maintaining secondary indexes row by row costs more than anything else in
// a bulk load, and more the bigger they get, while building one at the end
// by sorting is several times cheaper. So when this role owns the big tables
// and they are still small next to what is coming (a fresh database, or one
// with the demo data), the loader that fills a table drops its non-unique
// btree indexes in its transaction and builds them again before committing:
// DDL is transactional, a failed load gets its indexes back with its
// rollback. Primary keys and unique indexes stay and keep checking; so do
// the full-text GIN indexes (building one costs about what maintaining it
// does, and maintained it loads while the other connection works).
//
// The SLA worker and the event relay read ticket events by transaction id,
// never past the oldest transaction still running: the loader of the ticket
// events moves their cursors past its own transaction before committing, so
// they never replay the history. (A server running meanwhile also skips
// what others write then: seed a database nobody is using.)
#include <pqxx/pqxx>
#include <pqxx/tablewriter>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <exception>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "helpdesk/cli/commands.hpp"
#include "helpdesk/security/password.hpp"
#include "helpdesk/store/migrations.hpp"
#include "seed_generator.hpp"

namespace helpdesk::cli {
namespace {

using seed::table;

constexpr const char* agent_password = "seed-agent-password";
constexpr long long tickets_per_batch = 5000;

struct seed_usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

long long integer_flag(const std::map<std::string, std::string>& flags, const char* name, long long fallback,
                       long long lo, long long hi) {
  auto it = flags.find(name);
  if (it == flags.end()) return fallback;
  const std::string& v = it->second;
  long long out = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || out < lo || out > hi)
    throw seed_usage_error("--" + std::string(name) + " must be an integer from " + std::to_string(lo) + " to " +
                           std::to_string(hi) + " (got '" + v + "')");
  return out;
}

seed::params parse_flags(const std::map<std::string, std::string>& flags) {
  seed::params p;
  p.brands = static_cast<int>(integer_flag(flags, "brands", 20, 1, seed::max_brands));
  p.agents = static_cast<int>(integer_flag(flags, "agents", 300, 1, seed::max_agents));
  p.tickets = integer_flag(flags, "tickets", 100000, 1, seed::max_tickets);
  p.seed = static_cast<std::uint64_t>(integer_flag(flags, "seed", 42, 0, std::numeric_limits<long long>::max()));
  p.days = static_cast<int>(integer_flag(flags, "days", 365, 1, seed::max_days));
  if (p.agents < p.brands)
    throw seed_usage_error("--agents (" + std::to_string(p.agents) + ") must be at least --brands (" +
                           std::to_string(p.brands) + "): every brand needs an agent");
  p.until = now_utc();
  if (auto it = flags.find("until"); it != flags.end()) {
    auto t = parse_rfc3339(it->second);
    if (!t)
      throw seed_usage_error("--until must be an RFC 3339 instant such as 2026-01-31T18:00:00Z (got '" + it->second + "')");
    p.until = *t;
  }
  return p;
}

std::vector<std::string> slugs_for(const std::string& prefix, int brands) {
  std::vector<std::string> out;
  const int width = brands > 99 ? 3 : 2;
  for (int i = 1; i <= brands; ++i) {
    std::string n = std::to_string(i);
    while (static_cast<int>(n.size()) < width) n = "0" + n;
    out.push_back(prefix + "-" + n);
  }
  return out;
}

std::string text_array(const std::vector<std::string>& v) {
  std::string s = "{";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + v[i];
  return s + "}";
}

// The first prefix whose slugs are all free: "seed", then "seed<seed>".
std::string choose_prefix(pqxx::connection& c, const seed::params& p) {
  pqxx::read_transaction tx(c);
  std::string taken;
  for (const std::string& prefix : {std::string("seed"), "seed" + std::to_string(p.seed)}) {
    auto r = tx.exec_params("SELECT slug FROM brands WHERE slug = ANY($1::text[]) ORDER BY slug LIMIT 1",
                            text_array(slugs_for(prefix, p.brands)));
    if (r.empty()) return prefix;
    taken = r[0][0].as<std::string>();
  }
  throw std::runtime_error("brands " + slugs_for("seed" + std::to_string(p.seed), p.brands).front() +
                           "… already exist (e.g. " + taken + "): seed " + std::to_string(p.seed) +
                           " was loaded here before; use another --seed or a fresh database");
}

// Raw COPY text, many lines per write: tablewriter strips one trailing
// newline and adds its own, so the lines arrive exactly as built. Pieces of
// about a megabyte keep its two copies of each write in warm memory.
void copy_text(pqxx::transaction_base& tx, const std::string& name, const std::vector<std::string>& columns,
               const std::string& text) {
  pqxx::tablewriter w(tx, name, columns.begin(), columns.end());
  std::string piece;
  for (std::size_t from = 0; from < text.size();) {
    std::size_t to = std::min(text.size(), from + (std::size_t{1} << 20));
    if (to < text.size()) to = text.find('\n', to) + 1;  // whole lines; the text ends with one
    piece.assign(text, from, to - from);
    w.write_raw_line(piece);
    from = to;
  }
  w.complete();
}

// Seconds spent loading each table, printed with HELPDESK_SEED_TIMINGS=1.
std::array<std::atomic<long long>, seed::table_count> copy_micros{};

void copy(pqxx::transaction_base& tx, table t, const std::string& text) {
  if (text.empty()) return;
  const auto began = std::chrono::steady_clock::now();
  const auto& s = seed::spec(t);
  copy_text(tx, s.name, s.columns, text);
  copy_micros[static_cast<std::size_t>(t)] +=
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - began).count();
}

// Hands batches from one thread to the next, at most `depth` ahead; stop()
// wakes everyone (an error somewhere ends the whole pipeline).
class batch_queue {
 public:
  explicit batch_queue(std::size_t depth) : depth_(depth) {}
  // False once stopped.
  bool push(std::shared_ptr<seed::batch> b) {
    std::unique_lock lock(mu_);
    room_.wait(lock, [&] { return items_.size() < depth_ || stopped_; });
    if (stopped_) return false;
    items_.push_back(std::move(b));
    ready_.notify_one();
    return true;
  }
  // nullptr at the end (or once stopped).
  std::shared_ptr<seed::batch> pop() {
    std::unique_lock lock(mu_);
    ready_.wait(lock, [&] { return !items_.empty() || done_ || stopped_; });
    if (stopped_ || items_.empty()) return nullptr;
    auto b = std::move(items_.front());
    items_.pop_front();
    room_.notify_one();
    return b;
  }
  void finish() {
    std::lock_guard lock(mu_);
    done_ = true;
    ready_.notify_all();
  }
  void stop() {
    std::lock_guard lock(mu_);
    stopped_ = true;
    ready_.notify_all();
    room_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable ready_, room_;
  std::deque<std::shared_ptr<seed::batch>> items_;
  std::size_t depth_;
  bool done_ = false, stopped_ = false;
};

// The first error of any thread.
class failure {
 public:
  void set(std::exception_ptr e) {
    std::lock_guard lock(mu_);
    if (!error_) error_ = e;
  }
  std::exception_ptr get() {
    std::lock_guard lock(mu_);
    return error_;
  }

 private:
  std::mutex mu_;
  std::exception_ptr error_;
};

// A bar on a terminal; a plain line every 10% otherwise.
class progress {
 public:
  explicit progress(long long total) : total_(total), tty_(::isatty(STDERR_FILENO) == 1), start_(clock::now()) {}
  void update(long long done) {
    const auto now = clock::now();
    const int pct = total_ > 0 ? static_cast<int>(done * 100 / total_) : 100;
    if (tty_) {
      if (done < total_ && now - last_ < std::chrono::milliseconds(200)) return;
      last_ = now;
      const double secs = std::chrono::duration<double>(now - start_).count();
      const int width = 30, filled = pct * width / 100;
      std::string bar(static_cast<std::size_t>(filled), '#');
      bar.resize(static_cast<std::size_t>(width), '-');
      char line[200];
      if (done > 0 && done < total_) {
        const double left = secs * static_cast<double>(total_ - done) / static_cast<double>(done);
        std::snprintf(line, sizeof line, "\rseed: [%s] %3d%% tickets %lld/%lld  %.0fs, ~%.0fs left ", bar.c_str(), pct,
                      done, total_, secs, left);
      } else {
        std::snprintf(line, sizeof line, "\rseed: [%s] %3d%% tickets %lld/%lld  %.0fs            ", bar.c_str(), pct,
                      done, total_, secs);
      }
      std::cerr << line << std::flush;
      drawn_ = true;
    } else if (pct / 10 > reported_ / 10 || (done == total_ && reported_ < 100)) {
      reported_ = pct;
      std::cerr << "seed: tickets " << done << "/" << total_ << " (" << pct << "%)" << std::endl;
    }
  }
  // A line of its own; after the load (`done`), the bar is not drawn again.
  void phase(const std::string& what, bool done = true) {
    if (tty_ && drawn_) std::cerr << "\n";
    if (done) tty_ = false;
    std::cerr << "seed: " << what << std::endl;
  }

 private:
  using clock = std::chrono::steady_clock;
  long long total_;
  bool tty_;
  clock::time_point start_, last_{};
  int reported_ = -1;
  bool drawn_ = false;
};

// --- Deferred indexes ---

const std::map<std::string, double> rows_per_ticket = {
    {"messages", 4.8}, {"ticket_events", 7.8}, {"sla_events", 11.2}, {"sla_clocks", 3.4},
    {"tickets", 1},    {"customers", 0.2},    {"customer_identities", 0.4}};

struct deferred_index {
  std::string table, name, definition;
};

// Whether this role owns the big tables and they are small next to the load.
bool may_defer_indexes(pqxx::connection& c, long long tickets, std::string& why_not) {
  pqxx::read_transaction tx(c);
  std::vector<std::string> names;
  for (const auto& [name, _] : rows_per_ticket) names.push_back(name);
  const bool owner = tx.exec_params1("SELECT bool_and(pg_has_role(current_user, relowner, 'USAGE')) FROM pg_class WHERE "
                                     "oid = ANY(ARRAY(SELECT to_regclass('public.' || t) FROM unnest($1::text[]) t))",
                                     text_array(names))[0]
                         .as<bool>(false);
  if (!owner) {
    why_not = "this role does not own the tables";
    return false;
  }
  // The messages already there have to be indexed again: worth it when few.
  if (tx.exec_params1("SELECT count(*) FROM (SELECT 1 FROM messages LIMIT $1) x", tickets)[0].as<long long>() >= tickets) {
    why_not = "the database already holds many messages";
    return false;
  }
  return true;
}

// Drops the non-unique btree indexes of the tables, in the caller's transaction.
std::vector<deferred_index> drop_indexes(pqxx::transaction_base& tx, const std::vector<table>& tables) {
  std::vector<std::string> names;
  for (table t : tables)
    if (rows_per_ticket.count(seed::spec(t).name)) names.push_back(seed::spec(t).name);
  std::vector<deferred_index> out;
  if (names.empty()) return out;
  tx.exec("SET LOCAL lock_timeout = '10s'");
  for (const auto& r : tx.exec_params(
           "SELECT t.relname, c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = "
           "i.indexrelid JOIN pg_class t ON t.oid = i.indrelid JOIN pg_am am ON am.oid = c.relam WHERE t.relnamespace = "
           "'public'::regnamespace AND t.relname = ANY($1::text[]) AND NOT i.indisunique AND NOT i.indisprimary AND "
           "am.amname = 'btree' ORDER BY t.relname, c.relname",
           text_array(names)))
    out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>()});
  for (const auto& d : out) tx.exec("DROP INDEX " + tx.quote_name(d.name));
  tx.exec("SET LOCAL lock_timeout = 0");
  return out;
}

// One connection, one transaction, a set of tables.
struct loader {
  std::unique_ptr<pqxx::connection> conn;
  std::unique_ptr<pqxx::work> tx;
  std::vector<table> tables;
  std::vector<deferred_index> dropped;
  std::atomic<long long> done{0};  // tickets whose rows of these tables are in

  loader(const std::string& url, std::vector<table> owned) : conn(std::make_unique<pqxx::connection>(url)), tables(std::move(owned)) {
    conn->set_client_encoding("UTF8");
    tx = std::make_unique<pqxx::work>(*conn);
    tx->exec("SET LOCAL synchronous_commit = off");
    tx->exec("SET LOCAL statement_timeout = 0");
    tx->exec("SET LOCAL maintenance_work_mem = '512MB'");
  }
  bool owns(table t) const { return std::find(tables.begin(), tables.end(), t) != tables.end(); }
  void load(seed::batch& b) {
    for (table t : tables) {
      copy(*tx, t, b.of(t));
      std::string().swap(b.of(t));
    }
    done = b.tickets_done;
  }
  void build_indexes(int parallel_workers) {
    tx->exec("SET LOCAL max_parallel_maintenance_workers = " + std::to_string(parallel_workers));
    for (const auto& d : dropped) tx->exec(d.definition);
  }
};

// Tries to turn off the foreign key triggers for this transaction.
bool skip_key_checks(pqxx::work& tx) {
  try {
    pqxx::subtransaction s(tx, "replica");
    s.exec("SET LOCAL session_replication_role = replica");
    s.commit();
    return true;
  } catch (const pqxx::sql_error&) {
    return false;
  }
}

}  // namespace

int run_seed(const config& cfg, const std::map<std::string, std::string>& flags) {
  seed::params p;
  try {
    p = parse_flags(flags);
  } catch (const seed_usage_error& ex) {
    std::cerr << "helpdesk seed: " << ex.what() << std::endl;
    return 2;
  }
  const auto started = std::chrono::steady_clock::now();
  try {
    pqxx::connection c(cfg.database_url);
    if (!store::read_migration_status(c).up_to_date()) {
      std::cerr << "helpdesk seed: the schema is behind; run `helpdesk migrate` first" << std::endl;
      return 3;
    }
    p.slug_prefix = choose_prefix(c, p);
    p.password_hash = security::hash_password(agent_password);
    std::string why_not;
    const bool defer = may_defer_indexes(c, p.tickets, why_not);

    seed::generator gen(p);
    progress bar(p.tickets);
    std::cerr << "seed: " << p.brands << " brands (" << p.slug_prefix << "-…), " << p.agents << " agents, "
              << p.tickets << " tickets over " << p.days << " days, seed " << p.seed << std::endl;

    // The main loader: the directory, the tickets and their events; brands
    // go in first, with their triggers (ticket number sequences, the
    // Callbacks and Default queues, whose ids then become the generator's).
    std::vector<table> all;
    for (std::size_t t = 0; t < seed::table_count; ++t) all.push_back(static_cast<table>(t));
    loader main_loader(cfg.database_url, all);
    {
      seed::batch dir;
      gen.directory(dir);
      auto& tx = *main_loader.tx;
      copy(tx, table::brands, dir.of(table::brands));
      for (const auto& b : gen.brands()) {
        tx.exec_params("UPDATE queues SET id = $2 WHERE brand_id = $1 AND name = 'Callbacks'", b.id, b.callbacks_queue_id);
        tx.exec_params("UPDATE queues SET id = $2 WHERE brand_id = $1 AND name = 'Default'", b.id, b.default_queue_id);
      }
      for (std::size_t t = 1; t < seed::table_count; ++t) copy(tx, static_cast<table>(t), dir.text[t]);
    }
    const bool parallel = skip_key_checks(*main_loader.tx);
    std::unique_ptr<loader> messages_loader;
    if (parallel) {
      std::vector<table> rest;
      for (table t : all)
        if (t != table::messages) rest.push_back(t);
      main_loader.tables = rest;
      messages_loader = std::make_unique<loader>(cfg.database_url, std::vector<table>{table::messages});
      if (!skip_key_checks(*messages_loader->tx)) throw std::runtime_error("could not turn off key checks twice");
    }
    if (defer) {
      main_loader.dropped = drop_indexes(*main_loader.tx, main_loader.tables);
      if (messages_loader) messages_loader->dropped = drop_indexes(*messages_loader->tx, messages_loader->tables);
    }
    const std::size_t dropped = main_loader.dropped.size() + (messages_loader ? messages_loader->dropped.size() : 0);
    bar.phase(std::string(parallel ? "two connections, foreign key triggers off (rows consistent by construction)"
                                   : "one connection, foreign keys checked row by row (a superuser loads faster)") +
              "; " +
              (dropped ? std::to_string(dropped) + " secondary indexes dropped, built again at the end"
                       : "secondary indexes kept up to date row by row (" + why_not + ")"),
              false);

    batch_queue generated(3), for_messages(3);
    failure failed;
    auto guarded = [&](auto body) {
      return [&, body] {
        try {
          body();
        } catch (...) {
          failed.set(std::current_exception());
          generated.stop();
          for_messages.stop();
        }
      };
    };
    std::thread producer(guarded([&] {
      for (;;) {
        auto b = std::make_shared<seed::batch>();
        if (!gen.next(*b, tickets_per_batch) || !generated.push(std::move(b))) break;
      }
      generated.finish();
    }));
    std::thread main_thread(guarded([&] {
      while (auto b = generated.pop()) {
        if (messages_loader && !for_messages.push(b)) break;
        main_loader.load(*b);
      }
      for_messages.finish();
    }));
    std::thread messages_thread;
    if (messages_loader)
      messages_thread = std::thread(guarded([&] {
        while (auto b = for_messages.pop()) messages_loader->load(*b);
      }));
    auto loaded = [&] {
      return std::min(main_loader.done.load(), messages_loader ? messages_loader->done.load() : p.tickets);
    };
    while (loaded() < p.tickets && !failed.get()) {
      bar.update(loaded());
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    producer.join();
    main_thread.join();
    if (messages_thread.joinable()) messages_thread.join();
    if (auto error = failed.get()) std::rethrow_exception(error);
    bar.update(p.tickets);

    if (dropped) {
      const double load_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      bar.phase("building " + std::to_string(dropped) + " secondary indexes (" +
                std::to_string(static_cast<long long>(load_secs)) + " s in)");
      if (messages_loader) {
        std::exception_ptr index_error;
        std::thread other([&] {
          try {
            messages_loader->build_indexes(0);
          } catch (...) {
            index_error = std::current_exception();
          }
        });
        main_loader.build_indexes(1);
        other.join();
        if (index_error) std::rethrow_exception(index_error);
      } else {
        main_loader.build_indexes(2);
      }
    }

    bar.phase("finishing: customers' last contact, agents' last assignment, ticket numbers, worker cursors");
    auto& tx = *main_loader.tx;
    tx.exec("CREATE TEMPORARY TABLE seed_latest (id uuid PRIMARY KEY, at timestamptz NOT NULL) ON COMMIT DROP");
    copy_text(tx, "seed_latest", {"id", "at"}, gen.last_contacts());
    tx.exec("UPDATE customers c SET last_contact_at = s.at, updated_at = s.at FROM seed_latest s WHERE c.id = s.id");
    tx.exec("TRUNCATE seed_latest");
    copy_text(tx, "seed_latest", {"id", "at"}, gen.last_assignments());
    tx.exec("UPDATE agents a SET last_assigned_at = s.at FROM seed_latest s WHERE a.id = s.id");
    for (const auto& b : gen.brands())
      if (b.last_number > 0) tx.exec_params("SELECT setval(ticket_number_sequence($1)::regclass, $2)", b.id, b.last_number);
    // Loaded with triggers off (replica role), the SLA events still need
    // folding into their clocks' facts; the trigger did it otherwise.
    if (parallel) {
      bar.phase("folding SLA events into clock facts");
      std::string ids;
      for (const auto& b : gen.brands()) ids += (ids.empty() ? "" : ", ") + tx.quote(b.id);
      const auto source = "(SELECT * FROM sla_events WHERE brand_id IN (" + ids + ")) AS seeded";
      const auto sql = tx.exec_params1("SELECT sla_clock_facts_merge_sql($1)", source)[0].as<std::string>();
      tx.exec(sql);
      // And the logs into the hourly report counts, each by the transaction
      // that holds its rows.
      bar.phase("counting the seeded logs by the hour for the reports");
      auto count_into = [&ids](pqxx::work& t, const char* counts_sql, const char* table_name) {
        const auto from = std::string("(SELECT * FROM ") + table_name + " WHERE brand_id IN (" + ids + "))";
        t.exec(t.exec_params1(std::string("SELECT report_counts_add_sql(") + counts_sql + "($1))", from)[0].as<std::string>());
      };
      count_into(tx, "report_ticket_counts_sql", "ticket_events");
      count_into(*messages_loader->tx, "report_message_counts_sql", "messages");
    }
    // This transaction wrote every seeded ticket event: the workers start after it.
    tx.exec("UPDATE sla_progress SET tx_cursor = greatest(tx_cursor, pg_current_xact_id()::text::bigint + 1)");
    tx.exec("UPDATE event_relay SET tx_cursor = greatest(tx_cursor, pg_current_xact_id()::text::bigint + 1)");
    // The messages reference the other transaction's rows: committed right after it.
    tx.commit();
    if (messages_loader) messages_loader->tx->commit();

    bar.phase("ANALYZE");
    {
      pqxx::nontransaction nt(c);
      nt.exec(
          "ANALYZE brands, queues, agents, agent_brands, agent_presence_intervals, customers, customer_identities, "
          "tickets, messages, ticket_events, callback_attempts, sla_clocks, sla_events, sla_tickets");
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const auto& n = gen.counted();
    char line[600];
    std::snprintf(line, sizeof line,
                  "seeded %lld brands, %lld agents, %lld customers, %lld tickets, %lld messages, %lld events "
                  "(%lld ticket events, %lld sla events, %lld sla clocks, %lld callback attempts, %lld presence "
                  "intervals) in %.1f s",
                  n.of(table::brands), n.of(table::agents), n.of(table::customers), n.of(table::tickets),
                  n.of(table::messages), n.of(table::ticket_events) + n.of(table::sla_events),
                  n.of(table::ticket_events), n.of(table::sla_events), n.of(table::sla_clocks),
                  n.of(table::callback_attempts), n.of(table::agent_presence_intervals), secs);
    std::cout << line << std::endl;
    if (const char* v = std::getenv("HELPDESK_SEED_TIMINGS"); v && *v == '1')
      for (std::size_t t = 0; t < seed::table_count; ++t)
        std::cerr << "seed: " << seed::spec(static_cast<table>(t)).name << " " << copy_micros[t] / 1e6 << " s" << std::endl;
    std::cout << "agents log in with password '" << agent_password << "'; brands " << p.slug_prefix << "-…"
              << std::endl;
    return 0;
  } catch (const std::exception& ex) {
    std::cerr << "\nhelpdesk seed: " << ex.what() << "; nothing was loaded" << std::endl;
    return 1;
  }
}

}  // namespace helpdesk::cli
