#include "helpdesk/domain/locale_codes.hpp"

#include <date/tz.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <array>
#include <set>
#include <string>

namespace helpdesk {
namespace {

// ISO 639-1, sorted for binary search. A registry, not logic: it changes
// about once a decade.
constexpr std::array<std::string_view, 184> iso639_1 = {
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg",
    "bh", "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv",
    "cy", "da", "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi",
    "fj", "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr",
    "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja",
    "jv", "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw",
    "ky", "la", "lb", "lg", "li", "ln", "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml",
    "mn", "mr", "ms", "mt", "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv",
    "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn", "ro",
    "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr",
    "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr",
    "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi",
    "yo", "za", "zh", "zu"};

}  // namespace

bool is_language_code(std::string_view code) {
  return std::binary_search(iso639_1.begin(), iso639_1.end(), code);
}

bool is_phone_region(std::string_view region) {
  static const std::set<std::string> regions = [] {
    std::set<std::string> out;
    i18n::phonenumbers::PhoneNumberUtil::GetInstance()->GetSupportedRegions(&out);
    return out;
  }();
  return regions.count(std::string(region)) > 0;
}

bool is_time_zone(std::string_view zone) {
  if (zone.empty() || zone.size() > 64) return false;
  try {
    return date::locate_zone(zone) != nullptr;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace helpdesk
