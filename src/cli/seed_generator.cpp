// The seed generator. Everything random comes from xoshiro256** streams
// seeded with splitmix64 from --seed (and the slug prefix, so a second load
// of the same seed next to the first gets other ids); each ticket has its own
// stream, so what one ticket draws never shifts another.
//
// The model, in short:
// - Brands in six countries, each with an office calendar and three SLA
//   policies (urgent, chat, standard; a quarter of the brands answer 24x7),
//   a "Returns & refunds" queue besides the trigger's Callbacks and Default.
// - Agents work shifts (early, day, late; a weekend crew) in their primary
//   brand's time zone, with a lunch break (away), days off and holidays; the
//   presence intervals are those shifts. Tickets are assigned only to agents
//   on shift and answered in the agents' online time, so replies cluster in
//   working hours and overnight mail waits for the morning.
// - Ticket volume follows weekdays, a daily curve, a growth trend and the
//   shopping seasons (Black Friday, Christmas, January returns, a summer dip);
//   contact reasons have per-brand weights, seasons and a trend.
// - Each ticket's whole life is simulated at once and cut at --until: old
//   tickets end solved or closed, recent ones are new, open, pending or on
//   hold, assigned or still waiting in a queue.
// - SLA clocks come from the real engine (sla::compute_clocks) over the same
//   timeline the SLA worker would read; the events are what the worker and
//   the scanner would have logged (started, warned, breached, paused,
//   resumed, met with late, cancelled, and policy_changed at creation).
// Left out on purpose: per-message 'message_added' ticket events (they would
// add a fifth of all rows and no report reads them), call_events, inbound_keys,
// attachments and the outbox.
#include "seed_generator.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <utility>

#include "helpdesk/domain/calendar.hpp"
#include "helpdesk/domain/outbound_mail.hpp"
#include "helpdesk/domain/sla.hpp"
#include "helpdesk/domain/threading.hpp"
#include "helpdesk/store/json_rows.hpp"
#include "helpdesk/store/sla_codec.hpp"
#include "helpdesk/store/sla_repos.hpp"

