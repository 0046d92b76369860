#include "helpdesk/domain/ids.hpp"

#include <cctype>
#include <chrono>
#include <cstdint>
#include <random>

namespace helpdesk {

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

namespace {

std::uint64_t unix_ms(std::chrono::system_clock::time_point at) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count());
}

std::string canonical(const std::uint8_t (&b)[16]) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[b[i] >> 4];
    out += hex[b[i] & 0x0f];
  }
  return out;
}

}  // namespace

std::string new_uuid_v7() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const auto ms = unix_ms(std::chrono::system_clock::now());
  std::uint8_t b[16];
  for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(ms >> (8 * (5 - i)));
  const std::uint64_t r1 = rng(), r2 = rng();
  for (int i = 6; i < 16; ++i) b[i] = static_cast<std::uint8_t>((i < 11 ? r1 : r2) >> (8 * (i % 5)));
  b[6] = static_cast<std::uint8_t>(0x70 | (b[6] & 0x0f));  // version 7
  b[8] = static_cast<std::uint8_t>(0x80 | (b[8] & 0x3f));  // RFC 4122 variant
  return canonical(b);
}

std::string uuid_v7_lower_bound(std::chrono::system_clock::time_point at) {
  const auto ms = unix_ms(at);
  std::uint8_t b[16] = {};
  for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(ms >> (8 * (5 - i)));
  return canonical(b);
}

}  // namespace helpdesk
