#pragma once
// The language a customer wrote in, for routing to an agent who speaks it.
// Only the customer's own words count: a quoted earlier reply or a signature
// would otherwise outvote a short message.
#include <optional>
#include <string>
#include <string_view>

namespace helpdesk {

// The text without quoted earlier messages ("> " lines, "On … wrote:" and
// "-----Original Message-----" blocks and their localised forms, Outlook
// "From:/Sent:" headers) and without the signature ("-- " and what follows).
std::string own_words(std::string_view text);

struct language_guess {
  std::string code;   // ISO 639-1, lower case ("cs", "sk", "pl", …)
  double confidence;  // 0..1: the share of the text CLD2 gave to that language
};

// CLD2's verdict on the customer's own words; nullopt unless CLD2 calls it
// reliable on at least `min_letters` letters.
std::optional<language_guess> detect_language(std::string_view text, std::size_t min_letters = 20);

}  // namespace helpdesk