namespace helpdesk::seed {

using store::append_json_string;

// --- Formatting ------------------------------------------------------------

void append_copy_escaped(std::string& out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
}

namespace {

using ms_t = std::int64_t;  // Unix milliseconds: every seeded instant is a whole millisecond
constexpr ms_t no_time = std::numeric_limits<ms_t>::min();
constexpr ms_t second_ms = 1000;
constexpr ms_t minute_ms = 60 * second_ms;
constexpr ms_t hour_ms = 60 * minute_ms;
constexpr ms_t day_ms = 24 * hour_ms;

timestamp to_ts(ms_t t) { return timestamp{std::chrono::microseconds{t * 1000}}; }
ms_t to_ms(timestamp t) {
  const auto us = t.time_since_epoch().count();
  return us >= 0 ? us / 1000 : -((-us + 999) / 1000);
}
ms_t floor_div(ms_t a, ms_t b) {
  const ms_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

struct civil_time {
  int year;
  unsigned month, day;
  int hh, mm, ss, ms;
};

// Howard Hinnant's civil_from_days.
civil_time civil(ms_t t) {
  ms_t days = floor_div(t, day_ms);
  ms_t rem = t - days * day_ms;
  days += 719468;
  const ms_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int y = static_cast<int>(yoe) + static_cast<int>(era) * 400 + (m <= 2);
  civil_time c{y, m, d, 0, 0, 0, 0};
  c.hh = static_cast<int>(rem / hour_ms);
  rem %= hour_ms;
  c.mm = static_cast<int>(rem / minute_ms);
  rem %= minute_ms;
  c.ss = static_cast<int>(rem / second_ms);
  c.ms = static_cast<int>(rem % second_ms);
  return c;
}

void put_digits(std::string& out, int v, int width) {
  char buf[12];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out.append(buf, static_cast<std::size_t>(width));
}

void append_time(std::string& out, ms_t t, char sep, const char* zone) {
  const civil_time c = civil(t);
  put_digits(out, c.year, 4);
  out += '-';
  put_digits(out, static_cast<int>(c.month), 2);
  out += '-';
  put_digits(out, static_cast<int>(c.day), 2);
  out += sep;
  put_digits(out, c.hh, 2);
  out += ':';
  put_digits(out, c.mm, 2);
  out += ':';
  put_digits(out, c.ss, 2);
  out += '.';
  put_digits(out, c.ms, 3);
  out += zone;
}

}  // namespace

void append_copy_time(std::string& out, timestamp t) { append_time(out, to_ms(t), ' ', "+00"); }
void append_rfc3339(std::string& out, timestamp t) { append_time(out, to_ms(t), 'T', "Z"); }

namespace {

void copy_time(std::string& out, ms_t t) { append_time(out, t, ' ', "+00"); }
void json_time(std::string& out, ms_t t) {
  out += '"';
  append_time(out, t, 'T', "Z");
  out += '"';
}

// --- Randomness --------------------------------------------------------------

std::uint64_t splitmix(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A bijection of 64-bit values (splitmix's finaliser): distinct counters
// give distinct, random-looking ids.
std::uint64_t permute(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  std::uint64_t x = a ^ (b * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL);
  splitmix(x);
  return splitmix(x);
}

std::uint64_t hash_text(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

class rng {
 public:
  explicit rng(std::uint64_t seed) {
    for (auto& v : s_) v = splitmix(seed);
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  std::uint64_t below(std::uint64_t n) {
    return n == 0 ? 0 : next() % n;  // the bias is below 2^-40 for every n used here
  }
  long long range(long long lo, long long hi) {  // inclusive
    return lo + static_cast<long long>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  bool chance(double p) { return uniform() < p; }
  double normal() {
    double u1 = uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * uniform());
  }
  double lognormal(double median, double sigma) { return median * std::exp(sigma * normal()); }
  template <class W>
  std::size_t pick(const W& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double u = uniform() * total;
    std::size_t i = 0;
    for (double w : weights) {
      if (u < w) return i;
      u -= w;
      ++i;
    }
    return weights.size() - 1;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

// --- Ids ---------------------------------------------------------------------

struct uid {
  std::uint64_t hi = 0, lo = 0;
  bool nil() const { return hi == 0 && lo == 0; }
};

// A UUID version 7 for the instant, like new_uuid_v7, from the given stream.
uid uuid7(ms_t t, rng& r) {
  const std::uint64_t a = r.next(), b = r.next();
  return {(static_cast<std::uint64_t>(t) << 16) | 0x7000ULL | (a & 0x0fffULL),
          (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL};
}

void append_uuid(std::string& out, uid u) {
  static const char* hex = "0123456789abcdef";
  char buf[36];
  int p = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) buf[p++] = '-';
    const std::uint64_t word = i < 8 ? u.hi : u.lo;
    const int shift = (7 - (i % 8)) * 8;
    const auto byte = static_cast<unsigned>((word >> shift) & 0xff);
    buf[p++] = hex[byte >> 4];
    buf[p++] = hex[byte & 15];
  }
  out.append(buf, 36);
}

std::string str(uid u) {
  std::string s;
  append_uuid(s, u);
  return s;
}

std::string hex16(std::uint64_t v) {
  static const char* hex = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i) {
    s[static_cast<std::size_t>(i)] = hex[v & 15];
    v >>= 4;
  }
  return s;
}

// --- COPY rows -----------------------------------------------------------------

class row {
 public:
  explicit row(std::string& out) : out_(out) {}
  row& text(std::string_view v) {
    sep();
    append_copy_escaped(out_, v);
    return *this;
  }
  row& raw(std::string_view v) {  // only for values without \, tab or newline
    sep();
    out_ += v;
    return *this;
  }
  row& null() {
    sep();
    out_ += "\\N";
    return *this;
  }
  row& id(uid u) {
    sep();
    if (u.nil()) out_ += "\\N";
    else append_uuid(out_, u);
    return *this;
  }
  row& num(long long v) {
    sep();
    out_ += std::to_string(v);
    return *this;
  }
  row& real(double v) {
    sep();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    out_ += buf;
    return *this;
  }
  row& boolean(bool v) {
    sep();
    out_ += v ? 't' : 'f';
    return *this;
  }
  row& time(ms_t t) {
    sep();
    if (t == no_time) out_ += "\\N";
    else copy_time(out_, t);
    return *this;
  }
  void end() { out_ += '\n'; }

 private:
  void sep() {
    if (!first_) out_ += '\t';
    first_ = false;
  }
  std::string& out_;
  bool first_ = true;
};

// A JSON object written straight into a string.
class jobj {
 public:
  explicit jobj(std::string& out) : s_(out) { s_ += '{'; }
  jobj& str(const char* k, std::string_view v) {
    key(k);
    append_json_string(s_, v);
    return *this;
  }
  jobj& num(const char* k, long long v) {
    key(k);
    s_ += std::to_string(v);
    return *this;
  }
  jobj& boolean(const char* k, bool v) {
    key(k);
    s_ += v ? "true" : "false";
    return *this;
  }
  jobj& null(const char* k) {
    key(k);
    s_ += "null";
    return *this;
  }
  jobj& time(const char* k, ms_t t) {
    key(k);
    if (t == no_time) s_ += "null";
    else json_time(s_, t);
    return *this;
  }
  jobj& id(const char* k, uid u) {
    key(k);
    if (u.nil()) {
      s_ += "null";
    } else {
      s_ += '"';
      append_uuid(s_, u);
      s_ += '"';
    }
    return *this;
  }
  jobj& raw(const char* k, std::string_view v) {
    key(k);
    s_ += v;
    return *this;
  }
  void close() { s_ += '}'; }

 private:
  void key(const char* k) {
    if (!first_) s_ += ", ";
    first_ = false;
    s_ += '"';
    s_ += k;
    s_ += "\": ";
  }
  std::string& s_;
  bool first_ = true;
};

std::string json_strings(const std::vector<std::string>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    append_json_string(s, v[i]);
  }
  return s + "]";
}

// --- Static data -----------------------------------------------------------------

struct person_name {
  const char* display;
  const char* ascii;
};

struct country {
  const char* region;
  const char* language;
  const char* time_zone;
  const char* mobile_prefix;  // E.164 up to the subscriber digits
  int subscriber_digits;
  const char* office_phone;
  std::vector<const char*> mail_domains;
  std::vector<person_name> first_names;
  std::vector<person_name> last_names;
  std::vector<const char*> holidays;  // MM-DD, yearly
};

const std::vector<country>& countries() {
  static const std::vector<country> list = {
      {"CZ", "cs", "Europe/Prague", "+42073", 7, "+420228800", {"seznam.example", "email.example", "gmail.example", "centrum.example"},
       {{"Jan", "jan"}, {"Petr", "petr"}, {"Jana", "jana"}, {"Eva", "eva"}, {"Tomáš", "tomas"}, {"Lucie", "lucie"},
        {"Martin", "martin"}, {"Kateřina", "katerina"}, {"Jakub", "jakub"}, {"Tereza", "tereza"}},
       {{"Novák", "novak"}, {"Svoboda", "svoboda"}, {"Novotná", "novotna"}, {"Dvořák", "dvorak"}, {"Černá", "cerna"},
        {"Procházka", "prochazka"}, {"Kučera", "kucera"}, {"Veselá", "vesela"}, {"Horák", "horak"}, {"Marek", "marek"}},
       {"01-01", "05-01", "05-08", "07-05", "07-06", "09-28", "10-28", "11-17", "12-24", "12-25", "12-26"}},
      {"SK", "sk", "Europe/Bratislava", "+42190", 7, "+421233100", {"azet.example", "zoznam.example", "gmail.example"},
       {{"Peter", "peter"}, {"Zuzana", "zuzana"}, {"Martin", "martin"}, {"Lucia", "lucia"}, {"Michal", "michal"},
        {"Katarína", "katarina"}, {"Juraj", "juraj"}, {"Mária", "maria"}, {"Marek", "marek"}, {"Veronika", "veronika"}},
       {{"Horváth", "horvath"}, {"Kováč", "kovac"}, {"Varga", "varga"}, {"Tóth", "toth"}, {"Nagy", "nagy"},
        {"Baláž", "balaz"}, {"Szabó", "szabo"}, {"Molnár", "molnar"}, {"Lukáč", "lukac"}, {"Kráľ", "kral"}},
       {"01-01", "01-06", "05-01", "05-08", "07-05", "08-29", "09-15", "11-01", "12-24", "12-25", "12-26"}},
      {"PL", "pl", "Europe/Warsaw", "+4860", 7, "+48223070", {"wp.example", "onet.example", "gmail.example", "interia.example"},
       {{"Piotr", "piotr"}, {"Anna", "anna"}, {"Krzysztof", "krzysztof"}, {"Maria", "maria"}, {"Tomasz", "tomasz"},
        {"Katarzyna", "katarzyna"}, {"Paweł", "pawel"}, {"Agnieszka", "agnieszka"}, {"Michał", "michal"},
        {"Magdalena", "magdalena"}},
       {{"Nowak", "nowak"}, {"Kowalski", "kowalski"}, {"Wiśniewski", "wisniewski"}, {"Wójcik", "wojcik"},
        {"Kowalczyk", "kowalczyk"}, {"Kamiński", "kaminski"}, {"Lewandowski", "lewandowski"},
        {"Zieliński", "zielinski"}, {"Szymański", "szymanski"}, {"Woźniak", "wozniak"}},
       {"01-01", "01-06", "05-01", "05-03", "08-15", "11-01", "11-11", "12-25", "12-26"}},
      {"DE", "de", "Europe/Berlin", "+49151", 8, "+4930220", {"gmx.example", "web.example", "t-online.example", "gmail.example"},
       {{"Lukas", "lukas"}, {"Anna", "anna"}, {"Maximilian", "maximilian"}, {"Laura", "laura"}, {"Felix", "felix"},
        {"Julia", "julia"}, {"Jonas", "jonas"}, {"Lena", "lena"}, {"Paul", "paul"}, {"Sophie", "sophie"}},
       {{"Müller", "mueller"}, {"Schmidt", "schmidt"}, {"Schneider", "schneider"}, {"Fischer", "fischer"},
        {"Weber", "weber"}, {"Meyer", "meyer"}, {"Wagner", "wagner"}, {"Becker", "becker"}, {"Schulz", "schulz"},
        {"Hoffmann", "hoffmann"}},
       {"01-01", "05-01", "10-03", "12-24", "12-25", "12-26", "12-31"}},
      {"HU", "hu", "Europe/Budapest", "+3630", 7, "+3612250", {"freemail.example", "citromail.example", "gmail.example"},
       {{"Bence", "bence"}, {"Anna", "anna"}, {"Máté", "mate"}, {"Eszter", "eszter"}, {"Levente", "levente"},
        {"Réka", "reka"}, {"Dávid", "david"}, {"Zsófia", "zsofia"}, {"Ádám", "adam"}, {"Katalin", "katalin"}},
       {{"Nagy", "nagy"}, {"Kovács", "kovacs"}, {"Tóth", "toth"}, {"Szabó", "szabo"}, {"Horváth", "horvath"},
        {"Varga", "varga"}, {"Kiss", "kiss"}, {"Molnár", "molnar"}, {"Németh", "nemeth"}, {"Farkas", "farkas"}},
       {"01-01", "03-15", "05-01", "08-20", "10-23", "11-01", "12-24", "12-25", "12-26"}},
      {"AT", "de", "Europe/Vienna", "+43664", 7, "+431260", {"gmx.example", "aon.example", "gmail.example"},
       {{"Tobias", "tobias"}, {"Hannah", "hannah"}, {"David", "david"}, {"Sarah", "sarah"}, {"Florian", "florian"},
        {"Lisa", "lisa"}, {"Sebastian", "sebastian"}, {"Katharina", "katharina"}, {"Stefan", "stefan"},
        {"Elena", "elena"}},
       {{"Gruber", "gruber"}, {"Huber", "huber"}, {"Bauer", "bauer"}, {"Wagner", "wagner"}, {"Müller", "mueller"},
        {"Pichler", "pichler"}, {"Steiner", "steiner"}, {"Moser", "moser"}, {"Mayer", "mayer"}, {"Hofer", "hofer"}},
       {"01-01", "01-06", "05-01", "08-15", "10-26", "11-01", "12-08", "12-24", "12-25", "12-26"}},
  };
  return list;
}

const char* const languages[] = {"cs", "sk", "pl", "de", "en", "hu"};
constexpr int language_count = 6;
int language_index(std::string_view code) {
  for (int i = 0; i < language_count; ++i)
    if (code == languages[i]) return i;
  return 4;
}

// Contact reasons, used as tags.
const char* const reasons[] = {"where_is_my_order", "return", "refund", "damaged",
                               "invoice", "address_change", "product_question", "complaint"};
constexpr int reason_count = 8;
constexpr double reason_base[reason_count] = {0.27, 0.14, 0.10, 0.08, 0.08, 0.06, 0.17, 0.10};

struct texts {
  const char* greeting;
  const char* closing;
  const char* subjects[reason_count];
  const char* bodies[reason_count];
  const char* follow_ups[3];
  const char* agent_greeting;
  const char* agent_bodies[4];
  const char* agent_closing;
  const char* chat_visitor[3];
  const char* chat_agent[3];
  const char* bot_offline;
};

// Indexed like `languages`.
const texts all_texts[language_count] = {
    {"Dobrý den,", "S pozdravem",
     {"Kde je moje objednávka {o}?", "Vrácení zboží z objednávky {o}", "Vrácení peněz za objednávku {o}",
      "Poškozené zboží v objednávce {o}", "Faktura k objednávce {o}", "Změna doručovací adresy objednávky {o}",
      "Dotaz k produktu", "Stížnost na objednávku {o}"},
     {"Objednával jsem před týdnem a balík s objednávkou {o} stále nedorazil. Můžete prosím zjistit, kde je?",
      "Chtěl bych vrátit zboží z objednávky {o}. Jak ho mám poslat zpět?",
      "Zboží z objednávky {o} jsem poslal zpět před dvěma týdny a peníze mi stále nepřišly.",
      "Balík s objednávkou {o} dorazil poškozený a výrobek je rozbitý. Fotky přikládám.",
      "Prosím o zaslání faktury k objednávce {o} na naši firmu.",
      "Můžete prosím změnit doručovací adresu objednávky {o}? Přestěhoval jsem se.",
      "Je tento výrobek k dispozici v jiné velikosti a kdy bude znovu skladem?",
      "Jsem velmi nespokojený: kurýr vůbec nepřijel a nikdo nebere telefon. Objednávka {o}."},
     {"Děkuji, ale problém stále není vyřešený. Objednávka {o}.", "Je nějaká novinka k mému požadavku?",
      "Posílám fotky, o které jste žádali."},
     "Dobrý den,",
     {"děkujeme za Vaši zprávu. Objednávku {o} jsme zkontrolovali a vše je již na cestě.",
      "děkujeme za trpělivost. Peníze za objednávku {o} jsme odeslali, na účtu je budete mít do 5 pracovních dnů.",
      "omlouváme se za potíže. K objednávce {o} jsme Vám poslali náhradní zboží.",
      "mohli byste nám prosím poslat fotku štítku na balíku objednávky {o}?"},
     "S pozdravem",
     {"Dobrý den, mám dotaz k objednávce {o}.", "Kdy mi to přijde?", "Dobře, moc děkuji!"},
     {"Dobrý den, hned se na to podívám.", "Vaše objednávka {o} byla včera odeslána a zítra by měla dorazit.",
      "Není zač, hezký den!"},
     "Momentálně nejsme online. Odpovíme Vám e-mailem, jakmile budeme zpět."},
    {"Dobrý deň,", "S pozdravom",
     {"Kde je moja objednávka {o}?", "Vrátenie tovaru z objednávky {o}", "Vrátenie peňazí za objednávku {o}",
      "Poškodený tovar v objednávke {o}", "Faktúra k objednávke {o}", "Zmena doručovacej adresy objednávky {o}",
      "Otázka k produktu", "Sťažnosť na objednávku {o}"},
     {"Objednával som pred týždňom a balík s objednávkou {o} stále neprišiel. Môžete prosím zistiť, kde je?",
      "Chcel by som vrátiť tovar z objednávky {o}. Ako ho mám poslať späť?",
      "Tovar z objednávky {o} som poslal späť pred dvoma týždňami a peniaze mi stále neprišli.",
      "Balík s objednávkou {o} prišiel poškodený a výrobok je rozbitý. Fotky prikladám.",
      "Prosím o zaslanie faktúry k objednávke {o} na našu firmu.",
      "Môžete prosím zmeniť doručovaciu adresu objednávky {o}? Presťahoval som sa.",
      "Je tento výrobok dostupný v inej veľkosti a kedy bude opäť na sklade?",
      "Som veľmi nespokojný: kuriér vôbec neprišiel a nikto nedvíha telefón. Objednávka {o}."},
     {"Ďakujem, ale problém stále nie je vyriešený. Objednávka {o}.", "Je nejaká novinka k mojej požiadavke?",
      "Posielam fotky, o ktoré ste žiadali."},
     "Dobrý deň,",
     {"ďakujeme za Vašu správu. Objednávku {o} sme skontrolovali a všetko je už na ceste.",
      "ďakujeme za trpezlivosť. Peniaze za objednávku {o} sme odoslali, na účte ich budete mať do 5 pracovných dní.",
      "ospravedlňujeme sa za problémy. K objednávke {o} sme Vám poslali náhradný tovar.",
      "mohli by ste nám prosím poslať fotku štítku na balíku objednávky {o}?"},
     "S pozdravom",
     {"Dobrý deň, mám otázku k objednávke {o}.", "Kedy mi to príde?", "Dobre, ďakujem pekne!"},
     {"Dobrý deň, hneď sa na to pozriem.", "Vaša objednávka {o} bola včera odoslaná a zajtra by mala doraziť.",
      "Nie je za čo, pekný deň!"},
     "Momentálne nie sme online. Odpovieme Vám e-mailom, hneď ako budeme späť."},
    {"Dzień dobry,", "Pozdrawiam",
     {"Gdzie jest moje zamówienie {o}?", "Zwrot towaru z zamówienia {o}", "Zwrot pieniędzy za zamówienie {o}",
      "Uszkodzony towar w zamówieniu {o}", "Faktura do zamówienia {o}", "Zmiana adresu dostawy zamówienia {o}",
      "Pytanie o produkt", "Reklamacja zamówienia {o}"},
     {"Zamówiłem tydzień temu, a paczka z zamówieniem {o} nadal nie dotarła. Czy mogą Państwo sprawdzić, gdzie jest?",
      "Chciałbym zwrócić towar z zamówienia {o}. Jak mam go odesłać?",
      "Towar z zamówienia {o} odesłałem dwa tygodnie temu i nadal nie otrzymałem pieniędzy.",
      "Paczka z zamówieniem {o} dotarła uszkodzona, a produkt jest zepsuty. Zdjęcia w załączniku.",
      "Proszę o przesłanie faktury do zamówienia {o} na naszą firmę.",
      "Czy mogą Państwo zmienić adres dostawy zamówienia {o}? Przeprowadziłem się.",
      "Czy ten produkt jest dostępny w innym rozmiarze i kiedy będzie znowu dostępny?",
      "Jestem bardzo niezadowolony: kurier w ogóle nie przyjechał i nikt nie odbiera telefonu. Zamówienie {o}."},
     {"Dziękuję, ale problem nadal nie jest rozwiązany. Zamówienie {o}.",
      "Czy są jakieś nowe informacje w mojej sprawie?", "Przesyłam zdjęcia, o które Państwo prosili."},
     "Dzień dobry,",
     {"dziękujemy za wiadomość. Sprawdziliśmy zamówienie {o} i wszystko jest już w drodze.",
      "dziękujemy za cierpliwość. Zwrot za zamówienie {o} został zlecony, pieniądze dotrą w ciągu 5 dni roboczych.",
      "przepraszamy za kłopot. Wysłaliśmy nowy towar do zamówienia {o}.",
      "czy mogą Państwo przesłać zdjęcie etykiety z paczki zamówienia {o}?"},
     "Pozdrawiamy",
     {"Dzień dobry, mam pytanie o zamówienie {o}.", "Kiedy zostanie dostarczone?", "Dobrze, bardzo dziękuję!"},
     {"Dzień dobry, już to sprawdzam.", "Zamówienie {o} zostało wczoraj wysłane i powinno dotrzeć jutro.",
      "Proszę bardzo, miłego dnia!"},
     "Jesteśmy teraz offline. Odpowiemy e-mailem, gdy tylko wrócimy."},
    {"Guten Tag,", "Mit freundlichen Grüßen",
     {"Wo ist meine Bestellung {o}?", "Rücksendung der Bestellung {o}", "Erstattung für Bestellung {o}",
      "Beschädigte Ware in Bestellung {o}", "Rechnung zur Bestellung {o}",
      "Änderung der Lieferadresse für Bestellung {o}", "Frage zu einem Produkt", "Beschwerde zur Bestellung {o}"},
     {"Ich habe vor einer Woche bestellt und das Paket mit der Bestellung {o} ist immer noch nicht angekommen. "
      "Können Sie bitte nachsehen, wo es ist?",
      "Ich möchte die Ware aus der Bestellung {o} zurückgeben. Wie schicke ich sie zurück?",
      "Ich habe die Ware aus der Bestellung {o} vor zwei Wochen zurückgeschickt und mein Geld immer noch nicht "
      "erhalten.",
      "Das Paket mit der Bestellung {o} kam beschädigt an und das Produkt ist kaputt. Fotos im Anhang.",
      "Bitte senden Sie mir eine Rechnung zur Bestellung {o} mit unseren Firmendaten.",
      "Können Sie bitte die Lieferadresse der Bestellung {o} ändern? Ich bin umgezogen.",
      "Gibt es dieses Produkt auch in einer anderen Größe und wann ist es wieder lieferbar?",
      "Ich bin sehr unzufrieden: Der Kurier kam gar nicht und niemand geht ans Telefon. Bestellung {o}."},
     {"Danke, aber das Problem ist immer noch nicht gelöst. Bestellung {o}.",
      "Gibt es etwas Neues zu meiner Anfrage?", "Anbei die Fotos, um die Sie gebeten haben."},
     "Guten Tag,",
     {"vielen Dank für Ihre Nachricht. Wir haben die Bestellung {o} geprüft, alles ist jetzt unterwegs.",
      "vielen Dank für Ihre Geduld. Die Erstattung für die Bestellung {o} ist veranlasst und in 5 Werktagen auf "
      "Ihrem Konto.",
      "entschuldigen Sie die Unannehmlichkeiten. Wir haben Ersatz für die Bestellung {o} verschickt.",
      "könnten Sie uns bitte ein Foto des Etiketts auf dem Paket der Bestellung {o} schicken?"},
     "Mit freundlichen Grüßen",
     {"Hallo, ich habe eine Frage zu meiner Bestellung {o}.", "Wann wird sie geliefert?", "Okay, vielen Dank!"},
     {"Hallo, ich sehe sofort nach.", "Ihre Bestellung {o} wurde gestern verschickt und sollte morgen ankommen.",
      "Gern geschehen, schönen Tag noch!"},
     "Wir sind gerade offline. Wir antworten Ihnen per E-Mail, sobald wir zurück sind."},
    {"Hello,", "Kind regards",
     {"Where is my order {o}?", "Return of order {o}", "Refund for order {o}", "Damaged goods in order {o}",
      "Invoice for order {o}", "Change of delivery address for order {o}", "Question about a product",
      "Complaint about order {o}"},
     {"I ordered a week ago and the parcel with order {o} still has not arrived. Could you check where it is?",
      "I would like to return the goods from order {o}. How do I send them back?",
      "I sent the goods from order {o} back two weeks ago and I still have not received my money.",
      "The parcel with order {o} arrived damaged and the product is broken. Photos are attached.",
      "Please send me an invoice for order {o} with our company details.",
      "Could you please change the delivery address of order {o}? I have moved.",
      "Is this product available in another size, and when will it be back in stock?",
      "I am very unhappy: the courier never came and nobody answers the phone. Order {o}."},
     {"Thank you, but the problem is still not solved. Order {o}.", "Any news about my request?",
      "I have attached the photos you asked for."},
     "Hello,",
     {"thank you for your message. We have checked order {o} and everything is on its way now.",
      "thank you for your patience. The refund for order {o} has been issued and will reach your account within 5 "
      "working days.",
      "we are sorry for the trouble. We have sent a replacement for order {o}.",
      "could you please send us a photo of the label on the parcel of order {o}?"},
     "Kind regards",
     {"Hi, I have a question about my order {o}.", "When will it be delivered?", "OK, thanks a lot!"},
     {"Hello, let me check that for you.", "Your order {o} was shipped yesterday and should arrive tomorrow.",
      "You're welcome, have a nice day!"},
     "We are offline right now. We will answer you by email as soon as we are back."},
    {"Jó napot,", "Üdvözlettel",
     {"Hol van a rendelésem ({o})?", "A(z) {o} rendelés visszaküldése", "Visszatérítés a(z) {o} rendelésért",
      "Sérült áru a(z) {o} rendelésben", "Számla a(z) {o} rendeléshez",
      "A(z) {o} rendelés szállítási címének módosítása", "Kérdés egy termékről",
      "Panasz a(z) {o} rendeléssel kapcsolatban"},
     {"Egy hete rendeltem, és a(z) {o} rendelés csomagja még mindig nem érkezett meg. Meg tudnák nézni, hol van?",
      "Szeretném visszaküldeni a(z) {o} rendelés termékeit. Hogyan küldjem vissza?",
      "Két hete visszaküldtem a(z) {o} rendelés termékeit, de a pénzemet még mindig nem kaptam meg.",
      "A(z) {o} rendelés csomagja sérülten érkezett, a termék eltört. A fotókat csatoltam.",
      "Kérem, küldjenek számlát a(z) {o} rendelésről a cégünk adataival.",
      "Meg tudnák változtatni a(z) {o} rendelés szállítási címét? Elköltöztem.",
      "Kapható ez a termék más méretben is, és mikor lesz újra raktáron?",
      "Nagyon elégedetlen vagyok: a futár egyáltalán nem jött, és senki sem veszi fel a telefont. Rendelés: {o}."},
     {"Köszönöm, de a probléma még mindig nincs megoldva. Rendelés: {o}.",
      "Van valami újdonság a kérésemmel kapcsolatban?", "Csatolom a kért fotókat."},
     "Jó napot,",
     {"köszönjük az üzenetét. Ellenőriztük a(z) {o} rendelést, már minden úton van.",
      "köszönjük a türelmét. A(z) {o} rendelés visszatérítését elindítottuk, 5 munkanapon belül megérkezik.",
      "elnézést kérünk a kellemetlenségért. A(z) {o} rendeléshez csereterméket küldtünk.",
      "küldene nekünk egy fotót a(z) {o} rendelés csomagjának címkéjéről?"},
     "Üdvözlettel",
     {"Jó napot, kérdésem lenne a(z) {o} rendelésről.", "Mikor érkezik meg?", "Rendben, köszönöm szépen!"},
     {"Jó napot, máris megnézem.", "A(z) {o} rendelést tegnap feladtuk, holnap kell megérkeznie.",
      "Szívesen, szép napot!"},
     "Jelenleg nem vagyunk elérhetők. E-mailben válaszolunk, amint visszatérünk."},
};

const char* const note_texts[] = {
    "Checked with the warehouse: the parcel left on Monday.", "Customer called twice about this, please prioritise.",
    "Waiting for the carrier's investigation.", "Refund approved by the team lead.",
    "Called back, customer reached; summary in the ticket.", "Asked the supplier about stock, answer expected this week."};

const char* const brand_adjectives[] = {"Alpine", "Baltic", "Danube", "Forest", "Golden", "Harbor", "Iron",
                                        "Lunar", "Maple", "Nordic", "Silver", "Urban", "Vltava", "Tatra",
                                        "Amber", "Cedar", "Coral", "Ember", "Granite", "Meadow"};
const char* const brand_nouns[] = {"Outfitters", "Home", "Books", "Pets", "Garden", "Sports", "Kids", "Coffee",
                                   "Bikes", "Beauty", "Tools", "Electronics", "Fashion", "Toys", "Kitchen"};

// Every brand's office: Monday to Thursday 8:00-16:30, Friday 8:00-15:00.
nlohmann::json office_week() {
  return nlohmann::json::parse(R"({"mon": [["08:00", "16:30"]], "tue": [["08:00", "16:30"]],
      "wed": [["08:00", "16:30"]], "thu": [["08:00", "16:30"]], "fri": [["08:00", "15:00"]], "sat": [], "sun": []})");
}

std::string fill(std::string_view tmpl, std::string_view order) {
  std::string out;
  out.reserve(tmpl.size() + 16);
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '{' && i + 2 < tmpl.size() && tmpl[i + 1] == 'o' && tmpl[i + 2] == '}') {
      out += order;
      i += 2;
    } else {
      out += tmpl[i];
    }
  }
  return out;
}

// --- The model's parts ---------------------------------------------------------

enum class presence_status : std::uint8_t { online, away, offline };
const char* to_text(presence_status s) {
  return s == presence_status::online ? "online" : s == presence_status::away ? "away" : "offline";
}

// One working day of an agent, in seconds since the schedule base; start < 0: day off.
struct day_shift {
  std::int32_t start = -1, lunch = 0, lunch_end = 0, end = 0;
};

struct agent_state {
  uid id;
  std::string name, email;
  bool manager = false;
  int primary = 0;
  std::vector<int> brands;
  std::vector<int> langs;  // language indexes
  std::string actor;       // "agent:<id>"
  std::string id_text;
  ms_t last_assigned = no_time;
};

struct customer_state {
  uid id;
  ms_t created = no_time;
  uid last_ticket;
  ms_t last_closed = no_time;  // when the customer's latest ticket was closed (no_time: not closed)
  ms_t last_contact = no_time;  // the latest inbound message
};

struct brand_state {
  uid id;
  std::string id_text, name, slug, prefix, address, phone;
  int country = 0;
  ms_t created = 0;
  uid callbacks_queue, default_queue, returns_queue;
  uid calendar_id;
  domain::business_calendar office;
  std::vector<sla::policy_def> policies;
  std::vector<int> agents;  // role agent, any membership
  double weight = 1, growth = 0, speed = 1, chat_share = 0.15, phone_share = 0.30;
  double reason_weight[reason_count];
  int trending_reason = 0;
  double trend = 0;
  std::vector<customer_state> customers;
  long long last_number = 999;
};

struct status_rec {
  ms_t at;
  ticket_status to;
};

// A row waiting for its hour: rows of every table are flushed in time order.
struct pending_row {
  ms_t at;
  std::uint64_t seq;
  std::uint64_t offset;
  std::uint32_t length;
  std::uint8_t table;
};
struct hour_bucket {
  std::string arena;
  std::vector<pending_row> rows;
};

// The ticket being simulated.
struct ticket_sim {
  int b = 0;
  long long index = 0;
  uid id;
  std::string id_text;
  long long number = 0;
  int cust = 0;
  uid customer;
  std::string customer_name, customer_email, customer_phone;
  ms_t t0 = 0;
  channel ch = channel::email;
  int lang = 0;
  priority prio = priority::normal;
  std::vector<std::string> tags;
  int reason = 0;
  std::string order;
  std::string subject;
  uid linked;
  std::string chat_session;
  int chat_seq = 0;
  double language_confidence = 0;

