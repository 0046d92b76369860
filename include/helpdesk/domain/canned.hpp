#pragma once
// Canned responses: text with {{placeholders}} filled in per reply. Pure.
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace helpdesk::canned {

// The placeholders a canned response may use.
const std::vector<std::string>& placeholders();
// The placeholders of the text that are not known ("{{order.id}}"), each once.
std::vector<std::string> unknown_placeholders(std::string_view text);
// The text with every known placeholder replaced by its value (empty when
// the value is missing); "{{" without a closing "}}" stays as written.
std::string render(std::string_view text, const std::map<std::string, std::string>& values);
// "Jana" of "Jana Nováková"; the whole name when it has one word.
std::string first_name(std::string_view full_name);

}  // namespace helpdesk::canned
