#include "helpdesk/domain/language.hpp"

// compact_lang_det.h names FILE without including <cstdio> itself.
#include <cstdio>

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>
#include <vector>

#include "helpdesk/domain/locale_codes.hpp"

namespace helpdesk {
namespace {

// ---------------------------------------------------------------------------
// ASCII helpers. Only ASCII bytes are folded or trimmed, so a multibyte UTF-8
// character is never altered or split: all its bytes are >= 0x80.

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

char fold_ascii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  return s;
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view trim(std::string_view s) { return trim_left(trim_right(s)); }

// Case-insensitive for ASCII; other bytes compare exactly, which is enough for
// the lower-case non-ASCII letters in the marker tables below.
bool equals_folded(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return fold_ascii(x) == fold_ascii(y); });
}

bool starts_with_folded(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && equals_folded(s.substr(0, prefix.size()), prefix);
}

bool ends_with_folded(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && equals_folded(s.substr(s.size() - suffix.size()), suffix);
}

bool contains_folded(std::string_view s, std::string_view needle) {
  for (std::size_t at = 0; at + needle.size() <= s.size(); ++at) {
    if (equals_folded(s.substr(at, needle.size()), needle)) return true;
  }
  return false;
}

template <std::size_t N>
bool starts_with_any(std::string_view s, const std::array<std::string_view, N>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [s](std::string_view p) { return starts_with_folded(s, p); });
}

template <std::size_t N>
bool ends_with_any(std::string_view s, const std::array<std::string_view, N>& suffixes) {
  return std::any_of(suffixes.begin(), suffixes.end(), [s](std::string_view p) { return ends_with_folded(s, p); });
}

template <std::size_t N>
bool contains_any(std::string_view s, const std::array<std::string_view, N>& needles) {
  return std::any_of(needles.begin(), needles.end(), [s](std::string_view n) { return contains_folded(s, n); });
}

// ---------------------------------------------------------------------------
// Markers of quoted mail, as mail clients write them in their UI languages.

// How a reply names the message it quotes: "On …, Jan <j@x.cz> wrote:".
constexpr std::array<std::string_view, 24> attribution_endings = {
    "wrote:",      "napsal(a):",  "napsal:",     "napsala:",    "napísal(a):", "napísal:",
    "napísala:",   "napisał(a):", "napisał:",    "napisała:",   "schrieb:",    "írta:",
    "a écrit :",   "a écrit:",    "ha scritto:", "escribió:",   "schreef:",    "skrev:",
    "escreveu:",   "kirjoitti:",  "написал:",    "написала:",   "napisao:",    "napisala je:"};

// Verbs that some clients put before the name or the date: German Gmail "Am 3. Feb. 2025 schrieb Jan <j@x.de>:",
// others "Jan <j@x.de> schrieb am 03.02.2025 um 10:12:".
constexpr std::array<std::string_view, 8> attribution_verbs = {
    "wrote", "schrieb", "napsal", "napísal", "napisał", "a écrit", "escribió", "schreef"};

// Words an attribution starts with when it wraps, e.g. Gmail's "Dne po 3. 2. 2025 v 10:12 odesílatel …".
constexpr std::array<std::string_view, 13> attribution_openings = {
    "on ", "dne ", "dňa ", "w dniu ", "am ", "le ", "el ", "il ", "op ", "den ", "em ", "pada ", "dana "};

// The title between the dashes of "-----Original Message-----" and Gmail's forward banner.
constexpr std::array<std::string_view, 16> original_message_titles = {
    "original message",   "původní zpráva",        "pôvodná správa",     "wiadomość oryginalna",
    "ursprüngliche",      "eredeti üzenet",        "message d'origine",  "messaggio originale",
    "mensaje original",   "oorspronkelijk bericht", "forwarded message", "přeposlaná zpráva",
    "preposlaná správa",  "weitergeleitete",       "przekazana wiadomość", "továbbított üzenet"};

// Outlook's header block: the sender line, then within a few lines the date line.
constexpr std::array<std::string_view, 10> sender_labels = {"from",  "od",  "von", "de",  "da",
                                                            "feladó", "van", "från", "fra", "nadawca"};
constexpr std::array<std::string_view, 16> sent_labels = {
    "sent",  "date",    "odesláno", "odoslané", "datum",   "gesendet",  "wysłano", "data",
    "envoyé", "elküldve", "dátum",  "inviato",  "enviado", "verzonden", "skickat", "sendt"};