  ticket_status status = ticket_status::new_;
  ms_t solved_at = no_time, closed_at = no_time, waiting_since = no_time;
  ms_t last_in = no_time, last_out = no_time, updated = 0;
  int version = 1;
  int assignee = -1;
  ms_t assigned_at = no_time;
  uid queue;
  ms_t queued_at = no_time;
  bool callback_required = false;
  ms_t callback_due = no_time;

  std::vector<std::pair<ms_t, uid>> queue_history;
  std::vector<std::pair<ms_t, int>> agent_history;
  std::vector<sla::timeline_entry> message_entries, event_entries;
  std::vector<status_rec> statuses;
  std::string last_inbound_mid, last_outbound_mid, outbound_subject;
  std::vector<std::string> references;
  // Each agent's latest reply on the ticket (messages.agent_previous_reply_at).
  std::vector<std::pair<int, ms_t>> last_reply_of;
};

ms_t later(ms_t a, ms_t b) { return a > b ? a : b; }

}  // namespace

// --- Table specs -------------------------------------------------------------------

const table_spec& spec(table t) {
  static const std::vector<table_spec> specs = {
      {"brands", {"id", "name", "slug", "ticket_prefix", "default_language", "default_phone_region", "time_zone",
                  "created_at", "updated_at", "reply_status_after"}},
      {"brand_inbound_addresses", {"address", "brand_id", "position"}},
      {"queues", {"id", "brand_id", "name", "position", "is_default", "mode", "conditions", "created_at", "updated_at"}},
      {"calendars", {"id", "brand_id", "name", "time_zone", "weekly", "holidays", "version", "created_at", "updated_at"}},
      {"calendar_versions", {"calendar_id", "version", "definition", "created_at"}},
      {"sla_policies", {"id", "brand_id", "name", "position", "conditions", "targets", "pause_on", "escalation",
                        "version", "created_at", "updated_at"}},
      {"sla_policy_versions", {"policy_id", "version", "definition", "created_at"}},
      {"agents", {"id", "name", "email", "role", "password_hash", "active", "created_at", "updated_at", "languages",
                  "skills", "presence", "presence_since"}},
      {"agent_brands", {"agent_id", "brand_id", "membership"}},
      {"agent_presence_intervals", {"agent_id", "status", "started_at", "ended_at", "set_by"}},
      {"customers", {"id", "brand_id", "name", "created_at", "updated_at", "last_contact_at"}},
      {"customer_identities", {"brand_id", "kind", "value", "customer_id", "created_at"}},
      {"tickets", {"id", "brand_id", "number", "customer_id", "subject", "status", "priority", "origin_channel",
                   "language", "tags", "callback_required", "chat_session_id", "linked_ticket_id",
                   "customer_waiting_since", "version", "created_at", "updated_at", "last_inbound_at",
                   "last_outbound_at", "solved_at", "closed_at", "language_confidence", "queue_id", "queued_at",
                   "assignee_id", "assigned_at", "callback_due_at", "sla_due_at"}},
      {"messages", {"id", "ticket_id", "brand_id", "customer_id", "channel", "direction", "automatic",
                    "automatic_reason", "author_agent_id", "sender", "subject", "body_text", "body_html", "email",
                    "email_message_id", "call_id", "call", "call_outcome", "chat_session_id", "chat_message_id",
                    "occurred_at", "created_at", "delivery_status", "delivery_updated_at", "agent_previous_reply_at"}},
      {"ticket_events", {"ticket_id", "brand_id", "kind", "actor", "data", "at"}},
      {"callback_attempts", {"id", "ticket_id", "brand_id", "agent_id", "outcome", "note", "at"}},
      {"sla_clocks", {"ticket_id", "target", "cycle", "brand_id", "policy_id", "policy_version", "calendar_id",
                      "calendar_version", "state", "business_hours", "seconds", "started_at", "stopped_at", "due_at",
                      "warn_at", "remaining_seconds", "warned_at", "breached_at", "next_check_at", "updated_at"}},
      {"sla_events", {"ticket_id", "brand_id", "target", "cycle", "kind", "at", "policy_id", "policy_version",
                      "calendar_id", "calendar_version", "data", "recorded_at", "channel", "priority", "queue_id",
                      "agent_id"}},
      {"sla_tickets", {"ticket_id", "policy_id"}},
  };
  return specs.at(static_cast<std::size_t>(t));
}

void batch::clear() {
  for (auto& s : text) s.clear();
  rows.fill(0);
}

// --- The generator ---------------------------------------------------------------------

struct generator::impl {
  params p;
  std::uint64_t key;
  rng main;
  ms_t start = 0, until = 0;  // the history: [start, until)
  ms_t base = 0;              // schedules count seconds from here (two days before start)
  int schedule_days = 0;
  std::vector<brand_state> brands;
  std::vector<agent_state> agents;
  std::vector<day_shift> shifts;  // agents x schedule_days
  std::map<std::string, const domain::business_calendar*> calendars_by_id;
  domain::business_calendar always_open = domain::business_calendar::always_open();
  std::vector<brand_summary> summaries;
  totals count;

  // Ticket times: counts per day, then the sorted times of the current day.
  std::vector<long long> per_day;
  int day_cursor = -1;
  std::vector<ms_t> day_times;
  std::size_t day_pos = 0;
  long long made = 0;
  bool finished = false;

  std::vector<hour_bucket> buckets;
  std::size_t flushed = 0;  // buckets before this one are out
  std::uint64_t seq = 0;
  std::uint64_t message_counter = 0, call_counter = 0, chat_counter = 0, attempt_counter = 0;
  batch* out = nullptr;

  explicit impl(const params& in)
      : p(in), key(mix(in.seed, hash_text(in.slug_prefix))), main(mix(key, 0x5eed)) {
    until = floor_div(to_ms(p.until), second_ms) * second_ms;
    start = until - static_cast<ms_t>(p.days) * day_ms;
    base = floor_div(start, day_ms) * day_ms - 2 * day_ms;
    schedule_days = p.days + 5;
    buckets.resize(static_cast<std::size_t>(p.days) * 24 + 2);
    make_brands();
    make_agents();
    plan_days();
    for (auto& br : brands) {
      calendars_by_id[str(br.calendar_id)] = &br.office;
      summaries.push_back({br.id_text, br.slug, 0, str(br.callbacks_queue), str(br.default_queue)});
    }
  }

  // --- Time zones and shifts ---

  // Seconds east of UTC at local noon of each schedule day, per country.
  std::vector<std::vector<int>> offsets;

  int offset_of(int country_index, int d) {
    if (offsets.empty()) {
      offsets.resize(countries().size());
      for (std::size_t c = 0; c < countries().size(); ++c) {
        const auto* zone = date::locate_zone(countries()[c].time_zone);
        offsets[c].resize(static_cast<std::size_t>(schedule_days));
        for (int i = 0; i < schedule_days; ++i) {
          const auto noon = std::chrono::sys_seconds{std::chrono::seconds{(base + i * day_ms) / 1000 + 12 * 3600}};
          offsets[c][static_cast<std::size_t>(i)] = static_cast<int>(zone->get_info(noon).offset.count());
        }
      }
    }
    d = std::clamp(d, 0, schedule_days - 1);
    return offsets[static_cast<std::size_t>(country_index)][static_cast<std::size_t>(d)];
  }

  // Local hour (0-23) and weekday (0 = Monday) of an instant in a country.
  std::pair<int, int> local_hour_weekday(int country_index, ms_t t) {
    const int d = static_cast<int>(floor_div(t - base, day_ms));
    const ms_t local = t + static_cast<ms_t>(offset_of(country_index, d)) * 1000;
    const ms_t days = floor_div(local, day_ms);
    const int hour = static_cast<int>((local - days * day_ms) / hour_ms);
    const int weekday = static_cast<int>(((days % 7) + 7 + 3) % 7);
    return {hour, weekday};
  }

  const day_shift& shift(int a, int d) { return shifts[static_cast<std::size_t>(a) * schedule_days + d]; }
  ms_t at_second(std::int32_t s) const { return base + static_cast<ms_t>(s) * 1000; }

  // The online window [begin, end) the agent is in at t or enters next; {no_time, no_time} within two weeks none.
  std::pair<ms_t, ms_t> next_online(int a, ms_t t) {
    int d = static_cast<int>(floor_div(t - base, day_ms)) - 1;
    for (int k = 0; k < 16; ++k, ++d) {
      if (d < 0) continue;
      if (d >= schedule_days) break;
      const day_shift& s = shift(a, d);
      if (s.start < 0) continue;
      const ms_t w[4] = {at_second(s.start), at_second(s.lunch), at_second(s.lunch_end), at_second(s.end)};
      if (t < w[1]) return {later(t, w[0]), w[1]};
      if (t < w[3]) return {later(t, w[2]), w[3]};
    }
    return {no_time, no_time};
  }

  bool online_at(int a, ms_t t) {
    auto [b, e] = next_online(a, t);
    return b != no_time && b <= t && t < e;
  }

  // When the agent has worked `work` of online time from t on.
  ms_t work_until(int a, ms_t t, ms_t work) {
    ms_t at = t;
    for (int guard = 0; guard < 40; ++guard) {
      auto [b, e] = next_online(a, at);
      if (b == no_time) return at + work;
      if (e - b >= work) return b + work;
      work -= e - b;
      at = e;
    }
    return at + work;
  }

