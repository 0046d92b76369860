#include "helpdesk/domain/threading.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

#include "helpdesk/domain/ascii.hpp"
#include "helpdesk/domain/ids.hpp"

namespace helpdesk {

namespace {

using namespace ascii;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Forward markers as mail clients write them: English, German (WG),
// French (TR), Polish (PD), Norwegian/Danish (VS), Swedish (VB), Dutch
// (Doorst), Spanish (RV), Portuguese (ENC). Italian "I:" is left out: a
// one-letter prefix is too easily part of an ordinary subject.
constexpr std::array<std::string_view, 10> forward_words = {"fwd", "fw", "wg", "tr", "pd",
                                                            "vs", "vb", "doorst", "rv", "enc"};
// Reply markers: English, German (AW), Polish/Czech (Odp), Scandinavian (SV),
// Dutch (Antw).
constexpr std::array<std::string_view, 5> reply_words = {"re", "aw", "odp", "sv", "antw"};

enum class prefix_kind { none, reply, forward };

// Length of a leading "Word:" / "Word[2]:" / "Word (2) :" prefix, and which
// kind of word it is. The word must be followed by the colon: "Tr ansport"
// or "Reply needed" are subjects, not prefixes.
std::pair<prefix_kind, std::size_t> leading_prefix(std::string_view s) {
  std::size_t word_end = 0;
  while (word_end < s.size() && ((s[word_end] >= 'a' && s[word_end] <= 'z') || (s[word_end] >= 'A' && s[word_end] <= 'Z')))
    ++word_end;
  if (word_end == 0) return {prefix_kind::none, 0};
  std::string_view word = s.substr(0, word_end);
  prefix_kind kind = prefix_kind::none;
  for (auto w : forward_words)
    if (iequals(word, w)) kind = prefix_kind::forward;
  for (auto w : reply_words)
    if (iequals(word, w)) kind = prefix_kind::reply;
  if (kind == prefix_kind::none) return {kind, 0};
  std::size_t i = word_end;
  // Outlook's reply counter: "RE[2]:" or "Re(3):".
  if (i < s.size() && (s[i] == '[' || s[i] == '(')) {
    char close = s[i] == '[' ? ']' : ')';
    std::size_t j = i + 1;
    while (j < s.size() && is_digit(s[j])) ++j;
    if (j == i + 1 || j >= s.size() || s[j] != close) return {prefix_kind::none, 0};
    i = j + 1;
  }
  // French typography puts a space before the colon ("TR : ...").
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  if (i >= s.size() || s[i] != ':') return {prefix_kind::none, 0};
  return {kind, i + 1};
}

std::string_view strip_brackets(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.front() == '<') s.remove_prefix(1);
  if (!s.empty() && s.back() == '>') s.remove_suffix(1);
  return trim(s);
}

std::string without_spaces(std::string_view s) {
  std::string out;
  for (char c : s)
    if (!is_space(c)) out += c;
  return out;
}

// Bare words in a header are ids only if they look like one: old mailers
// write 'In-Reply-To: Your message of "Mon, 1 Jan" <id@host>'.
void add_bare_tokens(std::string_view text, std::vector<std::string>& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (is_space(text[i]) || text[i] == ',')) ++i;
    std::size_t start = i;
    while (i < text.size() && !is_space(text[i]) && text[i] != ',') ++i;
    std::string_view token = text.substr(start, i - start);
    std::size_t at = token.find('@');
    if (at != std::string_view::npos && at > 0 && at + 1 < token.size()) out.emplace_back(token);
  }
}

thread_decision decide_for(const thread_candidate& c, const thread_input& in, const thread_policy& policy,
                           std::string matched_by) {
  thread_decision d{thread_action::append, c.ticket_id, std::move(matched_by)};
  // Machines answering (vacation notices, bounces) must not resurrect a
  // conversation, so they always go onto the ticket they refer to.
  if (in.automatic) return d;
  if (c.status == ticket_status::closed) {
    d.action = thread_action::new_linked_ticket;
  } else if (c.status == ticket_status::solved && c.solved_at) {
    // Clamped so that a misconfigured window cannot overflow the clock.
    auto cutoff = in.now - std::chrono::days(std::clamp(policy.reopen_window_days, 0, 36500));
    if (*c.solved_at < cutoff) d.action = thread_action::new_linked_ticket;
  }
  return d;
}

}  // namespace

std::string ticket_token(std::string_view prefix, long long number) {
  return "[" + std::string(prefix) + "-" + std::to_string(number) + "]";
}

