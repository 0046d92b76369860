#include "helpdesk/security/webhook_signature.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "helpdesk/security/tokens.hpp"

namespace helpdesk::security {

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string new_webhook_secret() { return std::string(webhook_secret_prefix) + base64(random_bytes(32)); }

std::optional<std::string> webhook_secret_key(std::string_view secret) {
  if (!secret.starts_with(webhook_secret_prefix)) return std::nullopt;
  auto key = base64_decode(secret.substr(webhook_secret_prefix.size()));
  if (!key || key->size() < 16) return std::nullopt;
  return key;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
            data.size(), digest, &len))
    throw std::runtime_error("OpenSSL HMAC failed");
  return std::string(reinterpret_cast<char*>(digest), len);
}

std::string webhook_signature(std::string_view secret, std::string_view id, std::int64_t timestamp,
                              std::string_view body) {
  const auto key = webhook_secret_key(secret);
  if (!key) throw std::invalid_argument("not a webhook secret");
  std::string content;
  content.reserve(id.size() + body.size() + 24);
  content.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
  return "v1," + base64(hmac_sha256(*key, content));
}

}  // namespace helpdesk::security