  void make_schedules() {
    shifts.assign(static_cast<std::size_t>(agents.size()) * schedule_days, day_shift{});
    for (std::size_t a = 0; a < agents.size(); ++a) {
      rng r(mix(key, 1'000'000 + a));
      const int c = brands[static_cast<std::size_t>(agents[a].primary)].country;
      // early 6:00-14:30, day 8:00-16:30, late 13:30-22:00 (managers: day)
      static const int starts[3] = {6 * 60, 8 * 60, 13 * 60 + 30};
      const int kind = agents[a].manager ? 1 : static_cast<int>(r.pick(std::array<double, 3>{0.3, 0.5, 0.2}));
      const bool weekend_crew = !agents[a].manager && r.chance(0.15);
      const int vacation1 = static_cast<int>(r.below(365)), vacation2 = static_cast<int>(r.below(365));
      for (int d = 0; d < schedule_days; ++d) {
        const ms_t local_midnight = base + static_cast<ms_t>(d) * day_ms;
        const ms_t days = floor_div(local_midnight, day_ms);
        const int weekday = static_cast<int>(((days % 7) + 7 + 3) % 7);
        const bool works_day = weekend_crew ? (weekday >= 3 || weekday == 0) : weekday <= 4;
        const int doy = d % 365;
        const bool vacation = (doy >= vacation1 && doy < vacation1 + 7) || (doy >= vacation2 && doy < vacation2 + 5);
        const bool off = r.chance(0.04);
        const int jitter_start = static_cast<int>(r.range(-10, 15)), jitter_end = static_cast<int>(r.range(-15, 30));
        const int lunch_after = static_cast<int>(r.range(210, 270)), lunch_len = static_cast<int>(r.range(25, 40));
        if (!works_day || vacation || off) continue;
        const int offset = offset_of(c, d);
        const std::int32_t midnight = static_cast<std::int32_t>((local_midnight - base) / 1000 - offset);
        day_shift s;
        s.start = midnight + (starts[kind] + jitter_start) * 60;
        s.lunch = s.start + lunch_after * 60;
        s.lunch_end = s.lunch + lunch_len * 60;
        s.end = midnight + (starts[kind] + 510 + jitter_end) * 60;
        shifts[a * static_cast<std::size_t>(schedule_days) + static_cast<std::size_t>(d)] = s;
      }
    }
  }

  // --- Directory ---

  void make_brands() {
    const auto& cs = countries();
    std::vector<int> order(cs.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    const int rotation = static_cast<int>(main.below(cs.size()));
    const int width = p.brands > 99 ? 3 : 2;
    std::vector<int> adjective_order(std::size(brand_adjectives)), noun_order(std::size(brand_nouns));
    for (std::size_t i = 0; i < adjective_order.size(); ++i) adjective_order[i] = static_cast<int>(i);
    for (std::size_t i = 0; i < noun_order.size(); ++i) noun_order[i] = static_cast<int>(i);
    for (std::size_t i = adjective_order.size(); i > 1; --i) std::swap(adjective_order[i - 1], adjective_order[main.below(i)]);
    for (std::size_t i = noun_order.size(); i > 1; --i) std::swap(noun_order[i - 1], noun_order[main.below(i)]);
    // Ticket shares: a few big brands and a long tail, in random order.
    std::vector<double> shares(static_cast<std::size_t>(p.brands));
    for (int i = 0; i < p.brands; ++i) shares[static_cast<std::size_t>(i)] = 1.0 / std::pow(i + 1.0, 0.7);
    for (std::size_t i = shares.size(); i > 1; --i) std::swap(shares[i - 1], shares[main.below(i)]);
    double share_total = 0;
    for (double s : shares) share_total += s;
    for (int i = 0; i < p.brands; ++i) {
      brand_state b;
      b.country = order[static_cast<std::size_t>((i + rotation) % static_cast<int>(cs.size()))];
      b.created = start - static_cast<ms_t>(main.range(400, 900)) * day_ms + static_cast<ms_t>(main.below(day_ms));
      rng r(mix(key, 2'000'000 + static_cast<std::uint64_t>(i)));
      b.id = uuid7(b.created, r);
      b.id_text = str(b.id);
      std::string number = std::to_string(i + 1);
      while (static_cast<int>(number.size()) < width) number = "0" + number;
      const char* adjective = brand_adjectives[adjective_order[static_cast<std::size_t>(i) % adjective_order.size()]];
      const char* noun = brand_nouns[noun_order[static_cast<std::size_t>(i / 3 + i) % noun_order.size()]];
      b.name = std::string(adjective) + " " + noun + " " + cs[static_cast<std::size_t>(b.country)].region;
      b.slug = p.slug_prefix + "-" + number;
      b.prefix = std::string(1, adjective[0]) + std::string(1, noun[0]) + number;
      b.address = "support@" + b.slug + ".example";
      b.phone = std::string(cs[static_cast<std::size_t>(b.country)].office_phone) + number;
      b.callbacks_queue = uuid7(b.created, r);
      b.default_queue = uuid7(b.created, r);
      b.returns_queue = uuid7(b.created + hour_ms, r);
      b.calendar_id = uuid7(b.created + day_ms, r);
      b.weight = shares[static_cast<std::size_t>(i)] / share_total;
      b.growth = r.uniform() * 1.0 - 0.2;
      b.speed = 0.6 + r.uniform() * 1.2;
      b.phone_share = 0.22 + r.uniform() * 0.16;
      b.chat_share = 0.08 + r.uniform() * 0.14;
      double total = 0;
      for (int k = 0; k < reason_count; ++k) {
        b.reason_weight[k] = reason_base[k] * (0.5 + r.uniform());
        total += b.reason_weight[k];
      }
      for (double& w : b.reason_weight) w /= total;
      b.trending_reason = static_cast<int>(r.below(reason_count));
      b.trend = r.uniform() * 1.5 - 0.3;
      make_sla(b, r, i);
      brands.push_back(std::move(b));
    }
    // Customer pools: about one customer per five tickets of the brand.
    for (auto& b : brands) {
      const auto size = std::max<long long>(3, std::llround(static_cast<double>(p.tickets) * b.weight / 5.0));
      b.customers.resize(static_cast<std::size_t>(size));
    }
  }

  void make_sla(brand_state& b, rng& r, int i) {
    const auto& c = countries()[static_cast<std::size_t>(b.country)];
    const nlohmann::json weekly = office_week();
    nlohmann::json holidays = nlohmann::json::array();
    for (const char* h : c.holidays) holidays.push_back({{"month_day", h}, {"yearly", true}});
    std::vector<field_error> errors;
    const auto def = store::sla_codec::decode_calendar(c.time_zone, weekly, holidays, errors);
    if (!errors.empty()) throw std::logic_error("seed: bad calendar: " + errors.front().message);
    b.office = domain::business_calendar::compile(def);
    const std::string cal = str(b.calendar_id);
    const bool round_the_clock = i % 4 == 3;
    sla::policy_def urgent;
    urgent.name = "Urgent";
    urgent.position = 10;
    urgent.conditions.prio = priority::urgent;
    urgent.targets = {{sla::target_kind::first_response, 3600, cal, 0.75},
                      {sla::target_kind::next_response, 2 * 3600, cal, 0.75},
                      {sla::target_kind::resolution, 8 * 3600, cal, 0.75},
                      {sla::target_kind::callback, 15 * 60, cal, 0.5}};
    urgent.escalation = {{sla::escalation_rule::when::breach, std::nullopt, sla::escalation_rule::action::notify, ""}};
    sla::policy_def chat;
    chat.name = "Chat";
    chat.position = 20;
    chat.conditions.channel = channel::chat;
    chat.targets = {{sla::target_kind::first_response, 180, cal, 0.75},
                    {sla::target_kind::next_response, 300, cal, 0.75},
                    {sla::target_kind::resolution, 16 * 3600, cal, 0.75}};
    sla::policy_def standard;
    standard.name = round_the_clock ? "Standard (24x7)" : "Standard";
    standard.position = 100;
    if (round_the_clock) {
      standard.targets = {{sla::target_kind::first_response, 24 * 3600, "", 0.75},
                          {sla::target_kind::next_response, 24 * 3600, "", 0.75},
                          {sla::target_kind::resolution, 72 * 3600, "", 0.75},
                          {sla::target_kind::callback, 4 * 3600, "", 0.5}};
    } else {
      standard.targets = {{sla::target_kind::first_response, 4 * 3600, cal, 0.75},
                          {sla::target_kind::next_response, 8 * 3600, cal, 0.75},
                          {sla::target_kind::resolution, 16 * 3600, cal, 0.75},
                          {sla::target_kind::callback, 30 * 60, cal, 0.5}};
    }
    standard.escalation = {{sla::escalation_rule::when::breach, std::nullopt, sla::escalation_rule::action::notify, ""}};
    for (auto* pd : {&urgent, &chat, &standard}) {
      pd->brand_id = b.id_text;
      pd->version = 1;
      pd->id = str(uuid7(b.created + day_ms + pd->position * second_ms, r));
      b.policies.push_back(*pd);
    }
  }

  void make_agents() {
    const int managers = std::min(p.agents / 20, p.agents - p.brands);
    const auto& cs = countries();
    for (int a = 0; a < p.agents; ++a) {
      rng r(mix(key, 3'000'000 + static_cast<std::uint64_t>(a)));
      agent_state g;
      g.manager = a >= p.agents - managers;
      g.primary = a % p.brands;
      const auto& c = cs[static_cast<std::size_t>(brands[static_cast<std::size_t>(g.primary)].country)];
      const auto& first = c.first_names[r.below(c.first_names.size())];
      const auto& last = c.last_names[r.below(c.last_names.size())];
      g.name = std::string(first.display) + " " + last.display;
      std::string number = std::to_string(a + 1);
      while (number.size() < 4) number = "0" + number;
      g.email = std::string(first.ascii) + "." + last.ascii + "." + number + "@" + p.slug_prefix + ".seed.example";
      g.id = uuid7(start - static_cast<ms_t>(r.range(30, 400)) * day_ms, r);
      g.id_text = str(g.id);
      g.actor = "agent:" + g.id_text;
      g.brands.push_back(g.primary);
      const int want = std::min(p.brands, static_cast<int>(r.range(3, 4)));
      for (int guard = 0; static_cast<int>(g.brands.size()) < want && guard < 100; ++guard) {
        const int other = static_cast<int>(r.below(static_cast<std::uint64_t>(p.brands)));
        if (std::find(g.brands.begin(), g.brands.end(), other) == g.brands.end()) g.brands.push_back(other);
      }
      g.langs.push_back(language_index(c.language));
      auto add_language = [&](int l) {
        if (std::find(g.langs.begin(), g.langs.end(), l) == g.langs.end()) g.langs.push_back(l);
      };
      if (r.chance(0.6)) add_language(4);  // en
      if (g.langs[0] == 0 && r.chance(0.7)) add_language(1);
      if (g.langs[0] == 1 && r.chance(0.7)) add_language(0);
      if (r.chance(0.3)) add_language(static_cast<int>(r.below(language_count)));
      for (int bi : g.brands) {
        // the other brands' languages are learnt a little
        const int l = language_index(cs[static_cast<std::size_t>(brands[static_cast<std::size_t>(bi)].country)].language);
        if (r.chance(0.35)) add_language(l);
      }
      if (!g.manager)
        for (int bi : g.brands) brands[static_cast<std::size_t>(bi)].agents.push_back(a);
      agents.push_back(std::move(g));
    }
    make_schedules();
  }

  // --- Ticket volume ---

  static double season(unsigned month, unsigned day) {
    double f = 1.0;
    if ((month == 11 && day >= 20) || (month == 12 && day <= 2)) f += 0.7;  // Black Friday
    if (month == 12 && day >= 3 && day <= 22) f += 0.4;                      // Christmas
    if (month == 12 && day >= 24) f -= 0.3;
    if (month == 1 && day >= 2 && day <= 20) f += 0.35;  // returns
    if ((month == 7 && day >= 10) || (month == 8 && day <= 20)) f -= 0.25;
    return f;
  }

  void plan_days() {
    static const double weekday_factor[7] = {1.25, 1.15, 1.05, 1.0, 0.95, 0.6, 0.7};
    std::vector<double> w(static_cast<std::size_t>(p.days));
    double total = 0;
    for (int d = 0; d < p.days; ++d) {
      const ms_t noon = start + d * day_ms + 12 * hour_ms;
      const civil_time c = civil(noon);
      const int weekday = static_cast<int>(((floor_div(noon, day_ms) % 7) + 7 + 3) % 7);
      double v = weekday_factor[weekday] * season(c.month, c.day) * (1.0 + 0.3 * d / std::max(1, p.days));
      v *= 0.9 + 0.2 * main.uniform();
      w[static_cast<std::size_t>(d)] = v;
      total += v;
    }
    per_day.resize(static_cast<std::size_t>(p.days));
    double cumulative = 0;
    long long given = 0;
    for (int d = 0; d < p.days; ++d) {
      cumulative += w[static_cast<std::size_t>(d)];
      const long long upto = d + 1 == p.days ? p.tickets : std::llround(static_cast<double>(p.tickets) * cumulative / total);
      per_day[static_cast<std::size_t>(d)] = std::max(0LL, upto - given);
      given += per_day[static_cast<std::size_t>(d)];
    }
  }

  // Customers write at any hour, most in the morning and the evening (Prague time).
  static constexpr double hour_profile[24] = {0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.4, 0.9, 1.5, 1.9, 2.0, 1.9,
                                              1.6, 1.7, 1.7, 1.6, 1.4, 1.2, 1.2, 1.4, 1.5, 1.3, 0.9, 0.5};

  bool next_time(ms_t& t) {
    while (day_pos >= day_times.size()) {
      if (++day_cursor >= p.days) return false;
      const long long n = per_day[static_cast<std::size_t>(day_cursor)];
      day_times.clear();
      day_pos = 0;
      const ms_t day_start = start + static_cast<ms_t>(day_cursor) * day_ms;
      std::array<double, 24> slots{};
      for (int k = 0; k < 24; ++k) slots[static_cast<std::size_t>(k)] = hour_profile[local_hour_weekday(0, day_start + k * hour_ms + 30 * minute_ms).first];
      for (long long i = 0; i < n; ++i) {
        const auto k = static_cast<ms_t>(main.pick(slots));
        day_times.push_back(day_start + k * hour_ms + static_cast<ms_t>(main.below(hour_ms)));
      }
      std::sort(day_times.begin(), day_times.end());
    }
    t = day_times[day_pos++];
    return true;
  }

  // --- Output ---

  std::string& direct(table t) {
    ++out->rows[static_cast<std::size_t>(t)];
    ++count.rows[static_cast<std::size_t>(t)];
    return out->of(t);
  }

  std::size_t bucket_of(ms_t t) const {
    const ms_t i = floor_div(t - start, hour_ms);
    return static_cast<std::size_t>(std::clamp<ms_t>(i, 0, static_cast<ms_t>(buckets.size()) - 1));
  }

  // Writes a timed row: `fill` appends one COPY line to the string it gets.
  template <class F>
  void timed(table t, ms_t at, F&& fill) {
    auto& bucket = buckets[bucket_of(at)];
    const std::uint64_t offset = bucket.arena.size();
    fill(bucket.arena);
    bucket.rows.push_back({at, seq++, offset, static_cast<std::uint32_t>(bucket.arena.size() - offset),
                           static_cast<std::uint8_t>(t)});
    ++count.rows[static_cast<std::size_t>(t)];
  }

  void flush(std::size_t upto) {
    std::array<std::size_t, table_count> bytes{};
    for (std::size_t i = flushed; i < upto && i < buckets.size(); ++i)
      for (const auto& r : buckets[i].rows) bytes[r.table] += r.length;
    for (std::size_t t = 0; t < table_count; ++t) out->text[t].reserve(out->text[t].size() + bytes[t]);
    for (; flushed < upto && flushed < buckets.size(); ++flushed) {
      auto& bucket = buckets[flushed];
      std::sort(bucket.rows.begin(), bucket.rows.end(),
                [](const pending_row& a, const pending_row& b) { return a.at != b.at ? a.at < b.at : a.seq < b.seq; });
      for (const auto& r : bucket.rows) {
        out->text[r.table].append(bucket.arena, r.offset, r.length);
        ++out->rows[r.table];
      }
      std::string().swap(bucket.arena);
      std::vector<pending_row>().swap(bucket.rows);
    }
  }

  // --- The directory batch ---

  void directory(batch& b) {
    out = &b;
    const auto& cs = countries();
    for (auto& br : brands) {
      const auto& c = cs[static_cast<std::size_t>(br.country)];
      row(direct(table::brands))
          .id(br.id).text(br.name).raw(br.slug).raw(br.prefix).raw(c.language).raw(c.region).raw(c.time_zone)
          .time(br.created).time(br.created).raw("pending").end();
      row(direct(table::brand_inbound_addresses)).raw(br.address).id(br.id).num(0).end();
      row(direct(table::queues))
          .id(br.returns_queue).id(br.id).text("Returns & refunds").num(10).boolean(false).raw("push")
          .text(R"({"tags": ["return", "refund", "damaged"]})").time(br.created + hour_ms).time(br.created + hour_ms)
          .end();
      // The calendar and the policies, with their first versions.
      const nlohmann::json weekly = office_week();
      nlohmann::json holidays = nlohmann::json::array();
      for (const char* h : c.holidays) holidays.push_back({{"month_day", h}, {"yearly", true}});
      const std::string cal_name = br.name + " office";
      const ms_t cal_at = br.created + day_ms;
      row(direct(table::calendars))
          .id(br.calendar_id).id(br.id).text(cal_name).raw(c.time_zone).text(weekly.dump()).text(holidays.dump())
          .num(1).time(cal_at).time(cal_at).end();
      const nlohmann::json cal_def = {{"name", cal_name}, {"time_zone", c.time_zone}, {"weekly", weekly}, {"holidays", holidays}};
      row(direct(table::calendar_versions)).id(br.calendar_id).num(1).text(cal_def.dump()).time(cal_at).end();
      for (const auto& pd : br.policies) {
        const auto conditions = store::sla_codec::encode_conditions(pd.conditions);
        const auto targets = store::sla_codec::encode_targets(pd.targets);
        const auto pause_on = store::sla_codec::encode_pause_on(pd.pause_on);
        const auto escalation = store::sla_codec::encode_escalation(pd.escalation);
        std::string pause_array = "{";
        for (std::size_t k = 0; k < pause_on.size(); ++k) {
          if (k) pause_array += ',';
          pause_array += pause_on[k].get<std::string>();
        }
        pause_array += "}";
        const ms_t at = cal_at + pd.position * second_ms;
        row(direct(table::sla_policies))
            .raw(pd.id).id(br.id).text(pd.name).num(pd.position).text(conditions.dump()).text(targets.dump())
            .raw(pause_array).text(escalation.dump()).num(1).time(at).time(at).end();
        const nlohmann::json def = {{"name", pd.name},     {"position", pd.position}, {"conditions", conditions},
                                    {"targets", targets},  {"pause_on", pause_on},    {"escalation", escalation}};
        row(direct(table::sla_policy_versions)).raw(pd.id).num(1).text(def.dump()).time(at).end();
      }
    }
    // Presence: each agent's shifts as contiguous intervals from the start of
    // the history; the last one is open and is the agent's presence now.
    struct interval {
      ms_t begin, end;
      int agent;
      presence_status status;
    };
    std::vector<interval> intervals;
    std::vector<std::pair<presence_status, ms_t>> current(agents.size());
    for (std::size_t a = 0; a < agents.size(); ++a) {
      std::vector<std::pair<ms_t, presence_status>> changes;
      for (int d = 0; d < schedule_days; ++d) {
        const day_shift& s = shift(static_cast<int>(a), d);
        if (s.start < 0) continue;
        changes.push_back({at_second(s.start), presence_status::online});
        changes.push_back({at_second(s.lunch), presence_status::away});
        changes.push_back({at_second(s.lunch_end), presence_status::online});
        changes.push_back({at_second(s.end), presence_status::offline});
      }
      presence_status status = presence_status::offline;
      std::size_t k = 0;
      for (; k < changes.size() && changes[k].first <= start; ++k) status = changes[k].second;
      ms_t since = start;
      for (; k < changes.size() && changes[k].first < until; ++k) {
        intervals.push_back({since, changes[k].first, static_cast<int>(a), status});
        since = changes[k].first;
        status = changes[k].second;
      }
      intervals.push_back({since, no_time, static_cast<int>(a), status});
      current[a] = {status, since};
    }
    for (std::size_t a = 0; a < agents.size(); ++a) {
      const auto& g = agents[a];
      const ms_t created = static_cast<ms_t>(g.id.hi >> 16);
      std::string langs = "[";
      for (std::size_t k = 0; k < g.langs.size(); ++k) {
        langs += k ? ", " : "";
        langs += R"({"code": ")" + std::string(languages[g.langs[k]]) + R"(", "level": ")" +
                 (k == 0 ? "native" : (g.langs[k] == 4 || k == 1) ? "fluent" : "basic") + "\"}";
      }
      langs += "]";
      std::string skills = "{}";
      if (!g.manager && a % 7 == 3) skills = "{returns}";
      if (!g.manager && a % 11 == 5) skills = "{amazon}";
      row(direct(table::agents))
          .id(g.id).text(g.name).text(g.email).raw(g.manager ? "manager" : "agent").text(p.password_hash).boolean(true)
          .time(created).time(created).text(langs).raw(skills).raw(to_text(current[a].first)).time(current[a].second)
          .end();
      for (std::size_t k = 0; k < g.brands.size(); ++k)
        row(direct(table::agent_brands))
            .id(g.id).id(brands[static_cast<std::size_t>(g.brands[k])].id).raw(k < 2 ? "primary" : "backup").end();
    }
    std::sort(intervals.begin(), intervals.end(), [](const interval& x, const interval& y) {
      return x.begin != y.begin ? x.begin < y.begin : x.agent < y.agent;
    });
    for (const auto& iv : intervals)
      row(direct(table::agent_presence_intervals))
          .id(agents[static_cast<std::size_t>(iv.agent)].id).raw(to_text(iv.status)).time(iv.begin).time(iv.end)
          .text(agents[static_cast<std::size_t>(iv.agent)].actor).end();
    out = nullptr;
  }