std::optional<long long> find_ticket_token(std::string_view subject, std::string_view prefix) {
  if (prefix.empty()) return std::nullopt;
  for (std::size_t open = subject.find('['); open != std::string_view::npos; open = subject.find('[', open + 1)) {
    std::size_t i = open + 1;
    if (subject.size() - i < prefix.size() + 3 || !iequals(subject.substr(i, prefix.size()), prefix)) continue;
    i += prefix.size();
    if (subject[i] != '-' && subject[i] != '#') continue;
    std::size_t digits_start = ++i;
    while (i < subject.size() && is_digit(subject[i])) ++i;
    std::size_t digits = i - digits_start;
    // 18 digits always fit a long long; longer is not a number we issued.
    if (digits == 0 || digits > 18 || i >= subject.size() || subject[i] != ']') continue;
    long long n = 0;
    for (std::size_t k = digits_start; k < i; ++k) n = n * 10 + (subject[k] - '0');
    return n;
  }
  return std::nullopt;
}

bool is_forward_subject(std::string_view subject) {
  return leading_prefix(trim(subject)).first == prefix_kind::forward;
}

std::string strip_subject_prefixes(std::string_view subject) {
  std::string_view s = trim(subject);
  for (;;) {
    auto [kind, len] = leading_prefix(s);
    if (kind == prefix_kind::none) break;
    s = trim(s.substr(len));
  }
  return std::string(s);
}

std::vector<std::string> split_message_ids(std::string_view value) {
  std::vector<std::string> out;
  std::string bare;  // text outside <>, comments and quoted strings
  std::size_t i = 0;
  while (i < value.size()) {
    char c = value[i];
    if (c == '<') {
      std::size_t close = value.find('>', i + 1);
      if (close == std::string_view::npos) {
        // Truncated header: whatever follows is read as bare text.
        bare += ' ';
        bare += value.substr(i + 1);
        break;
      }
      // Broken folders wrap long ids; whitespace is never part of an id.
      std::string id = without_spaces(value.substr(i + 1, close - i - 1));
      add_bare_tokens(bare, out);
      bare.clear();
      if (!id.empty()) out.push_back(std::move(id));
      i = close + 1;
    } else if (c == '(') {
      int depth = 0;
      for (; i < value.size(); ++i) {
        if (value[i] == '\\') {
          ++i;
          continue;
        }
        if (value[i] == '(') ++depth;
        if (value[i] == ')' && --depth == 0) break;
      }
      ++i;
      bare += ' ';
    } else if (c == '"') {
      std::size_t j = i + 1;
      while (j < value.size() && value[j] != '"') j += value[j] == '\\' ? 2 : 1;
      i = j + 1;
      bare += ' ';
    } else {
      bare += c;
      ++i;
    }
  }
  add_bare_tokens(bare, out);
  return out;
}

std::vector<std::string> reference_ids(std::string_view in_reply_to, const std::vector<std::string>& references,
                                       std::size_t limit) {
  // Each References entry may be a single id or a whole raw header value.
  auto ids_of = [](std::string_view entry) {
    std::vector<std::string> ids = split_message_ids(entry);
    std::string_view single = strip_brackets(entry);
    if (ids.empty() && !single.empty() && std::none_of(single.begin(), single.end(), is_space))
      ids.emplace_back(single);
    return ids;
  };
  std::vector<std::string> ordered = ids_of(in_reply_to);
  // The last reference is the parent, the first the thread root: the
  // nearest ancestor is the best guess for the ticket.
  for (auto it = references.rbegin(); it != references.rend(); ++it) {
    auto ids = ids_of(*it);
    ordered.insert(ordered.end(), ids.rbegin(), ids.rend());
  }
  std::vector<std::string> out;
  for (auto& id : ordered) {
    if (out.size() >= limit) break;
    if (id.empty() || std::find(out.begin(), out.end(), id) != out.end()) continue;
    out.push_back(std::move(id));
  }
  return out;
}

std::string outbound_message_id(std::string_view ticket_id, std::string_view message_id, std::string_view domain) {
  return std::string(ticket_id) + "." + std::string(message_id) + "@" + std::string(domain);
}

std::optional<std::string> ticket_of_outbound_message_id(std::string_view id, std::string_view domain) {
  id = strip_brackets(id);
  domain = trim(domain);
  std::size_t at = id.rfind('@');
  if (domain.empty() || at == std::string_view::npos || !iequals(id.substr(at + 1), domain)) return std::nullopt;
  std::string_view local = id.substr(0, at);
  std::size_t dot = local.find('.');
  if (dot == std::string_view::npos || dot + 1 >= local.size()) return std::nullopt;
  std::string_view ticket = local.substr(0, dot);
  if (!is_uuid(ticket)) return std::nullopt;
  std::string out(ticket);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

thread_decision decide_thread(const thread_input& in, const thread_policy& policy) {
  if (in.by_reference) return decide_for(*in.by_reference, in, policy, "references");
  if (in.by_token) {
    bool same_customer = !in.sender_customer_id.empty() && in.sender_customer_id == in.by_token->customer_id;
    // Someone forwarding our mail (with its token) to the helpdesk is
    // asking something new, not writing on the customer's ticket.
    if (same_customer || !is_forward_subject(in.subject)) return decide_for(*in.by_token, in, policy, "subject_token");
  }
  return {};
}

}  // namespace helpdesk