constexpr std::size_t sent_label_reach = 3;  // lines after the sender line; To:/Cc: may sit between

// ---------------------------------------------------------------------------
// Lines of the body, as views into it.

struct body_line {
  std::size_t offset;     // where the line starts in the body
  std::string_view text;  // without the line break, "\r" included
};

std::vector<body_line> split_lines(std::string_view body) {
  std::vector<body_line> lines;
  std::size_t start = 0;
  while (start <= body.size()) {
    const std::size_t end = std::min(body.find('\n', start), body.size());
    std::string_view text = body.substr(start, end - start);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    lines.push_back({start, text});
    start = end + 1;
  }
  return lines;
}

bool is_signature_separator(std::string_view line) { return line == "-- " || line == "--"; }

bool is_quoted(std::string_view line) {
  const std::string_view text = trim_left(line);
  return !text.empty() && text.front() == '>';
}

bool is_original_message_banner(std::string_view line) {
  const std::string_view text = trim(line);
  return text.starts_with("--") && contains_any(text, original_message_titles);
}

// "From: …", "*Od:* …" (bold in HTML turned to text), French "De : …".
template <std::size_t N>
bool starts_with_label(std::string_view line, const std::array<std::string_view, N>& labels) {
  std::string_view text = trim_left(line);
  if (!text.empty() && text.front() == '*') text.remove_prefix(1);
  return std::any_of(labels.begin(), labels.end(), [text](std::string_view label) {
    if (!starts_with_folded(text, label)) return false;
    const std::string_view rest = trim_left(text.substr(label.size()));
    return !rest.empty() && rest.front() == ':';
  });
}

bool starts_outlook_header(const std::vector<body_line>& lines, std::size_t at) {
  if (!starts_with_label(lines[at].text, sender_labels)) return false;
  const std::size_t last = std::min(lines.size() - 1, at + sent_label_reach);
  for (std::size_t next = at + 1; next <= last; ++next) {
    if (starts_with_label(lines[next].text, sent_labels)) return true;
  }
  return false;
}

bool has_address(std::string_view text) { return text.find('@') != std::string_view::npos; }

bool mentions_date_or_address(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return is_digit(c) || c == '@'; });
}

// The first half of an attribution that wrapped before its "wrote:".
bool looks_like_attribution_head(std::string_view line) {
  const std::string_view text = trim(line);
  if (text.empty()) return false;
  return starts_with_any(text, attribution_openings) || is_digit(text.front()) || text.back() == '<' ||
         has_address(text);
}

// A line complete on its own, like "On Mon, 3 Feb 2025, Jan <j@x.cz> wrote:"; a Hungarian one starts with the date.
bool is_whole_attribution(std::string_view line) {
  const std::string_view text = trim_left(line);
  return starts_with_any(text, attribution_openings) || (!text.empty() && is_digit(text.front()));
}

bool next_content_is_quoted(const std::vector<body_line>& lines, std::size_t after) {
  for (std::size_t next = after + 1; next < lines.size(); ++next) {
    if (!trim(lines[next].text).empty()) return is_quoted(lines[next].text);
  }
  return false;
}

// Where an attribution ending in its verb ("… wrote:") begins, or nullopt if the
// line only ends like one: a customer may well write "as your colleague wrote:" and go on.
std::optional<std::size_t> verb_last_attribution_start(const std::vector<body_line>& lines, std::size_t at) {
  std::size_t start = at;
  if (at > 0 && !is_whole_attribution(lines[at].text) && looks_like_attribution_head(lines[at - 1].text)) {
    start = at - 1;
  }
  for (std::size_t i = start; i <= at; ++i) {
    if (mentions_date_or_address(lines[i].text)) return start;
  }
  if (next_content_is_quoted(lines, at)) return start;
  return std::nullopt;
}

// A verb in mid-line is weaker evidence ("I wrote to you on 3 May about this:"), so it needs an address or a quote.
bool is_verb_inside_attribution(const std::vector<body_line>& lines, std::size_t at) {
  const std::string_view text = trim_right(lines[at].text);
  if (!text.ends_with(':') || !contains_any(text, attribution_verbs)) return false;
  return has_address(text) || next_content_is_quoted(lines, at);
}

std::optional<std::size_t> attribution_start(const std::vector<body_line>& lines, std::size_t at) {
  if (ends_with_any(trim_right(lines[at].text), attribution_endings)) return verb_last_attribution_start(lines, at);
  if (is_verb_inside_attribution(lines, at)) return at;
  return std::nullopt;
}