  // --- Tickets ---

  bool next(batch& b, long long batch_tickets) {
    if (finished) return false;
    out = &b;
    b.clear();
    ms_t last = start;
    for (long long n = 0; n < batch_tickets; ++n) {
      ms_t t0;
      if (!next_time(t0)) break;
      simulate(made, t0);
      ++made;
      last = t0;
    }
    if (made >= p.tickets || day_cursor >= p.days) {
      flush(buckets.size());
      finished = true;
      for (std::size_t i = 0; i < brands.size(); ++i) summaries[i].last_number = brands[i].last_number >= 1000 ? brands[i].last_number : 0;
    } else {
      flush(bucket_of(last));
    }
    b.tickets_done = made;
    out = nullptr;
    return true;
  }

  int pick_brand(ms_t t) {
    const double frac = static_cast<double>(t - start) / static_cast<double>(until - start);
    double total = 0;
    for (const auto& br : brands) total += br.weight * (1.0 + br.growth * frac);
    double u = main.uniform() * total;
    for (std::size_t i = 0; i < brands.size(); ++i) {
      const double w = brands[i].weight * (1.0 + brands[i].growth * frac);
      if (u < w) return static_cast<int>(i);
      u -= w;
    }
    return static_cast<int>(brands.size()) - 1;
  }

  int pick_reason(const brand_state& br, ms_t t, rng& r) {
    const double frac = static_cast<double>(t - start) / static_cast<double>(until - start);
    const civil_time c = civil(t);
    const bool black_friday = (c.month == 11 && c.day >= 20) || (c.month == 12 && c.day <= 2);
    const bool christmas = c.month == 12 && c.day <= 22;
    const bool january = c.month == 1 && c.day <= 25;
    std::array<double, reason_count> w{};
    for (int k = 0; k < reason_count; ++k) {
      double v = br.reason_weight[k];
      if (k == 0) v *= 1.0 + (black_friday ? 1.0 : 0.0) + (christmas ? 0.6 : 0.0);
      if ((k == 1 || k == 2) && january) v *= 2.2;
      if (k == 3 && christmas) v *= 1.5;
      if (k == br.trending_reason) v *= std::max(0.1, 1.0 + br.trend * frac);
      w[static_cast<std::size_t>(k)] = v;
    }
    return static_cast<int>(r.pick(w));
  }

  // A person in the brand's customer pool; created on first contact.
  void pick_customer(ticket_sim& t, rng& r) {
    auto& br = brands[static_cast<std::size_t>(t.b)];
    const auto size = br.customers.size();
    t.cust = static_cast<int>(std::min<std::size_t>(size - 1, static_cast<std::size_t>(static_cast<double>(size) * std::pow(r.uniform(), 1.3))));
    auto& c = br.customers[static_cast<std::size_t>(t.cust)];
    const auto& co = countries()[static_cast<std::size_t>(br.country)];
    rng pr(mix(key ^ 0xc0ffee, (static_cast<std::uint64_t>(t.b) << 40) + static_cast<std::uint64_t>(t.cust)));
    const auto& first = co.first_names[pr.below(co.first_names.size())];
    const auto& last = co.last_names[pr.below(co.last_names.size())];
    t.customer_name = std::string(first.display) + " " + last.display;
    t.customer_email = std::string(first.ascii) + "." + last.ascii + "." + std::to_string(100 + t.cust) + "@" +
                       co.mail_domains[pr.below(co.mail_domains.size())];
    // Distinct subscriber numbers: an affine map with a multiplier coprime with 10 is a bijection mod 10^k.
    const std::uint64_t modulus = co.subscriber_digits == 8 ? 100'000'000ULL : 10'000'000ULL;
    const std::uint64_t subscriber = (static_cast<std::uint64_t>(t.cust) * 7'654'321ULL + static_cast<std::uint64_t>(t.b) * 1'234'567ULL) % modulus;
    std::string digits = std::to_string(subscriber);
    while (static_cast<int>(digits.size()) < co.subscriber_digits) digits = "0" + digits;
    t.customer_phone = std::string(co.mobile_prefix) + digits;
    if (c.created == no_time) {
      c.created = t.t0;
      c.id = uuid7(t.t0, pr);
      row(direct(table::customers)).id(c.id).id(br.id).text(t.customer_name).time(t.t0).time(t.t0).time(t.t0).end();
      row(direct(table::customer_identities)).id(br.id).raw("email").text(t.customer_email).id(c.id).time(t.t0).end();
      row(direct(table::customer_identities)).id(br.id).raw("phone").raw(t.customer_phone).id(c.id).time(t.t0).end();
    }
    t.customer = c.id;
  }

  // --- Ticket history writers ---

  void event(ticket_sim& t, ms_t at, const char* kind, std::string_view actor, const std::string& data) {
    timed(table::ticket_events, at, [&](std::string& s) {
      row(s).id(t.id).id(brands[static_cast<std::size_t>(t.b)].id).raw(kind).text(actor).text(data).time(at).end();
    });
    t.updated = later(t.updated, at);
  }

  const std::string& actor_of(int agent) { return agents[static_cast<std::size_t>(agent)].actor; }

  void set_status(ticket_sim& t, ms_t at, ticket_status to, const char* reason, std::string_view actor) {
    if (to == t.status) return;
    std::string data;
    jobj(data).str("from", to_string(t.status)).str("to", to_string(to)).str("reason", reason).close();
    event(t, at, "status_changed", actor, data);
    t.event_entries.push_back({to_ts(at), sla::entry_kind::status_change, to, {}});
    t.statuses.push_back({at, to});
    if (to == ticket_status::solved) t.solved_at = at;
    else if (to == ticket_status::closed) t.closed_at = at;
    else t.solved_at = no_time;
    if (to == ticket_status::solved || to == ticket_status::closed) t.waiting_since = no_time;
    t.status = to;
    ++t.version;
  }

  void place(ticket_sim& t, ms_t at, uid queue, const char* reason) {
    std::string data;
    jobj(data).id("queue_id", queue).str("reason", reason).close();
    event(t, at, "queued", "router", data);
    t.queue = queue;
    t.queued_at = at;
    t.queue_history.push_back({at, queue});
  }

  void assign(ticket_sim& t, ms_t at, int agent) {
    const auto& g = agents[static_cast<std::size_t>(agent)];
    std::string reason = "speaks " + std::string(languages[t.lang]);
    std::string data;
    jobj(data).id("agent_id", g.id).id("queue_id", t.queue).str("by", "router").str("reason", reason).close();
    event(t, at, "assigned", "router", data);
    t.assignee = agent;
    t.assigned_at = at;
    agents[static_cast<std::size_t>(agent)].last_assigned = later(agents[static_cast<std::size_t>(agent)].last_assigned, at);
    t.agent_history.push_back({at, agent});
    ++t.version;
  }

  struct message_fields {
    const char* channel = "email";
    const char* direction = "inbound";
    bool automatic = false;
    std::string automatic_reason;
    int author = -1;
    std::string sender, subject, body, html, email, email_mid, call_id, call, outcome, chat_session, chat_mid;
    ms_t at = 0;
    const char* delivery = nullptr;
    ms_t delivery_at = no_time;
  };

  // The time of the author's previous reply on the ticket, if `m` is a
  // reply (the trigger's rule of migration 0023). A ticket's messages are
  // made in time order, so the latest so far is the previous one.
  static ms_t link_reply(ticket_sim& t, const message_fields& m) {
    const bool reply = std::strcmp(m.direction, "outbound") == 0 && m.author >= 0 && !m.automatic &&
                       std::strcmp(m.channel, "note") != 0;
    if (!reply) return no_time;
    for (auto& [agent, at] : t.last_reply_of)
      if (agent == m.author) return std::exchange(at, m.at);
    t.last_reply_of.emplace_back(m.author, m.at);
    return no_time;
  }

  std::string message(ticket_sim& t, const message_fields& m) {
    rng r(mix(key ^ 0x6d657373, message_counter));
    const uid id = uuid7(m.at, r);
    const auto& br = brands[static_cast<std::size_t>(t.b)];
    const ms_t previous_reply = link_reply(t, m);
    timed(table::messages, m.at, [&](std::string& s) {
      row w(s);
      w.id(id).id(t.id).id(br.id).id(t.customer).raw(m.channel).raw(m.direction).boolean(m.automatic)
          .text(m.automatic_reason).id(m.author >= 0 ? agents[static_cast<std::size_t>(m.author)].id : uid{})
          .text(m.sender).text(m.subject).text(m.body).text(m.html);
      if (m.email.empty()) w.null(); else w.text(m.email);
      if (m.email_mid.empty()) w.null(); else w.text(m.email_mid);
      if (m.call_id.empty()) w.null(); else w.raw(m.call_id);
      if (m.call.empty()) w.null(); else w.text(m.call);
      if (m.outcome.empty()) w.null(); else w.raw(m.outcome);
      if (m.chat_session.empty()) w.null(); else w.raw(m.chat_session);
      if (m.chat_mid.empty()) w.null(); else w.raw(m.chat_mid);
      w.time(m.at).time(m.at);
      if (m.delivery) w.raw(m.delivery); else w.null();
      w.time(m.delivery_at).time(previous_reply).end();
    });
    ++message_counter;
    t.updated = later(t.updated, m.at);
    if (std::strcmp(m.direction, "inbound") == 0) {
      auto& c = brands[static_cast<std::size_t>(t.b)].customers[static_cast<std::size_t>(t.cust)];
      c.last_contact = later(c.last_contact, m.at);
    }
    return str(id);
  }

