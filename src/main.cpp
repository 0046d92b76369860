#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "helpdesk/cli/commands.hpp"

extern char** environ;

#ifndef HELPDESK_VERSION
#define HELPDESK_VERSION "dev"
#endif

int main(int argc, char** argv) {
  using namespace helpdesk::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (auto eq = kv.find('='); eq != std::string::npos && kv.rfind("HELPDESK_", 0) == 0)
      env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  parsed_command_line cmd;
  try {
    cmd = parse_command_line(args, env, {"role", "name", "brand", "brands", "agents", "tickets", "seed", "days", "until"});
  } catch (const config_error& ex) {
    std::cerr << "helpdesk: " << ex.what() << std::endl;
    return 2;
  }
  if (cmd.help || cmd.positional.empty() || cmd.positional[0] == "help") {
    std::cout << usage();
    return cmd.positional.empty() && !cmd.help ? 2 : 0;
  }
  const std::string& command = cmd.positional[0];
  if (command == "version") {
    std::cout << "helpdesk " << HELPDESK_VERSION << std::endl;
    return 0;
  }
  if (command == "serve") return run_serve(cmd.cfg);
  if (command == "migrate") return run_migrate(cmd.cfg);
  if (command == "seed-demo") return run_seed_demo(cmd.cfg);
  if (command == "seed") return run_seed(cmd.cfg, cmd.command_flags);
  if (command == "token" && cmd.positional.size() >= 2 && cmd.positional[1] == "create")
    return run_token_create(cmd.cfg, cmd.command_flags);
  std::cerr << "helpdesk: unknown command '" << command << "' (see --help)" << std::endl;
  return 2;
}
