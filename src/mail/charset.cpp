#include "charset.hpp"

#include <iconv.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <optional>
#include <utility>

namespace helpdesk::mail::detail {
namespace {

constexpr std::string_view replacement_char = "\xEF\xBF\xBD";

// windows-1252 0x80..0x9F; the five undefined bytes map to their C1 code
// points as browsers do, so no byte is ever lost.
constexpr std::array<char32_t, 32> cp1252_high = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

void append_code_point(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Length of the well-formed UTF-8 sequence starting at `i` (RFC 3629: no
// overlongs, surrogates or code points past U+10FFFF), 0 when there is none.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return 1;
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return len;
}

bool is_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::string lower_trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '"' || s.front() == '\'')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '"' || s.back() == '\'')) s.remove_suffix(1);
  std::string out;
  out.reserve(s.size());
  for (char c : s) out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
  return out;
}

bool is_utf8_label(std::string_view n) {
  return n == "utf-8" || n == "utf8" || n == "x-utf-8" || n == "unicode-1-1-utf-8";
}

// Labels that in practice mean "whatever the mailer had": read as UTF-8
// when that is well formed, windows-1252 otherwise (a superset of latin1
// whose 0x80-0x9F range is what such mail really uses).
bool is_western_default_label(std::string_view n) {
  static constexpr std::array<std::string_view, 14> labels = {
      "", "us-ascii", "ascii", "ansi_x3.4-1968", "iso-8859-1", "iso8859-1", "iso_8859-1",
      "latin1", "latin-1", "l1", "windows-1252", "cp1252", "unknown-8bit", "x-unknown"};
  for (auto l : labels) {
    if (n == l) return true;
  }
  return false;
}

// Supersets that decode what mailers really send under the narrower label
// (the same substitutions browsers make).
std::string iconv_name_for(std::string_view n) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> aliases = {{
      {"shift_jis", "CP932"}, {"shift-jis", "CP932"}, {"sjis", "CP932"}, {"x-sjis", "CP932"},
      {"gb2312", "GB18030"}, {"gbk", "GB18030"}, {"euc-cn", "GB18030"}, {"x-gbk", "GB18030"},
      {"ks_c_5601-1987", "CP949"}, {"euc-kr", "CP949"}, {"ks_c_5601", "CP949"},
      {"tis-620", "CP874"}, {"windows-874", "CP874"}, {"iso-8859-8-i", "ISO-8859-8"},
      {"unicode-1-1-utf-7", "UTF-7"}, {"x-mac-roman", "MACINTOSH"},
  }};
  for (const auto& [label, name] : aliases) {
    if (n == label) return std::string(name);
  }
  return std::string(n);
}

// Charset labels come from the message: anything but a plain token is
// treated as unknown rather than handed to iconv.
bool is_plausible_label(std::string_view n) {
  if (n.empty() || n.size() > 40) return false;
  for (char c : n) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                    c == '.' || c == ':' || c == '+';
    if (!ok) return false;
  }
  return true;
}

class iconv_decoder {
 public:
  explicit iconv_decoder(const std::string& from) : cd_(iconv_open("UTF-8", from.c_str())) {}
  ~iconv_decoder() {
    if (ok()) iconv_close(cd_);
  }
  iconv_decoder(const iconv_decoder&) = delete;
  iconv_decoder& operator=(const iconv_decoder&) = delete;

  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }

  // Strict mode gives up on the first invalid or truncated sequence;
  // lenient mode puts U+FFFD there and carries on.
  std::optional<std::string> convert(std::string_view in, bool lenient) {
    iconv(cd_, nullptr, nullptr, nullptr, nullptr);  // reset shift state
    std::string out;
    std::array<char, 4096> buf{};
    char* inp = const_cast<char*>(in.data());
    std::size_t inleft = in.size();
    const auto drain = [&](char* outp) { out.append(buf.data(), outp); };
    while (inleft > 0) {
      char* outp = buf.data();
      std::size_t outleft = buf.size();
      const std::size_t rc = iconv(cd_, &inp, &inleft, &outp, &outleft);
      const int err = errno;
      drain(outp);
      if (rc != static_cast<std::size_t>(-1) || err == E2BIG) continue;
      if (!lenient) return std::nullopt;
      out.append(replacement_char);
      if (err == EILSEQ) {
        ++inp;
        --inleft;
      } else {
        break;  // EINVAL: a truncated sequence at the end
      }
    }
    char* outp = buf.data();
    std::size_t outleft = buf.size();
    iconv(cd_, nullptr, nullptr, &outp, &outleft);  // close a stateful encoding
    drain(outp);
    return out;
  }

 private:
  iconv_t cd_;
};

}  // namespace

bool is_valid_utf8(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t len = utf8_sequence_length(bytes, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string repair_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t len = utf8_sequence_length(bytes, i);
    if (len > 0) {
      if (bytes[i] != '\0') out.append(bytes.substr(i, len));
      i += len;
      continue;
    }
    const auto b = static_cast<unsigned char>(bytes[i]);
    append_code_point(out, b < 0xA0 ? cp1252_high[b - 0x80] : static_cast<char32_t>(b));
    ++i;
  }
  return out;
}

std::string decode_to_utf8(std::string_view bytes, std::string_view charset) {
  const std::string label = lower_trimmed(charset);
  if (is_utf8_label(label) || is_western_default_label(label) || !is_plausible_label(label)) {
    return repair_utf8(bytes);
  }
  iconv_decoder decoder(iconv_name_for(label));
  if (!decoder.ok()) return repair_utf8(bytes);  // unknown charset, e.g. x-foo
  if (auto strict = decoder.convert(bytes, false)) return repair_utf8(*strict);
  // The label lied: prefer well-formed UTF-8, else keep what the declared
  // charset can make of the bytes.
  if (!is_ascii(bytes) && is_valid_utf8(bytes)) return repair_utf8(bytes);
  return repair_utf8(decoder.convert(bytes, true).value_or(std::string()));
}

}  // namespace helpdesk::mail::detail