  static std::string order_ref(rng& r) { return std::to_string(r.range(10'000'000, 99'999'999)); }

  // Ids as mailers and telephony providers make them: a time stamp, then
  // something unique. Keys that grow with time also keep their btree
  // indexes appending instead of writing all over them.
  static std::string stamp(ms_t at) {
    const civil_time c = civil(at);
    std::string s;
    put_digits(s, c.year, 4);
    put_digits(s, static_cast<int>(c.month), 2);
    put_digits(s, static_cast<int>(c.day), 2);
    put_digits(s, c.hh, 2);
    put_digits(s, c.mm, 2);
    put_digits(s, c.ss, 2);
    return s;
  }

  std::string new_mid(ms_t at, const std::string& domain) {
    return stamp(at) + "." + hex16(permute(key ^ (0x4d49440000000000ULL + message_counter))) + "@" + domain;
  }

  // The customer writes an email (the first one or a reply in the thread).
  void customer_email(ticket_sim& t, ms_t at, rng& r, bool first, bool automatic = false) {
    const auto& br = brands[static_cast<std::size_t>(t.b)];
    const texts& tx = all_texts[t.lang];
    message_fields m;
    m.channel = "email";
    m.direction = "inbound";
    m.at = at;
    m.sender = t.customer_name + " <" + t.customer_email + ">";
    const std::string domain = "mail." + t.customer_email.substr(t.customer_email.find('@') + 1);
    m.email_mid = new_mid(at, domain);
    std::string text;
    if (automatic) {
      m.automatic = true;
      m.automatic_reason = "Auto-Submitted: auto-replied";
      m.subject = "Automatic reply: " + t.outbound_subject;
      text = "I am out of the office until next week and will read your message after my return.";
    } else if (first) {
      m.subject = t.subject;
      text = std::string(tx.greeting) + "\n\n" + fill(tx.bodies[t.reason], t.order) + "\n\n" + tx.closing + "\n" +
             t.customer_name;
    } else {
      m.subject = t.outbound_subject.empty() ? "Re: " + t.subject : t.outbound_subject;
      text = std::string(tx.greeting) + "\n\n" + fill(tx.follow_ups[r.below(3)], t.order) + "\n\n" + tx.closing +
             "\n" + t.customer_name;
    }
    m.body = text;
    if (!automatic && r.chance(0.4)) {
      m.html = "<html><body><p>";
      for (char c : text) m.html += c == '\n' ? std::string("<br>") : std::string(1, c);
      m.html += "</p></body></html>";
    }
    std::string headers = "[]";
    if (automatic) headers = R"([{"name": "Auto-Submitted", "value": "auto-replied"}])";
    std::vector<std::string> refs = t.references;
    const std::string in_reply_to = first ? std::string() : t.last_outbound_mid;
    jobj(m.email)
        .str("from", m.sender)
        .raw("to", json_strings({br.address}))
        .raw("cc", "[]")
        .str("reply_to", "")
        .str("message_id", m.email_mid)
        .str("in_reply_to", in_reply_to)
        .raw("references", json_strings(refs))
        .raw("headers", headers)
        .time("date", at - static_cast<ms_t>(r.range(1, 20)) * second_ms)
        .close();
    message(t, m);
    if (!automatic) {
      t.last_inbound_mid = m.email_mid;
      remember_reference(t, m.email_mid);
      customer_wrote(t, at);
    }
  }

  // A thread's References keep the 20 newest Message-IDs, as mail clients do.
  static void remember_reference(ticket_sim& t, const std::string& mid) {
    t.references.push_back(mid);
    if (t.references.size() > 20) t.references.erase(t.references.begin());
  }

  void customer_wrote(ticket_sim& t, ms_t at) {
    t.message_entries.push_back({to_ts(at), sla::entry_kind::customer_message, {}, {}});
    t.last_in = at;
    if (t.waiting_since == no_time) t.waiting_since = at;
    if (at > t.t0) ++t.version;
  }

  const char* delivery(rng& r) {
    const double u = r.uniform();
    return u < 0.95 ? "delivered" : u < 0.98 ? "sent" : u < 0.99 ? "bounced" : "failed";
  }

  void agent_email(ticket_sim& t, ms_t at, int agent, rng& r) {
    const auto& br = brands[static_cast<std::size_t>(t.b)];
    const texts& tx = all_texts[t.lang];
    message_fields m;
    m.channel = "email";
    m.direction = "outbound";
    m.author = agent;
    m.at = at;
    m.sender = br.address;
    if (t.outbound_subject.empty())
      t.outbound_subject = mail_out::reply_subject(t.subject, ticket_token(br.prefix, t.number));
    m.subject = t.outbound_subject;
    const auto& g = agents[static_cast<std::size_t>(agent)];
    m.body = std::string(tx.agent_greeting) + "\n\n" + fill(tx.agent_bodies[r.below(4)], t.order) + "\n\n" +
             tx.agent_closing + "\n" + g.name + "\n" + br.name;
    // The message id is ours: "<ticket>.<message>@helpdesk.invalid", the message id being the row's.
    rng peek(mix(key ^ 0x6d657373, message_counter));
    const std::string row_id = str(uuid7(at, peek));
    m.email_mid = outbound_message_id(t.id_text, row_id, "helpdesk.invalid");
    const std::string in_reply_to = t.last_inbound_mid;
    const auto refs = mail_out::reply_references(t.references, in_reply_to);
    std::string refs_header;
    for (const auto& ref : refs) refs_header += (refs_header.empty() ? "<" : " <") + ref + ">";
    std::string headers;
    {
      jobj h(headers);
      h.str("From", mail_out::mailbox(br.name, br.address)).str("To", t.customer_email)
          .str("Subject", mail_out::encode_words(m.subject)).str("Message-ID", "<" + m.email_mid + ">");
      if (!in_reply_to.empty()) h.str("In-Reply-To", "<" + in_reply_to + ">");
      if (!refs_header.empty()) h.str("References", refs_header);
      h.close();
    }
    jobj e(m.email);
    e.str("from", br.address).raw("to", json_strings({t.customer_email})).raw("cc", "[]").str("subject", m.subject)
        .str("message_id", m.email_mid);
    if (in_reply_to.empty()) e.null("in_reply_to"); else e.str("in_reply_to", in_reply_to);
    e.raw("references", json_strings(refs)).raw("headers", headers).close();
    m.delivery = delivery(r);
    m.delivery_at = std::min(until, at + static_cast<ms_t>(r.range(2, 90)) * second_ms);
    message(t, m);
    t.last_outbound_mid = m.email_mid;
    t.references = refs;
    remember_reference(t, m.email_mid);
    agent_replied(t, at);
  }

  void agent_replied(ticket_sim& t, ms_t at) {
    t.message_entries.push_back({to_ts(at), sla::entry_kind::agent_reply, {}, {}});
    t.last_out = at;
    t.waiting_since = no_time;
    ++t.version;
  }

  void note(ticket_sim& t, ms_t at, int agent, rng& r, const char* fixed = nullptr) {
    message_fields m;
    m.channel = "note";
    m.direction = "internal";
    m.author = agent;
    m.at = at;
    m.body = fixed ? fixed : note_texts[r.below(4)];
    message(t, m);
  }

  // A chat line: the visitor's, an agent's reply or the bot's.
  void chat_line(ticket_sim& t, ms_t at, int who, const std::string& text) {  // who: -2 visitor, -1 bot, else agent
    message_fields m;
    m.channel = "chat";
    m.at = at;
    m.body = text;
    m.chat_session = t.chat_session;
    if (who == -2) {
      m.direction = "inbound";
      m.sender = t.customer_name;
      m.chat_mid = t.chat_session + "-" + std::to_string(++t.chat_seq);
    } else if (who == -1) {
      m.direction = "outbound";
      m.automatic = true;
      m.automatic_reason = "chat bot";
      m.sender = "bot";
      m.chat_mid = t.chat_session + "-" + std::to_string(++t.chat_seq);
    } else {
      m.direction = "outbound";
      m.author = who;
      m.sender = agents[static_cast<std::size_t>(who)].name;
      m.delivery = "delivered";
      m.delivery_at = std::min(until, at + 800);
    }
    message(t, m);
    if (who == -2) customer_wrote(t, at);
    else if (who >= 0) agent_replied(t, at);
  }

  struct call_result {
    bool answered = false;
    ms_t answered_at = no_time, ended_at = no_time;
  };

  // An inbound call; `agent` < 0: nobody picked up (missed, or voicemail).
  call_result inbound_call(ticket_sim& t, ms_t at, int agent, bool voicemail, rng& r) {
    const auto& br = brands[static_cast<std::size_t>(t.b)];
    call_result res;
    const std::string call_id = "call-" + stamp(at) + "-" + hex16(permute(key ^ (0xca11000000000000ULL + call_counter++)));
    const long long wait = agent >= 0 ? r.range(4, 150) : r.range(20, 90);
    std::string outcome;
    long long duration = 0;
    if (agent >= 0) {
      res.answered = true;
      res.answered_at = at + wait * second_ms;
      duration = std::max<long long>(20, std::llround(r.lognormal(210, 0.7)));
      res.ended_at = res.answered_at + duration * second_ms;
      outcome = r.chance(0.04) ? "transferred" : "answered";
    } else {
      res.ended_at = at + wait * second_ms + (voicemail ? r.range(15, 60) * second_ms : 0);
      outcome = voicemail ? "voicemail" : "missed";
    }
    message_fields m;
    m.channel = "phone";
    m.direction = "inbound";
    m.at = at;
    m.sender = t.customer_phone;
    m.subject = (res.answered ? "Call from " : "Missed call from ") + t.customer_phone;
    m.call_id = call_id;
    m.outcome = outcome;
    jobj c(m.call);
    c.str("call_id", call_id).str("direction", "inbound").str("from", t.customer_phone).str("to", br.phone)
        .str("outcome", outcome).boolean("callback_required", !res.answered).time("started_at", at)
        .time("answered_at", res.answered_at).time("ended_at", res.ended_at);
    if (agent >= 0) c.str("agent_id", agents[static_cast<std::size_t>(agent)].id_text); else c.null("agent_id");
    c.num("wait_seconds", wait);
    if (res.answered) c.num("duration_seconds", duration); else c.null("duration_seconds");
    if (res.answered) c.str("recording_url", "https://recordings.example/" + call_id + ".mp3"); else c.null("recording_url");
    if (outcome == "voicemail") c.str("voicemail_url", "https://recordings.example/" + call_id + "-voicemail.mp3");
    else c.null("voicemail_url");
    c.close();
    message(t, m);
    // What the SLA worker reads off a call.
    t.message_entries.push_back({to_ts(at), sla::entry_kind::customer_message, {}, {}});
    if (res.answered) {
      t.message_entries.push_back({to_ts(res.answered_at), sla::entry_kind::agent_reply, {}, {}});
      t.message_entries.push_back({to_ts(res.answered_at), sla::entry_kind::callback_done, {}, {}});
      t.last_out = res.answered_at;
    } else {
      t.message_entries.push_back({to_ts(res.ended_at), sla::entry_kind::callback_requested, {}, {}});
      if (t.waiting_since == no_time) t.waiting_since = at;
    }
    t.last_in = at;
    if (at > t.t0) ++t.version;
    return res;
  }

  void callback_attempt(ticket_sim& t, ms_t at, int agent, const char* outcome, rng& r) {
    rng ir(mix(key ^ 0xcb, attempt_counter++));
    const uid id = uuid7(at, ir);
    const bool ends = std::strcmp(outcome, "reached") == 0 || std::strcmp(outcome, "wrong_number") == 0;
    const char* note_text = std::strcmp(outcome, "reached") == 0 ? "" : r.chance(0.5) ? "tried twice" : "";
    timed(table::callback_attempts, at, [&](std::string& s) {
      row(s).id(id).id(t.id).id(brands[static_cast<std::size_t>(t.b)].id).id(agents[static_cast<std::size_t>(agent)].id)
          .raw(outcome).text(note_text).time(at).end();
    });
    std::string data;
    jobj(data).id("attempt_id", id).str("outcome", outcome).str("note", note_text).boolean("callback_ended", ends).close();
    event(t, at, "callback_attempt", actor_of(agent), data);
    if (ends) {
      t.event_entries.push_back({to_ts(at), sla::entry_kind::callback_done, {}, {}});
      t.callback_required = false;
      t.callback_due = no_time;
      t.queue = uid{};
      t.queued_at = no_time;
      t.queue_history.push_back({at, uid{}});
      ++t.version;
    }
  }

  // The agent of the brand the router would give the ticket to at `at` or
  // later: one on shift (preferring the ticket's language), else the first
  // to start a shift. {-1, no_time} when nobody works within two weeks.
  std::pair<int, ms_t> pick_agent(ticket_sim& t, ms_t at, rng& r) {
    const auto& br = brands[static_cast<std::size_t>(t.b)];
    std::vector<int> online;
    std::vector<double> weights;
    int earliest = -1;
    ms_t earliest_at = no_time;
    for (int a : br.agents) {
      auto [b, e] = next_online(a, at);
      if (b == no_time) continue;
      const auto& g = agents[static_cast<std::size_t>(a)];
      const bool speaks = std::find(g.langs.begin(), g.langs.end(), t.lang) != g.langs.end();
      if (b <= at) {
        online.push_back(a);
        weights.push_back((speaks ? 4.0 : 1.0) * (g.primary == t.b ? 2.0 : 1.0));
      } else if (earliest_at == no_time || b < earliest_at || (b == earliest_at && speaks)) {
        earliest = a;
        earliest_at = b;
      }
    }
    if (!online.empty()) return {online[r.pick(weights)], at};
    return {earliest, earliest_at};
  }

  ms_t customer_delay(ticket_sim& t, ms_t from, rng& r, double median_hours) {
    ms_t at = from + static_cast<ms_t>(r.lognormal(median_hours * 3600.0, 1.1) * 1000.0) + 30 * second_ms;
    const int hour = local_hour_weekday(brands[static_cast<std::size_t>(t.b)].country, at).first;
    if (hour < 6) at += static_cast<ms_t>(7 - hour) * hour_ms + static_cast<ms_t>(r.below(2 * hour_ms));
    return at;
  }

  // How long agents of the brand take, in online time, at this time of the year.
  double load_factor(const brand_state& br, ms_t at) {
    const civil_time c = civil(at);
    return br.speed * season(c.month, c.day);
  }

