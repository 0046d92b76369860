#pragma once
#include <map>
#include <string>
#include <vector>

#include "helpdesk/cli/config.hpp"

namespace helpdesk::cli {

// Exit statuses: 0 ok, 1 runtime failure, 2 bad usage or configuration,
// 3 database schema behind the binary.
int run_serve(const config& cfg);
int run_migrate(const config& cfg);
int run_seed_demo(const config& cfg);
int run_token_create(const config& cfg, const std::map<std::string, std::string>& flags);
// `seed --brands N --agents N --tickets N --seed N --days N [--until RFC3339]`:
// a large deterministic history loaded with COPY (src/cli/seed_command.cpp).
int run_seed(const config& cfg, const std::map<std::string, std::string>& flags);
std::string usage();

}  // namespace helpdesk::cli
