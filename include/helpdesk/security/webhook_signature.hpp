#pragma once
// Standard Webhooks signing: "v1," + base64(HMAC-SHA256(key, id.timestamp.body)).
// A secret is shown as "whsec_" + base64 of its key bytes; the key is the
// decoded bytes, never the text.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace helpdesk::security {

inline constexpr std::string_view webhook_secret_prefix = "whsec_";

std::string base64(std::string_view bytes);  // RFC 4648 section 4, padded
std::string new_webhook_secret();            // 32 random key bytes
// The key bytes of a "whsec_..." secret; nullopt when it is not one.
std::optional<std::string> webhook_secret_key(std::string_view secret);
std::string hmac_sha256(std::string_view key, std::string_view data);
// The `webhook-signature` value for one secret.
std::string webhook_signature(std::string_view secret, std::string_view id, std::int64_t timestamp,
                              std::string_view body);

}  // namespace helpdesk::security