  void simulate(long long index, ms_t t0) {
    ticket_sim t;
    t.index = index;
    t.t0 = t0;
    t.updated = t0;
    t.b = pick_brand(t0);
    rng r(mix(key ^ 0x7469636b, static_cast<std::uint64_t>(index)));
    auto& br = brands[static_cast<std::size_t>(t.b)];
    const auto& co = countries()[static_cast<std::size_t>(br.country)];
    t.id = uuid7(t0, r);
    t.id_text = str(t.id);
    t.number = ++br.last_number;
    pick_customer(t, r);

    // Channel: calls in office hours, chat in the day and the evening.
    const auto [hour, weekday] = local_hour_weekday(br.country, t0);
    const bool office = weekday <= 4 && hour >= 8 && hour < 18;
    const double frac = static_cast<double>(t0 - start) / static_cast<double>(until - start);
    const double phone_w = br.phone_share * (office ? 1.6 : 0.35);
    const double chat_w = br.chat_share * (0.8 + 0.5 * frac) * (hour >= 9 && hour < 22 ? 1.15 : 0.4);
    const double email_w = 1.0 - br.phone_share - br.chat_share;
    const std::size_t which = r.pick(std::array<double, 3>{email_w, phone_w, chat_w});
    t.ch = which == 0 ? channel::email : which == 1 ? channel::phone : channel::chat;
    // A call still ringing when the history ends would end in the future: take it as a mail.
    if (t.ch == channel::phone && t0 > until - 20 * minute_ms) t.ch = channel::email;
    const double ul = r.uniform();
    t.lang = ul < 0.82 ? language_index(co.language) : ul < 0.94 ? 4 : static_cast<int>(r.below(language_count));
    const double up = r.uniform();
    t.prio = up < 0.08 ? priority::low : up < 0.80 ? priority::normal : up < 0.95 ? priority::high : priority::urgent;
    t.reason = pick_reason(br, t0, r);
    t.tags.push_back(reasons[t.reason]);
    if (r.chance(0.08)) {
      const int other = static_cast<int>(r.below(reason_count));
      if (other != t.reason) t.tags.push_back(reasons[other]);
    }
    t.order = order_ref(r);
    const texts& tx = all_texts[t.lang];
    if (t.ch == channel::email) {
      t.subject = fill(tx.subjects[t.reason], t.order);
      t.language_confidence = 0.85 + r.uniform() * 0.14;
    } else if (t.ch == channel::chat) {
      t.subject = "Chat with " + t.customer_name;
      t.chat_session = "chat-" + stamp(t0) + "-" + hex16(permute(key ^ (0xc4a7000000000000ULL + chat_counter++)));
      t.language_confidence = 0.7 + r.uniform() * 0.25;
    }
    auto& cust = br.customers[static_cast<std::size_t>(t.cust)];
    if (t.ch == channel::email && cust.last_closed != no_time && cust.last_closed <= t0 &&
        t0 - cust.last_closed < 30 * day_ms && r.chance(0.3))
      t.linked = cust.last_ticket;

    switch (t.ch) {
      case channel::email: simulate_email(t, r); break;
      case channel::phone: simulate_phone(t, r); break;
      default: simulate_chat(t, r); break;
    }

    cust.last_ticket = t.id;
    cust.last_closed = t.closed_at;
    write_sla_and_ticket(t);
  }

  // The router's first moves: a queue, then an agent. False when the ticket
  // is still waiting in its queue at the end of the history.
  bool route(ticket_sim& t, ms_t at, rng& r) {
    const auto& br = brands[static_cast<std::size_t>(t.b)];
    const ms_t placed = at + static_cast<ms_t>(r.range(300, 2500));
    if (placed >= until) return false;
    const bool returns = std::any_of(t.tags.begin(), t.tags.end(), [](const std::string& g) {
      return g == "return" || g == "refund" || g == "damaged";
    });
    if (t.callback_required) place(t, placed, br.callbacks_queue, "every condition met");
    else if (returns) place(t, placed, br.returns_queue, "every condition met");
    else place(t, placed, br.default_queue, "the brand's default queue");
    auto [agent, when] = pick_agent(t, placed, r);
    if (agent < 0) return false;
    ms_t assigned = when + static_cast<ms_t>(r.range(1, 40)) * second_ms;
    if (when > placed) assigned += static_cast<ms_t>(r.below(12 * minute_ms));  // the morning's backlog
    if (assigned >= until) return false;
    assign(t, assigned, agent);
    return true;
  }

  // Tags an agent sets while working on the ticket.
  void maybe_retag(ticket_sim& t, ms_t at, rng& r) {
    if (!r.chance(0.1) || t.assignee < 0) return;
    std::vector<std::string> before = t.tags;
    const int other = static_cast<int>(r.below(reason_count));
    if (std::find(t.tags.begin(), t.tags.end(), reasons[other]) != t.tags.end()) return;
    if (r.chance(0.5)) t.tags.push_back(reasons[other]);
    else t.tags[0] = reasons[other];
    std::string data;
    jobj(data).raw("from", json_strings(before)).raw("to", json_strings(t.tags)).close();
    event(t, at, "tags_changed", actor_of(t.assignee), data);
    ++t.version;
  }

