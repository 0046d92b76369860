#include "helpdesk/obs/line_batcher.hpp"

#include <unistd.h>

#include <cerrno>

namespace helpdesk::obs {

line_batcher::line_batcher(int fd, std::chrono::milliseconds interval, std::size_t flush_bytes)
    : fd_(fd), interval_(interval), flush_bytes_(flush_bytes), thread_([this] { run(); }) {}

line_batcher::~line_batcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
  flush();
}

void line_batcher::append(std::string_view line) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    buffer_.append(line);
    wake = buffer_.size() >= flush_bytes_;
  }
  if (wake) cv_.notify_one();
}

void line_batcher::flush() {
  std::string out;
  {
    std::lock_guard lock(mutex_);
    out.swap(buffer_);
  }
  write_all(out);
}

void line_batcher::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    cv_.wait_for(lock, interval_, [this] { return stopping_ || buffer_.size() >= flush_bytes_; });
    std::string out;
    out.swap(buffer_);
    lock.unlock();
    write_all(out);
    lock.lock();
  }
}

void line_batcher::write_all(const std::string& data) {
  std::lock_guard lock(write_mutex_);  // keeps batches whole and in order
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd_, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // stdout gone: drop rather than block the server
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace helpdesk::obs