// Index of the first line that is not the customer's own: quote, signature or header.
std::size_t first_foreign_line(const std::vector<body_line>& lines) {
  for (std::size_t at = 0; at < lines.size(); ++at) {
    const std::string_view text = lines[at].text;
    if (is_signature_separator(text) || is_quoted(text) || is_original_message_banner(text)) return at;
    if (auto start = attribution_start(lines, at)) return *start;
    if (starts_outlook_header(lines, at)) return at;
  }
  return lines.size();
}

// Outlook puts a rule of underscores above its header block; it belongs to the quote.
bool is_rule_or_blank(std::string_view line) {
  const std::string_view text = trim(line);
  return std::all_of(text.begin(), text.end(), [](char c) { return c == '_'; });
}

// ---------------------------------------------------------------------------
// Language detection.

// CLD2 needs no more than a few paragraphs, and its lengths are ints.
constexpr std::size_t detection_byte_limit = 64 * 1024;

// Cuts at a character boundary so CLD2's UTF-8 check does not reject the text for our own cut.
std::string_view detection_sample(std::string_view text) {
  if (text.size() <= detection_byte_limit) return text;
  std::size_t end = detection_byte_limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

// Lead bytes stand in for non-ASCII letters: customer text is mostly letters,
// and CLD2 has the final word anyway; this only keeps "ok" and order numbers away from it.
std::size_t count_letters(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') || byte >= 0xC0;
  }));
}

// CLD2 keeps Google's legacy codes for a few languages and tags Traditional Chinese by script.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> cld2_code_fixes = {
    {{"iw", "he"}, {"in", "id"}, {"jw", "jv"}, {"zh-Hant", "zh"}}};

std::optional<std::string> iso639_1_code(CLD2::Language language) {
  std::string_view code = CLD2::LanguageCode(language);
  for (const auto& [cld2_code, iso_code] : cld2_code_fixes) {
    if (code == cld2_code) code = iso_code;
  }
  // Drops "un", "xxx", three-letter codes and regional ones such as "sr-ME".
  if (!is_language_code(code)) return std::nullopt;
  return std::string(code);
}

std::optional<language_guess> ask_cld2(std::string_view text) {
  const CLD2::CLDHints no_hints{nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
  std::array<CLD2::Language, 3> top3{};
  std::array<int, 3> percent3{};
  std::array<double, 3> normalized_score3{};
  int text_bytes = 0;
  bool reliable = false;
  int valid_prefix_bytes = 0;
  // The checking variant: mail bodies come from outside and CLD2 must not read invalid UTF-8.
  const CLD2::Language language = CLD2::ExtDetectLanguageSummaryCheckUTF8(
      text.data(), static_cast<int>(text.size()), /*is_plain_text=*/true, &no_hints, /*flags=*/0, top3.data(),
      percent3.data(), normalized_score3.data(), /*resultchunkvector=*/nullptr, &text_bytes, &reliable,
      &valid_prefix_bytes);
  if (!reliable || language == CLD2::UNKNOWN_LANGUAGE) return std::nullopt;
  // The summary can be the second of the top 3 (when the first is CLD2's "Ignore"), so take that one's percent.
  const auto ranked = std::find(top3.begin(), top3.end(), language);
  if (ranked == top3.end()) return std::nullopt;
  auto code = iso639_1_code(language);
  if (!code) return std::nullopt;
  // The percent, not normalized_score3: that is a score relative to typical text (often far above 1), not a share.
  const int percent = percent3[static_cast<std::size_t>(ranked - top3.begin())];
  return language_guess{std::move(*code), percent / 100.0};
}

}  // namespace

std::string own_words(std::string_view text) {
  const std::vector<body_line> lines = split_lines(text);
  std::size_t kept = first_foreign_line(lines);
  while (kept > 0 && is_rule_or_blank(lines[kept - 1].text)) --kept;
  if (kept == 0) return {};
  const body_line& last = lines[kept - 1];
  return std::string(trim(text.substr(0, last.offset + last.text.size())));
}

std::optional<language_guess> detect_language(std::string_view text, std::size_t min_letters) {
  const std::string words = own_words(text);
  if (count_letters(words) < min_letters) return std::nullopt;
  return ask_cld2(detection_sample(words));
}

}  // namespace helpdesk
