#include "helpdesk/store/migrations.hpp"

#include <pqxx/pqxx>

#include <algorithm>
#include <stdexcept>

#include "helpdesk/security/tokens.hpp"

namespace helpdesk::store {
namespace {

// Any fixed 64-bit number works; this one spells "helpdesk" loosely.
constexpr long long migration_lock_key = 0x6865'6c70'6465'736b;

constexpr const char* create_table_sql = R"(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    int PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
))";

}  // namespace

std::vector<migration> known_migrations() {
  std::vector<migration> out;
  for (const auto& m : embedded_migrations()) {
    std::string file = m.file;
    auto underscore = file.find('_');
    if (underscore == std::string::npos) throw std::logic_error("migration without number: " + file);
    migration mig;
    mig.version = std::stoi(file.substr(0, underscore));
    mig.name = file.substr(underscore + 1, file.size() - underscore - 1 - 4);
    mig.sql = m.sql;
    mig.checksum = security::sha256_hex(mig.sql);
    out.push_back(std::move(mig));
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.version < b.version; });
  return out;
}

int latest_migration_version() {
  auto all = known_migrations();
  return all.empty() ? 0 : all.back().version;
}

migration_status read_migration_status(pqxx::connection_base& c) {
  migration_status s;
  s.latest = latest_migration_version();
  pqxx::nontransaction tx(c);
  auto exists = tx.exec("SELECT to_regclass('schema_migrations') IS NOT NULL");
  if (!exists[0][0].as<bool>()) return s;
  auto r = tx.exec("SELECT coalesce(max(version), 0) FROM schema_migrations");
  s.current = r[0][0].as<int>();
  return s;
}

std::vector<int> apply_migrations(pqxx::connection_base& c,
                                  const std::function<void(const std::string&)>& log) {
  std::vector<int> applied;
  {
    pqxx::nontransaction lock(c);
    lock.exec("SELECT pg_advisory_lock(" + std::to_string(migration_lock_key) + ")");
  }
  auto unlock = [&c] {
    try {
      pqxx::nontransaction tx(c);
      tx.exec("SELECT pg_advisory_unlock(" + std::to_string(migration_lock_key) + ")");
    } catch (const std::exception&) {
      // The session-level lock dies with the connection anyway.
    }
  };
  try {
    {
      pqxx::work tx(c);
      tx.exec(create_table_sql);
      tx.commit();
    }
    for (const auto& m : known_migrations()) {
      pqxx::work tx(c);
      auto row = tx.exec_params("SELECT checksum FROM schema_migrations WHERE version = $1", m.version);
      if (!row.empty()) {
        if (row[0][0].as<std::string>() != m.checksum)
          log("warning: migration " + std::to_string(m.version) + " (" + m.name +
              ") differs from the version applied to this database");
        continue;
      }
      tx.exec(m.sql);
      tx.exec_params("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                     m.version, m.name, m.checksum);
      tx.commit();
      log("applied migration " + std::to_string(m.version) + " " + m.name);
      applied.push_back(m.version);
    }
  } catch (...) {
    unlock();
    throw;
  }
  unlock();
  return applied;
}

}  // namespace helpdesk::store
