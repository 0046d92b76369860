#pragma once
// Runs the real `helpdesk` binary as a child process for end-to-end tests.
#include <chrono>
#include <string>
#include <vector>

namespace helpdesk::testing {

struct process_result {
  int exit_code = -1;  // -1: still running or killed by a signal
  std::string output;
};

class server_process {
 public:
  // Starts `helpdesk serve --listen 127.0.0.1:0 <extra>` and waits for the
  // "listening on" line to learn the port.
  server_process(const std::string& database_url, std::vector<std::string> extra_args = {});
  ~server_process();
  unsigned short port() const { return port_; }
  void signal(int sig);
  // Waits for exit; returns the exit status or -1 on timeout.
  int wait_exit(std::chrono::milliseconds timeout);
  std::string output() const;

 private:
  int pid_ = -1;
  unsigned short port_ = 0;
  std::string log_path_;
  bool exited_ = false;
  int exit_code_ = -1;
};

// Runs the binary to completion (e.g. `migrate`) and captures its output.
process_result run_helpdesk(const std::vector<std::string>& args, const std::vector<std::string>& env = {});
// Starts the binary without waiting (for racing two of them).
int spawn_helpdesk(const std::vector<std::string>& args, const std::vector<std::string>& env, const std::string& log_path);
int wait_pid(int pid);
std::string read_file(const std::string& path);
// Runs a shell command; returns its exit status.
int shell(const std::string& command);

}  // namespace helpdesk::testing
