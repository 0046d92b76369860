#pragma once
// Brands as the ingest path needs them, cached for a few seconds: every
// inbound event names its brand (by id, slug or recipient address) and
// brands change rarely. A change reaches ingest within the TTL.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "helpdesk/domain/directory.hpp"

namespace helpdesk::app {

class brand_cache {
 public:
  explicit brand_cache(std::chrono::milliseconds ttl = std::chrono::seconds(5)) : ttl_(ttl) {}

  std::optional<brand> get(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end() || std::chrono::steady_clock::now() > it->second.expires) return std::nullopt;
    return it->second.value;
  }
  void put(const std::string& key, const brand& b) {
    std::lock_guard lock(mutex_);
    if (entries_.size() > 10000) entries_.clear();  // recipient lists are open-ended; stay bounded
    entries_[key] = {b, std::chrono::steady_clock::now() + ttl_};
  }

 private:
  struct entry {
    brand value;
    std::chrono::steady_clock::time_point expires;
  };
  std::chrono::milliseconds ttl_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;
};

}  // namespace helpdesk::app
