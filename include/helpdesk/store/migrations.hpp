#pragma once
// Numbered SQL migrations compiled into the binary, applied once each in its
// own transaction under an advisory lock so that nodes starting together are safe.
#include <functional>
#include <string>
#include <vector>

namespace pqxx {
class connection_base;
}

namespace helpdesk::store {

struct embedded_migration {
  const char* file;  // "0001_foundation.sql"
  const char* sql;
};
const std::vector<embedded_migration>& embedded_migrations();  // generated

struct migration {
  int version = 0;
  std::string name;
  std::string sql;
  std::string checksum;
};

std::vector<migration> known_migrations();  // sorted by version
int latest_migration_version();

struct migration_status {
  int current = 0;  // highest applied version, 0 when none
  int latest = 0;
  bool up_to_date() const { return current >= latest; }
};

migration_status read_migration_status(pqxx::connection_base& c);

// Applies the missing migrations; returns the versions it applied.
std::vector<int> apply_migrations(pqxx::connection_base& c,
                                  const std::function<void(const std::string&)>& log);

}  // namespace helpdesk::store
