#pragma once
// Batches log lines into one write() every few milliseconds. Access logs are
// one line per request: handing each to a queue that wakes a consumer thread
// cost a fifth of the server's throughput in our benchmark; appending to a
// buffer under a short lock costs almost nothing.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace helpdesk::obs {

class line_batcher {
 public:
  explicit line_batcher(int fd, std::chrono::milliseconds interval = std::chrono::milliseconds(50),
                        std::size_t flush_bytes = 256 * 1024);
  ~line_batcher();
  void append(std::string_view line);  // a whole line, newline included
  void flush();                        // writes what is buffered now

 private:
  void run();
  void write_all(const std::string& data);
  int fd_;
  std::chrono::milliseconds interval_;
  std::size_t flush_bytes_;
  std::mutex mutex_;
  std::mutex write_mutex_;
  std::condition_variable cv_;
  std::string buffer_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace helpdesk::obs
