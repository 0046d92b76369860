#include "helpdesk/security/password.hpp"

#include <argon2.h>

#include <stdexcept>
#include <vector>

#include "helpdesk/security/tokens.hpp"

namespace helpdesk::security {

std::string hash_password(std::string_view password, const argon2_params& p) {
  const std::string salt = random_bytes(16);
  const std::size_t hash_len = 32;
  std::size_t encoded_len = argon2_encodedlen(p.iterations, p.memory_kib, p.parallelism,
                                              static_cast<std::uint32_t>(salt.size()),
                                              hash_len, Argon2_id);
  std::vector<char> encoded(encoded_len);
  int rc = argon2id_hash_encoded(p.iterations, p.memory_kib, p.parallelism, password.data(),
                                 password.size(), salt.data(), salt.size(), hash_len,
                                 encoded.data(), encoded.size());
  if (rc != ARGON2_OK) throw std::runtime_error(std::string("argon2: ") + argon2_error_message(rc));
  return std::string(encoded.data());
}

bool verify_password(std::string_view password, const std::string& encoded_hash) {
  if (encoded_hash.rfind("$argon2id$", 0) != 0) return false;
  return argon2id_verify(encoded_hash.c_str(), password.data(), password.size()) == ARGON2_OK;
}

const std::string& decoy_password_hash() {
  static const std::string h = hash_password(base64url(random_bytes(24)));
  return h;
}

}  // namespace helpdesk::security
