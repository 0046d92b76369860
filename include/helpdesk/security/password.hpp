#pragma once
// argon2id password hashing. Costs at or above OWASP's minimum
// (m = 19 MiB, t = 2, p = 1); the encoded hash records its own parameters, so
// raising them later still verifies old hashes.
#include <cstdint>
#include <string>
#include <string_view>

namespace helpdesk::security {

struct argon2_params {
  std::uint32_t memory_kib = 19 * 1024;
  std::uint32_t iterations = 2;
  std::uint32_t parallelism = 1;
};

std::string hash_password(std::string_view password, const argon2_params& p = {});
bool verify_password(std::string_view password, const std::string& encoded_hash);
// A valid hash of a random password, for equalising the timing of logins to
// unknown accounts.
const std::string& decoy_password_hash();

}  // namespace helpdesk::security