  ms_t first_reply_work(ticket_sim& t, ms_t at, rng& r) {
    const double minutes = r.lognormal(35.0, 1.0) * load_factor(brands[static_cast<std::size_t>(t.b)], at) *
                           (t.prio == priority::urgent ? 0.4 : t.prio == priority::high ? 0.7 : 1.0);
    return static_cast<ms_t>(minutes * 60'000.0) + 20 * second_ms;
  }

  // After the agent's reply: the customer answers, or the agent solves the
  // ticket later; a solved ticket may be reopened, then is closed. Returns
  // when the history ends or the ticket is closed for good.
  void email_loop(ticket_sim& t, ms_t reply_at, int round, rng& r) {
    for (;;) {
      // An out-of-office answer to our reply, now and then.
      if (r.chance(0.03)) {
        const ms_t auto_at = reply_at + static_cast<ms_t>(r.range(5, 120)) * second_ms;
        if (auto_at < until) customer_email(t, auto_at, r, false, true);
      }
      const double answer_chance = round == 0 ? 0.75 : round == 1 ? 0.6 : round == 2 ? 0.45 : round == 3 ? 0.3 : 0.12;
      if (t.status != ticket_status::solved && r.chance(answer_chance)) {
        const ms_t wrote = customer_delay(t, reply_at, r, 5.0);
        if (wrote >= until) return;
        customer_email(t, wrote, r, false);
        set_status(t, wrote, status_after_inbound(t.status), "customer wrote", "integration");
        ++round;
        const ms_t next = work_until(t.assignee, wrote, static_cast<ms_t>(r.lognormal(50.0, 1.0) * 60'000.0 *
                                                                           load_factor(brands[static_cast<std::size_t>(t.b)], wrote)));
        if (r.chance(0.1)) {
          const ms_t noted = next - static_cast<ms_t>(r.range(1, 15)) * minute_ms;
          if (noted > wrote && noted < until) note(t, noted, t.assignee, r);
        }
        maybe_nudge(t, wrote, next, r);
        if (next >= until) return;
        agent_email(t, next, t.assignee, r);
        const bool solve = r.chance(round >= 2 ? 0.4 : 0.2);
        set_status(t, next, solve ? ticket_status::solved : ticket_status::pending, "agent reply", actor_of(t.assignee));
        reply_at = next;
        continue;
      }
      if (t.status != ticket_status::solved) {
        // Waiting on a carrier or a supplier now and then: on hold for days.
        if (t.status == ticket_status::pending && r.chance(0.04)) {
          const ms_t held = reply_at + static_cast<ms_t>(r.range(2, 30)) * minute_ms;
          if (held >= until) return;
          set_status(t, held, ticket_status::on_hold, "agent", actor_of(t.assignee));
          const ms_t back = work_until(t.assignee, held + static_cast<ms_t>(r.range(3, 20)) * day_ms, 10 * minute_ms);
          if (back >= until) return;
          agent_email(t, back, t.assignee, r);
          set_status(t, back, ticket_status::pending, "agent reply", actor_of(t.assignee));
          reply_at = back;
        }
        const ms_t solved = work_until(t.assignee, reply_at + static_cast<ms_t>(r.range(20, 80)) * hour_ms,
                                       static_cast<ms_t>(r.range(2, 20)) * minute_ms);
        if (solved >= until) return;
        set_status(t, solved, ticket_status::solved, "agent", actor_of(t.assignee));
      }
      // Solved: reopened by the customer now and then, else closed.
      if (r.chance(0.06)) {
        const ms_t wrote = customer_delay(t, t.solved_at, r, 40.0);
        if (wrote >= until) return;
        customer_email(t, wrote, r, false);
        set_status(t, wrote, ticket_status::open, "customer wrote", "integration");
        ++round;
        const ms_t next = work_until(t.assignee, wrote, first_reply_work(t, wrote, r));
        if (next >= until) return;
        agent_email(t, next, t.assignee, r);
        set_status(t, next, r.chance(0.5) ? ticket_status::solved : ticket_status::pending, "agent reply",
                   actor_of(t.assignee));
        reply_at = next;
        continue;
      }
      if (r.chance(0.7)) {
        const ms_t closed = t.solved_at + static_cast<ms_t>(r.range(96, 170)) * hour_ms;
        if (closed < until) set_status(t, closed, ticket_status::closed, "agent", actor_of(t.assignee));
      }
      return;
    }
  }

  void simulate_email(ticket_sim& t, rng& r) {
    std::string data;
    jobj d(data);
    d.str("channel", "email");
    if (!t.linked.nil()) d.id("linked_ticket_id", t.linked);
    d.close();
    event(t, t.t0, "created", "integration", data);
    customer_email(t, t.t0, r, true);
    if (!route(t, t.t0, r)) return;
    const ms_t reply = work_until(t.assignee, t.assigned_at, first_reply_work(t, t.t0, r));
    maybe_retag(t, reply - static_cast<ms_t>(r.range(1, 5)) * minute_ms, r);
    if (r.chance(0.15)) {
      const ms_t noted = reply - static_cast<ms_t>(r.range(1, 20)) * minute_ms;
      if (noted > t.assigned_at && noted < until) note(t, noted, t.assignee, r);
    }
    maybe_nudge(t, t.t0, reply, r);
    if (reply >= until) return;
    agent_email(t, reply, t.assignee, r);
    set_status(t, reply, r.chance(0.12) ? ticket_status::solved : ticket_status::pending, "agent reply",
               actor_of(t.assignee));
    email_loop(t, reply, 0, r);
  }

  // A customer who waits long writes again before the answer comes.
  void maybe_nudge(ticket_sim& t, ms_t wrote, ms_t reply, rng& r) {
    if (reply - wrote < 12 * hour_ms || !r.chance(0.5)) return;
    const ms_t again = customer_delay(t, wrote, r, 10.0);
    if (again >= reply || again >= until) return;
    customer_email(t, again, r, false);
  }

  void simulate_phone(ticket_sim& t, rng& r) {
    // Someone on shift picks up unless every line is busy.
    auto [agent, when] = pick_agent(t, t.t0, r);
    const bool answered = agent >= 0 && when <= t.t0 && r.chance(0.84);
    const bool voicemail = !answered && r.chance(0.45);
    if (!answered) {
      t.callback_required = true;
      t.subject = "Missed call from " + t.customer_phone;
    } else {
      t.subject = "Call from " + t.customer_phone;
    }
    std::string data;
    jobj(data).str("channel", "phone").close();
    event(t, t.t0, "created", "integration", data);
    const call_result call = inbound_call(t, t.t0, answered ? agent : -1, voicemail, r);
    if (answered) {
      // The router hands the ticket to the agent who took the call.
      const auto& br = brands[static_cast<std::size_t>(t.b)];
      const ms_t placed = t.t0 + static_cast<ms_t>(r.range(300, 2500));
      if (placed >= until) return;
      place(t, placed, br.default_queue, "the brand's default queue");
      const ms_t assigned = later(placed + static_cast<ms_t>(r.range(1, 20)) * second_ms, call.answered_at);
      if (assigned >= until) return;
      assign(t, assigned, agent);
      const ms_t after = call.ended_at + static_cast<ms_t>(r.range(1, 12)) * minute_ms;
      if (after >= until) return;
      const double u = r.uniform();
      if (u < 0.25) {
        set_status(t, after, ticket_status::solved, "agent", actor_of(agent));
        email_loop(t, after, 3, r);
      } else if (u < 0.8) {
        const ms_t mail = work_until(agent, after, static_cast<ms_t>(r.lognormal(25.0, 0.8) * 60'000.0));
        if (mail >= until) return;
        agent_email(t, mail, agent, r);
        set_status(t, mail, ticket_status::pending, "agent reply", actor_of(agent));
        email_loop(t, mail, 1, r);
      } else {
        note(t, after, agent, r);
        set_status(t, after, ticket_status::pending, "agent", actor_of(agent));
        email_loop(t, after, 1, r);
      }
      return;
    }
    // A missed call: a callback is due half an hour after the customer gave up.
    t.callback_due = call.ended_at + 30 * minute_ms;
    if (!route(t, t.t0, r)) return;
    if (r.chance(0.15)) {
      // The customer calls again and gets through first.
      const ms_t again = customer_delay(t, call.ended_at, r, 0.7);
      if (again < until) {
        auto [who, at] = pick_agent(t, again, r);
        if (who >= 0 && at <= again) {
          const call_result second = inbound_call(t, again, who, false, r);
          t.callback_required = false;
          t.callback_due = no_time;
          const ms_t after = second.ended_at + static_cast<ms_t>(r.range(1, 10)) * minute_ms;
          if (after >= until) return;
          set_status(t, after, ticket_status::solved, "agent", actor_of(t.assignee));
          email_loop(t, after, 3, r);
          return;
        }
      }
    }
    ms_t at = t.assigned_at;
    for (int attempt = 0; attempt < 4; ++attempt) {
      at = work_until(t.assignee, at, static_cast<ms_t>(r.lognormal(attempt == 0 ? 7.0 : 75.0, 0.9) * 60'000.0 *
                                                        brands[static_cast<std::size_t>(t.b)].speed));
      if (at >= until) return;
      const char* outcome;
      const double u = r.uniform();
      if (attempt == 3) outcome = u < 0.75 ? "reached" : "wrong_number";
      else outcome = u < 0.62 ? "reached" : u < 0.86 ? "no_answer" : u < 0.98 ? "voicemail_left" : "wrong_number";
      callback_attempt(t, at, t.assignee, outcome, r);
      if (std::strcmp(outcome, "reached") == 0 || std::strcmp(outcome, "wrong_number") == 0) break;
    }
    if (t.callback_required) return;
    // The callback took the ticket out of the Callbacks queue; the router places it again.
    const auto& br = brands[static_cast<std::size_t>(t.b)];
    const ms_t placed = at + static_cast<ms_t>(r.range(300, 2500));
    if (placed < until) place(t, placed, br.default_queue, "the brand's default queue");
    const ms_t call_end = at + static_cast<ms_t>(r.range(2, 8)) * minute_ms;
    if (call_end >= until) return;
    if (r.chance(0.5)) note(t, call_end, t.assignee, r, note_texts[4]);
    if (r.chance(0.75)) {
      if (call_end + second_ms >= until) return;
      set_status(t, call_end + second_ms, ticket_status::solved, "agent", actor_of(t.assignee));
      email_loop(t, call_end, 3, r);
    } else {
      const ms_t mail = work_until(t.assignee, call_end, static_cast<ms_t>(r.range(5, 60)) * minute_ms);
      if (mail >= until) return;
      agent_email(t, mail, t.assignee, r);
      set_status(t, mail, ticket_status::pending, "agent reply", actor_of(t.assignee));
      email_loop(t, mail, 1, r);
    }
  }

  void simulate_chat(ticket_sim& t, rng& r) {
    const texts& tx = all_texts[t.lang];
    std::string data;
    jobj(data).str("channel", "chat").str("session_id", t.chat_session).close();
    event(t, t.t0, "created", "integration", data);
    chat_line(t, t.t0, -2, fill(tx.chat_visitor[0], t.order));
    auto [agent, when] = pick_agent(t, t.t0, r);
    const bool staffed = agent >= 0 && when <= t.t0 + 2 * minute_ms;
    if (!staffed) {
      // Nobody on shift: the bot answers, an agent writes back by mail.
      const ms_t bot_at = t.t0 + static_cast<ms_t>(r.range(1500, 4000));
      if (bot_at >= until) return;
      chat_line(t, bot_at, -1, tx.bot_offline);
      if (!route(t, t.t0, r)) return;
      const ms_t reply = work_until(t.assignee, t.assigned_at, first_reply_work(t, t.t0, r));
      if (reply >= until) return;
      agent_email(t, reply, t.assignee, r);
      set_status(t, reply, r.chance(0.3) ? ticket_status::solved : ticket_status::pending, "agent reply",
                 actor_of(t.assignee));
      email_loop(t, reply, 0, r);
      return;
    }
    if (!route(t, t.t0, r)) return;
    ms_t at = later(t.assigned_at, t.t0) + static_cast<ms_t>(r.range(15, 150)) * second_ms;
    const int exchanges = static_cast<int>(r.range(2, 5));
    for (int k = 0; k < exchanges; ++k) {
      if (at >= until) return;
      const bool last = k + 1 == exchanges;
      chat_line(t, at, t.assignee, fill(tx.chat_agent[k == 0 ? 0 : last ? 2 : 1], t.order));
      const bool solve = last && r.chance(0.75);
      set_status(t, at, solve ? ticket_status::solved : ticket_status::pending, "agent reply", actor_of(t.assignee));
      if (last) break;
      at += static_cast<ms_t>(r.range(20, 240)) * second_ms;
      if (at >= until) return;
      chat_line(t, at, -2, fill(tx.chat_visitor[k + 2 == exchanges ? 2 : 1], t.order));
      set_status(t, at, status_after_inbound(t.status), "visitor wrote", "integration");
      at += static_cast<ms_t>(r.range(15, 180)) * second_ms;
    }
    if (t.status == ticket_status::solved) {
      email_loop(t, at, 3, r);
    } else {
      email_loop(t, at, 2, r);
    }
  }

  // --- SLA: clocks and their log, then the ticket row ---

  uid queue_at(const ticket_sim& t, ms_t at) const {
    uid q;
    for (const auto& [when, id] : t.queue_history)
      if (when <= at) q = id;
    return q;
  }
  int agent_at(const ticket_sim& t, ms_t at) const {
    int a = -1;
    for (const auto& [when, id] : t.agent_history)
      if (when <= at) a = id;
    return a;
  }

  struct sla_event_out {
    ms_t at;
    const char* kind;
    std::string data;
  };

  static std::int64_t warn_after(std::int64_t seconds, double fraction) {
    if (!(fraction > 0.0)) return 0;
    if (fraction >= 1.0) return seconds;
    const double exact = static_cast<double>(seconds) * fraction;
    const double nearest = std::round(exact);
    if (std::abs(exact - nearest) < 1e-6) return static_cast<std::int64_t>(nearest);
    return static_cast<std::int64_t>(std::ceil(exact));
  }

  void write_sla_and_ticket(ticket_sim& t) {
    auto& br = brands[static_cast<std::size_t>(t.b)];
    sla::ticket_sla_facts facts;
    facts.origin = t.ch;
    facts.prio = t.prio;
    if (!t.queue.nil()) facts.queue_id = str(t.queue);
    facts.tags = t.tags;
    const sla::policy_def* policy = sla::choose_policy(br.policies, facts);
    ms_t sla_due = no_time;
    if (policy) {
      // The timeline the SLA worker reads: messages first, then events, each
      // stably sorted by time.
      std::vector<sla::timeline_entry> entries = t.message_entries;
      entries.insert(entries.end(), t.event_entries.begin(), t.event_entries.end());
      std::stable_sort(entries.begin(), entries.end(),
                       [](const sla::timeline_entry& a, const sla::timeline_entry& b) { return a.at < b.at; });
      auto lookup = [this](const std::string& id) -> const domain::business_calendar* {
        auto it = calendars_by_id.find(id);
        return it == calendars_by_id.end() ? nullptr : it->second;
      };
      const auto clocks = sla::compute_clocks(*policy, lookup, entries, to_ts(until));
      const std::string policy_id = policy->id;
      // The worker's first pass over the ticket: the policy it falls under.
      {
        std::string data;
        jobj(data).null("from").str("to", policy_id).close();
        const ms_t at = std::min(until - 1, t.t0 + static_cast<ms_t>(r_delay(t, 0)));
        sla_event(t, *policy, nullptr, std::max(t.t0, at), "policy_changed", data);
      }
      for (const auto& k : clocks) {
        const ms_t due = sla_clock(t, *policy, k);
        if (due != no_time && (sla_due == no_time || due < sla_due)) sla_due = due;
      }
      row(direct(table::sla_tickets)).id(t.id).raw(policy_id).end();
    }
    // The ticket as it stands at the end of the history.
    row(direct(table::tickets))
        .id(t.id).id(br.id).num(t.number).id(t.customer).text(t.subject).raw(to_string(t.status))
        .raw(to_string(t.prio)).raw(to_string(t.ch)).raw(languages[t.lang]).raw(tags_array(t.tags))
        .boolean(t.callback_required);
    auto& s = out->of(table::tickets);
    s += '\t';
    if (t.chat_session.empty()) s += "\\N"; else s += t.chat_session;
    s += '\t';
    if (t.linked.nil()) s += "\\N"; else append_uuid(s, t.linked);
    s += '\t';
    if (t.waiting_since == no_time) s += "\\N"; else copy_time(s, t.waiting_since);
    s += '\t';
    s += std::to_string(t.version);
    for (ms_t v : {t.t0, t.updated, t.last_in, t.last_out, t.solved_at, t.closed_at}) {
      s += '\t';
      if (v == no_time) s += "\\N"; else copy_time(s, v);
    }
    s += '\t';
    if (t.ch == channel::phone) s += "\\N";
    else {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%.3f", t.language_confidence);
      s += buf;
    }
    s += '\t';
    if (t.queue.nil()) s += "\\N"; else append_uuid(s, t.queue);
    s += '\t';
    if (t.queued_at == no_time || t.queue.nil()) s += "\\N"; else copy_time(s, t.queued_at);
    s += '\t';
    if (t.assignee < 0) s += "\\N"; else append_uuid(s, agents[static_cast<std::size_t>(t.assignee)].id);
    for (ms_t v : {t.assigned_at, t.callback_due, sla_due}) {
      s += '\t';
      if (v == no_time) s += "\\N"; else copy_time(s, v);
    }
    s += '\n';
  }

  // The worker records its first pass a moment after the ticket's transaction.
  long long r_delay(const ticket_sim& t, int k) const { return 150 + static_cast<long long>((t.index * 7919 + k * 31) % 600); }

  static std::string tags_array(const std::vector<std::string>& tags) {
    std::string s = "{";
    for (std::size_t i = 0; i < tags.size(); ++i) s += (i ? "," : "") + tags[i];
    return s + "}";
  }

  void sla_event(ticket_sim& t, const sla::policy_def& policy, const sla::clock* k, ms_t at, const char* kind,
                 const std::string& data) {
    const auto& br = brands[static_cast<std::size_t>(t.b)];
    const uid queue = queue_at(t, at);
    const int agent = agent_at(t, at);
    timed(table::sla_events, at, [&](std::string& s) {
      row w(s);
      w.id(t.id).id(br.id);
      if (k) w.raw(sla::to_string(k->target)).num(k->cycle); else w.null().null();
      w.raw(kind).time(at).raw(policy.id).num(policy.version);
      if (k && !k->calendar_id.empty()) w.raw(k->calendar_id).num(1); else w.null().null();
      w.text(data).time(at).raw(to_string(t.ch)).raw(to_string(t.prio)).id(queue)
          .id(agent >= 0 ? agents[static_cast<std::size_t>(agent)].id : uid{}).end();
    });
  }

  // Writes one clock and its events; returns its due time when it still runs (for tickets.sla_due_at).
  ms_t sla_clock(ticket_sim& t, const sla::policy_def& policy, const sla::clock& k) {
    const auto& br = brands[static_cast<std::size_t>(t.b)];
    const sla::target_def* target = sla::find_target(policy, k.target);
    const std::int64_t seconds = target ? target->seconds : 0;
    const domain::business_calendar& cal =
        k.calendar_id.empty() ? always_open : *calendars_by_id.at(k.calendar_id);
    const ms_t started = to_ms(k.started_at);
    const ms_t stopped = k.stopped_at ? to_ms(*k.stopped_at) : no_time;
    const ms_t horizon = stopped == no_time ? until : stopped;
    // The clock's running stretches: only resolution pauses (pending, on hold).
    std::vector<std::pair<ms_t, ms_t>> stretches;
    {
      auto pausing = [&](ticket_status s) {
        return std::find(policy.pause_on.begin(), policy.pause_on.end(), s) != policy.pause_on.end();
      };
      ticket_status st = ticket_status::new_;
      for (const auto& s : t.statuses)
        if (s.at <= started) st = s.to;
      bool running = k.target != sla::target_kind::resolution || !pausing(st);
      ms_t from = started;
      if (k.target == sla::target_kind::resolution) {
        for (const auto& s : t.statuses) {
          if (s.at <= started || s.at >= horizon) continue;
          if (s.to == ticket_status::solved || s.to == ticket_status::closed) break;
          if (running && pausing(s.to)) {
            stretches.push_back({from, s.at});
            running = false;
          } else if (!running && !pausing(s.to)) {
            from = s.at;
            running = true;
          }
        }
      }
      if (running) stretches.push_back({from, horizon});
    }
    const std::int64_t warn_secs = target ? warn_after(seconds, target->warn_at) : 0;
    std::vector<sla_event_out> events;
    auto due_json = [](ms_t due) {
      std::string d;
      jobj j(d);
      if (due != no_time) j.time("due_at", due);
      j.close();
      return d;
    };
    auto add_business = [&](ms_t from, std::int64_t secs) {
      const auto v = domain::add_business_seconds(cal, to_ts(from), secs);
      return v ? to_ms(*v) : no_time;
    };
    std::int64_t elapsed = 0;
    ms_t warned_at = no_time, breached_at = no_time;
    bool first_stretch = true;
    const bool starts_paused = stretches.empty() || stretches.front().first != started;
    if (starts_paused) events.push_back({started, "started", due_json(no_time)});
    for (const auto& [from, to] : stretches) {
      const ms_t due = add_business(from, seconds - elapsed);
      const ms_t warn = add_business(from, warn_secs - elapsed);
      if (first_stretch && !starts_paused) events.push_back({started, "started", due_json(due)});
      else if (!first_stretch || starts_paused) events.push_back({from, "resumed", due_json(due)});
      const bool open = to == until && stopped == no_time;
      if (warned_at == no_time && breached_at == no_time && warn != no_time && due != no_time && warn < due &&
          (open ? warn <= until : warn < to)) {
        warned_at = warn;
        events.push_back({warn, "warned", due_json(due)});
      }
      if (breached_at == no_time && due != no_time && (open ? due <= until : due < to)) {
        breached_at = due;
        events.push_back({due, "breached", due_json(due)});
      }
      const bool paused_after = !open && !(stopped != no_time && to == stopped);
      if (paused_after) events.push_back({to, "paused", due_json(no_time)});
      elapsed += domain::business_seconds_between(cal, to_ts(from), to_ts(to));
      first_stretch = false;
    }
    // The engine's verdict is final; the replay above only dates the events.
    if (k.breached && breached_at == no_time) {
      breached_at = k.due_at ? to_ms(*k.due_at) : horizon;
      events.push_back({breached_at, "breached", due_json(k.due_at ? to_ms(*k.due_at) : no_time)});
    } else if (!k.breached && breached_at != no_time) {
      events.erase(std::remove_if(events.begin(), events.end(),
                                  [](const sla_event_out& e) { return std::strcmp(e.kind, "breached") == 0; }),
                   events.end());
      breached_at = no_time;
    }
    const ms_t final_due = k.due_at ? to_ms(*k.due_at) : no_time;
    if (stopped != no_time) {
      std::string d;
      jobj j(d);
      if (final_due != no_time) j.time("due_at", final_due);
      if (k.state == sla::clock_state::cancelled) {
        j.close();
        events.push_back({stopped, "cancelled", d});
      } else {
        j.num("elapsed_seconds", seconds - k.remaining_seconds);
        if (k.breached) j.boolean("late", true);
        j.close();
        events.push_back({stopped, "met", d});
      }
    }
    std::stable_sort(events.begin(), events.end(), [](const sla_event_out& a, const sla_event_out& b) { return a.at < b.at; });
    for (const auto& e : events) sla_event(t, policy, &k, e.at, e.kind, e.data);

    store::clock_row cr;
    cr.clock = k;
    if (warned_at != no_time) cr.warned_at = to_ts(warned_at);
    if (breached_at != no_time) cr.breached_at = to_ts(breached_at);
    const auto next_check = store::next_check_of(cr);
    const ms_t updated = events.empty() ? started : events.back().at;
    row w(direct(table::sla_clocks));
    w.id(t.id).raw(sla::to_string(k.target)).num(k.cycle).id(br.id).raw(policy.id).num(policy.version);
    if (k.calendar_id.empty()) w.null().null(); else w.raw(k.calendar_id).num(1);
    w.raw(sla::to_string(k.state)).boolean(k.business_hours).num(seconds).time(started).time(stopped)
        .time(final_due).time(k.warn_at ? to_ms(*k.warn_at) : no_time).num(k.remaining_seconds).time(warned_at)
        .time(breached_at).time(next_check ? to_ms(*next_check) : no_time).time(updated).end();
    const bool ticking = stopped == no_time && k.state != sla::clock_state::paused;
    return ticking ? final_due : no_time;
  }
};

generator::generator(const params& p) : impl_(std::make_unique<impl>(p)) {}
generator::~generator() = default;

void generator::directory(batch& out) {
  out.clear();
  impl_->directory(out);
}

bool generator::next(batch& out, long long batch_tickets) { return impl_->next(out, batch_tickets); }
const std::vector<brand_summary>& generator::brands() const { return impl_->summaries; }
const totals& generator::counted() const { return impl_->count; }

std::string generator::last_contacts() const {
  std::string out;
  for (const auto& b : impl_->brands)
    for (const auto& c : b.customers)
      if (c.created != no_time && c.last_contact != no_time) row(out).id(c.id).time(c.last_contact).end();
  return out;
}

std::string generator::last_assignments() const {
  std::string out;
  for (const auto& a : impl_->agents)
    if (a.last_assigned != no_time) row(out).id(a.id).time(a.last_assigned).end();
  return out;
}

}  // namespace helpdesk::seed
