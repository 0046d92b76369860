#include "support/server_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace helpdesk::testing {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int shell(const std::string& command) {
  int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

int spawn_helpdesk(const std::vector<std::string>& args, const std::vector<std::string>& env, const std::string& log_path) {
  std::vector<std::string> argv_s = {HELPDESK_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // A test binary that aborts (a sanitizer report, a crash) runs no
    // destructors; without this its servers live on, spinning against a
    // dropped database and skewing every benchmark run after them. The
    // signal follows the forking thread, so spawn from the test's own thread.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    // The child must not inherit the test's own configuration by accident.
    for (char** e = environ; *e; ++e) {
      std::string kv = *e;
      if (kv.rfind("HELPDESK_", 0) == 0 && kv.rfind("HELPDESK_TEST_", 0) != 0) ::unsetenv(kv.substr(0, kv.find('=')).c_str());
    }
    for (const auto& kv : env) ::putenv(const_cast<char*>(kv.c_str()));
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

int wait_pid(int pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

process_result run_helpdesk(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  char tmpl[] = "/tmp/helpdesk-run-XXXXXX";
  int fd = ::mkstemp(tmpl);
  ::close(fd);
  process_result r;
  r.exit_code = wait_pid(spawn_helpdesk(args, env, tmpl));
  r.output = read_file(tmpl);
  ::unlink(tmpl);
  return r;
}

server_process::server_process(const std::string& database_url, std::vector<std::string> extra_args) {
  char tmpl[] = "/tmp/helpdesk-serve-XXXXXX";
  int fd = ::mkstemp(tmpl);
  ::close(fd);
  log_path_ = tmpl;
  std::vector<std::string> args = {"serve", "--listen", "127.0.0.1:0", "--database-url", database_url, "--threads", "2"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = spawn_helpdesk(args, {}, log_path_);
  static const std::regex listening(R"(listening on http://127\.0\.0\.1:(\d+))");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    std::string out = read_file(log_path_);
    if (std::regex_search(out, m, listening)) {
      port_ = static_cast<unsigned short>(std::stoi(m[1]));
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      throw std::runtime_error("helpdesk serve exited early:\n" + out);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("helpdesk serve did not start:\n" + read_file(log_path_));
}

server_process::~server_process() {
  if (pid_ > 0 && !exited_) {
    ::kill(pid_, SIGTERM);
    if (wait_exit(std::chrono::seconds(15)) == -1 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  ::unlink(log_path_.c_str());
}

void server_process::signal(int sig) { ::kill(pid_, sig); }

int server_process::wait_exit(std::chrono::milliseconds timeout) {
  if (exited_) return exit_code_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      return exit_code_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

std::string server_process::output() const { return read_file(log_path_); }

}  // namespace helpdesk::testing
