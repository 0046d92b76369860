#pragma once
// Bearer credentials: 256 random bits, a readable prefix that says what the
// token is (so leaked ones are recognisable by secret scanners), stored only
// as a SHA-256 digest.
#include <optional>
#include <string>
#include <string_view>

namespace helpdesk::security {

inline constexpr std::string_view api_token_prefix = "hdk_";
inline constexpr std::string_view session_token_prefix = "hds_";

std::string random_bytes(std::size_t n);               // from OpenSSL's CSPRNG
std::string base64url(std::string_view bytes);          // no padding
std::optional<std::string> base64url_decode(std::string_view text);
// Standard base64 (RFC 4648 section 4) as mail and JSON APIs send it: line
// breaks and spaces are skipped, padding optional; nullopt for anything else.
std::optional<std::string> base64_decode(std::string_view text);
std::string generate_token(std::string_view prefix);    // prefix + base64url(32 bytes)
std::string sha256_hex(std::string_view data);
// SHA-256 over data handed in pieces: the digest of text that is never built.
class sha256_stream {
 public:
  sha256_stream();
  ~sha256_stream();
  sha256_stream(const sha256_stream&) = delete;
  sha256_stream& operator=(const sha256_stream&) = delete;
  void update(std::string_view piece);
  std::string hex();  // ends the stream
 private:
  void* ctx_;
};
bool constant_time_equal(std::string_view a, std::string_view b);
bool looks_like_token(std::string_view token);          // known prefix and length

}  // namespace helpdesk::security
