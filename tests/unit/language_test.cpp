#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "helpdesk/domain/language.hpp"

using namespace helpdesk;

namespace {

// ---------------------------------------------------------------------------
// own_words

TEST(OwnWords, KeepsAPlainMessageWithoutSurroundingBlankLines) {
  EXPECT_EQ(own_words("\n\nDobrý den,\nkdy mi přijde balík?\n\n"), "Dobrý den,\nkdy mi přijde balík?");
}

TEST(OwnWords, CutsAtTheFirstQuotedLine) {
  EXPECT_EQ(own_words("Thanks, that helped.\n\n> Please restart the router.\n> Regards"), "Thanks, that helped.");
}

TEST(OwnWords, CutsAtAQuotedLineIndentedWithSpaces) {
  EXPECT_EQ(own_words("Thanks, that helped.\n  > Please restart the router."), "Thanks, that helped.");
}

TEST(OwnWords, CutsAtAnEnglishAttributionLine) {
  EXPECT_EQ(own_words("Still nothing.\n\nOn Mon, 3 Feb 2025, Jan <j@x.cz> wrote:\n> Your parcel is on its way."),
            "Still nothing.");
}

TEST(OwnWords, CutsAtAnAttributionEvenWhenTheQuoteIsNotMarkedWithGreaterThan) {
  EXPECT_EQ(own_words("Pořád nic.\n\nDne 3. 2. 2025 v 10:12 Jan Novák <jan@x.cz> napsal(a):\nVáš balík je na cestě."),
            "Pořád nic.");
}

TEST(OwnWords, CutsAtLocalisedAttributionLines) {
  const std::vector<std::string> attributions = {
      "Dne po 3. 2. 2025 v 10:12 Jan Novák <jan@x.cz> napsal:",
      "Dňa po 3. 2. 2025 o 10:12 Ján Kováč <jan@x.sk> napísal(a):",
      "W dniu 3.02.2025 o 10:12 Jan Kowalski <jan@x.pl> napisał(a):",
      "Am Mo., 3. Feb. 2025 um 10:12 Uhr schrieb Jan Weber <jan@x.de>:",
      "Jan Weber <jan@x.de> schrieb am 03.02.2025 um 10:12:",
      "2025. febr. 3., hétfő 10:12 időpontban Kovács Péter <peter@x.hu> ezt írta:",
      "Le lun. 3 févr. 2025 à 10:12, Jean Dupont <jean@x.fr> a écrit :",
  };
  for (const auto& attribution : attributions) {
    EXPECT_EQ(own_words("Díky, dorazilo to.\n\n" + attribution + "\n> Zásilka je na cestě."), "Díky, dorazilo to.")
        << attribution;
  }
}

TEST(OwnWords, CutsAtAnAttributionWrappedInsideTheAddress) {
  const std::string body =
      "Still nothing.\n\nOn Mon, 3 Feb 2025 at 10:12, Customer Care <\nsupport@shop.example> wrote:\n\n> Hello";
  EXPECT_EQ(own_words(body), "Still nothing.");
}

TEST(OwnWords, CutsAtAnAttributionWrappedBeforeTheVerb) {
  const std::string body =
      "Pořád nic.\n\nDne po 3. 2. 2025 v 10:12 odesílatel Jan Novák <jan.novak@example.cz>\nnapsal:\n\n> Dobrý den";
  EXPECT_EQ(own_words(body), "Pořád nic.");
}

TEST(OwnWords, KeepsACustomerSentenceThatOnlyEndsLikeAnAttribution) {
  const std::string body = "As your colleague wrote:\nthe refund should arrive this week, but it has not.";
  EXPECT_EQ(own_words(body), body);
}

TEST(OwnWords, CutsAtAnAttributionWithTheVerbBeforeTheNameWhenAQuoteFollows) {
  EXPECT_EQ(own_words("Danke.\n\nAm 03.02.2025 um 10:12 schrieb Jan Weber:\n> Ihr Paket ist unterwegs."), "Danke.");
}

TEST(OwnWords, KeepsACustomerSentenceWithWroteInsideWhenNothingIsQuoted) {
  const std::string body = "I wrote to you on 3 May about this:\n- the zip is broken\n- one button is missing";
  EXPECT_EQ(own_words(body), body);
}

TEST(OwnWords, CutsAtTheOriginalMessageBanner) {
  EXPECT_EQ(own_words("Thank you.\n\n-----Original Message-----\nFrom: Support\nYour ticket was closed."),
            "Thank you.");
}

TEST(OwnWords, CutsAtLocalisedOriginalMessageBanners) {
  const std::vector<std::string> banners = {
      "-----Původní zpráva-----",           "-----Pôvodná správa-----", "-----Ursprüngliche Nachricht-----",
      "-----Wiadomość oryginalna-----",     "-----Eredeti üzenet-----", "-----Message d'origine-----",
      "---------- Forwarded message ---------", "---------- Přeposlaná zpráva ---------"};
  for (const auto& banner : banners) {
    EXPECT_EQ(own_words("Děkuji.\n" + banner + "\nVaše objednávka byla odeslána."), "Děkuji.") << banner;
  }
}

TEST(OwnWords, CutsAtAnOutlookHeaderBlockAndItsRule) {
  const std::string body =
      "Thanks, I will wait.\n\n________________________________\nFrom: Support <support@shop.example>\n"
      "Sent: Tuesday, February 4, 2025 9:30 AM\nTo: Anna <anna@example.de>\nSubject: RE: Order\n\nHello Anna";
  EXPECT_EQ(own_words(body), "Thanks, I will wait.");
}

TEST(OwnWords, CutsAtLocalisedOutlookHeaderBlocks) {
  const std::vector<std::string> headers = {
      "Od: Podpora <podpora@obchod.cz>\nOdesláno: úterý 4. února 2025 9:30\nKomu: Jana <jana@example.cz>",
      "Von: Kundenservice <service@shop.de>\nGesendet: Dienstag, 4. Februar 2025 09:30\nAn: Anna <anna@example.de>",
      "Od: Obsługa klienta <bok@sklep.pl>\nWysłano: wtorek, 4 lutego 2025 09:30\nDo: Piotr <piotr@example.pl>",
      "*From:* Support <support@shop.example>\n*Sent:* Tuesday, February 4, 2025 9:30 AM",
      "From: Support <support@shop.example>\nTo: Anna <anna@example.de>\nCc: Orders <orders@shop.example>\n"
      "Date: Tue, 4 Feb 2025 09:30:00 +0100",
  };
  for (const auto& header : headers) {
    EXPECT_EQ(own_words("Danke schön.\n\n" + header + "\nSubject: Order\n\nHello"), "Danke schön.") << header;
  }
}

TEST(OwnWords, KeepsALineStartingWithFromWhenNoSentLineFollows) {
  const std::string body =
      "From: the warehouse in Brno, says the tracking page.\nThe parcel has not moved since Monday.\n"
      "Could you check it?\nThanks";
  EXPECT_EQ(own_words(body), body);
}

TEST(OwnWords, DropsTheSignatureAfterDashDashSpace) {
  EXPECT_EQ(own_words("Prosím o vrácení peněz.\n-- \nJana Dvořáková\ntel. 777 123 456"), "Prosím o vrácení peněz.");
}

TEST(OwnWords, DropsTheSignatureAfterABareDashDash) {
  EXPECT_EQ(own_words("Prosím o vrácení peněz.\n--\nJana Dvořáková"), "Prosím o vrácení peněz.");
}

TEST(OwnWords, KeepsDashesThatAreNotASignatureSeparator) {
  const std::string body = "Delivery took 5 -- 7 days.\n---\n-- not a separator\nStill waiting.";
  EXPECT_EQ(own_words(body), body);
}

TEST(OwnWords, CutsAtWhicheverMarkerComesFirst) {
  EXPECT_EQ(own_words("Díky.\n-- \nJana\n\nOn Mon, 3 Feb 2025, Jan <j@x.cz> wrote:\n> Ahoj"), "Díky.");
}

TEST(OwnWords, HandlesCrLfLineBreaks) {
  EXPECT_EQ(own_words("Dobrý den,\r\nkde je balík?\r\n-- \r\nJana\r\n"), "Dobrý den,\r\nkde je balík?");
  EXPECT_EQ(own_words("Díky.\r\n\r\nOn Mon, 3 Feb 2025, Jan <j@x.cz> wrote:\r\n> Ahoj\r\n"), "Díky.");
}

TEST(OwnWords, KeepsMultibyteCharactersWholeAtTheCut) {
  const std::string words = own_words("Děkuji, Jiří Šťastný\n> Dobrý den, pane Šťastný");
  EXPECT_EQ(words, "Děkuji, Jiří Šťastný");
  EXPECT_EQ(words.substr(words.size() - 2), "ý");
}

TEST(OwnWords, IsEmptyWhenTheBodyIsOnlyAQuote) {
  EXPECT_EQ(own_words("> Your order has shipped.\n> Regards"), "");
  EXPECT_EQ(own_words(""), "");
}

// ---------------------------------------------------------------------------
// detect_language on real-looking customer mail

struct customer_mail {
  const char* name;
  const char* expected_code;
  const char* text;
};

// Lets gtest name a failing sample instead of dumping its bytes.
void PrintTo(const customer_mail& mail, std::ostream* out) { *out << mail.name; }

class DetectLanguageOfCustomerMail : public testing::TestWithParam<customer_mail> {};

TEST_P(DetectLanguageOfCustomerMail, ReturnsTheWritersLanguage) {
  const auto guess = detect_language(GetParam().text);
  ASSERT_TRUE(guess.has_value());
  EXPECT_EQ(guess->code, GetParam().expected_code);
  EXPECT_GT(guess->confidence, 0.5);
  EXPECT_LE(guess->confidence, 1.0);
}

// The short Czech and Slovak pair is worded alike on purpose (the same question, as
// a Czech and a Slovak customer would write it): CLD2 tells them apart by the
// words that differ (pořád/stále, nedorazila/neprišla, zjistit/zistiť). Much shorter
// or word-for-word identical cs/sk texts ("Dobrý den, děkuji") are ambiguous.
const customer_mail customer_mails[] = {
    {"CzechShortDeliveryQuestion", "cs",
     "Dobrý den, objednávka mi pořád nedorazila, můžete prosím zjistit, kde se zásilka nachází?"},
    {"SlovakShortDeliveryQuestion", "sk",
     "Dobrý deň, objednávka mi stále neprišla, môžete prosím zistiť, kde sa zásielka nachádza?"},
    {"PolishShortDeliveryQuestion", "pl",
     "Dzień dobry, zamówienie jeszcze do mnie nie dotarło, czy mogą Państwo sprawdzić, gdzie jest paczka?"},
    {"HungarianShortDeliveryQuestion", "hu",
     "Jó napot, a rendelésem még mindig nem érkezett meg, meg tudnák nézni, hol tart a csomag?"},
    {"GermanShortDeliveryQuestion", "de",
     "Guten Tag, meine Bestellung ist immer noch nicht angekommen. Können Sie bitte nachsehen, wo das Paket ist?"},
    {"EnglishShortDeliveryQuestion", "en",
     "Hi, my order still hasn't arrived. Could you please check where the parcel is?"},
    {"CzechShortRefundRequest", "cs", "Dobrý den, bundu jsem vám před týdnem poslala zpět, kdy mi vrátíte peníze?"},
    {"SlovakShortRefundRequest", "sk", "Dobrý deň, bundu som vám pred týždňom poslala späť, kedy mi vrátite peniaze?"},
    {"CzechLongReturn", "cs",
     "Dobrý den, dne 12. března jsem si u vás objednala zimní bundu velikosti M, ale bohužel mi je malá v ramenou. "
     "Chtěla bych ji proto vrátit v rámci čtrnáctidenní lhůty a požádat o vrácení peněz na účet, ze kterého jsem "
     "platila. Bunda je nenošená, se všemi visačkami a v původním obalu. Napište mi prosím, jestli mám balík poslat "
     "přes Zásilkovnu, nebo jestli si ho vyzvedne kurýr, a kdy můžu peníze očekávat. Děkuji a přeji hezký den, "
     "Jana Dvořáková"},
    {"SlovakLongReturn", "sk",
     "Dobrý deň, dňa 12. marca som si u vás objednala zimnú bundu veľkosti M, ale žiaľ, je mi malá v pleciach. "
     "Chcela by som ju preto vrátiť v rámci štrnásťdňovej lehoty a požiadať o vrátenie peňazí na účet, z ktorého "
     "som platila. Bunda je nenosená, so všetkými visačkami a v pôvodnom obale. Napíšte mi, prosím, či mám balík "
     "poslať cez Packetu, alebo si ho vyzdvihne kuriér, a kedy môžem peniaze očakávať. Ďakujem a prajem pekný deň, "
     "Jana Kováčová"},
    {"PolishLongDamagedGoods", "pl",
     "Dzień dobry, 3 tygodnie temu zamówiłem u Państwa ekspres do kawy, który dotarł uszkodzony – pęknięty zbiornik "
     "na wodę i porysowana obudowa. Zgłosiłem to od razu kurierowi i zrobiłem zdjęcia, które przesyłam w załączniku. "
     "Proszę o informację, czy mogę odesłać urządzenie na Państwa koszt i czy otrzymam nowy ekspres, czy raczej "
     "zwrot pieniędzy. Zależy mi na szybkim rozwiązaniu, bo kupiłem go na prezent. Pozdrawiam, Tomasz Nowak"},
    {"HungarianLongLostParcel", "hu",
     "Jó napot kívánok! Két hete rendeltem önöktől egy porszívót, de a futárszolgálat szerint a csomagot már múlt "
     "pénteken kézbesítették, pedig én semmit nem kaptam meg. Otthon voltam egész nap, és a szomszédoknál sem "
     "hagytak semmit. Kérem, vizsgálják ki, mi történt a csomaggal, és küldjék el újra a terméket, vagy utalják "
     "vissza a vételárat a bankszámlámra. A rendelésszámom 2024-118734. Köszönöm a segítséget, Kovács Péter"},
    {"GermanLongMissingRefund", "de",
     "Sehr geehrte Damen und Herren, am 5. Mai habe ich bei Ihnen zwei Paar Laufschuhe bestellt und eines davon "
     "innerhalb der Widerrufsfrist zurückgeschickt. Laut Sendungsverfolgung ist das Paket seit über zwei Wochen bei "
     "Ihnen eingegangen, die Erstattung von 89,90 Euro habe ich aber bis heute nicht erhalten. Könnten Sie bitte "
     "prüfen, ob die Rücksendung bearbeitet wurde, und mir mitteilen, wann ich mit der Gutschrift rechnen kann? "
     "Vielen Dank im Voraus und freundliche Grüße, Markus Weber"},
    {"EnglishLongLateDelivery", "en",
     "Hello, I ordered a pair of wireless headphones from your shop on 2 June and paid for express delivery, but the "
     "parcel still hasn't arrived ten days later. The tracking page has said 'in transit' since last Monday and the "
     "courier's hotline just tells me to contact the sender. Could you please find out what happened to the package "
     "and either send a replacement or refund the full amount, including the shipping fee? I'd appreciate a quick "
     "answer, as they were meant to be a birthday present. Kind regards, Emily Clarke"},
};

INSTANTIATE_TEST_SUITE_P(Samples, DetectLanguageOfCustomerMail, testing::ValuesIn(customer_mails),
                         [](const testing::TestParamInfo<customer_mail>& sample) { return sample.param.name; });

// ---------------------------------------------------------------------------
// detect_language sees only the customer's own words

// CLD2 itself drops English as boilerplate while another language holds at least
// 17% of the text, so the quotes and the signature below are long enough to
// outvote the customer without own_words(); each test checks that first.

constexpr std::string_view czech_reply =
    "Dobrý den,\n"
    "děkuji za odpověď, ale balík jsem pořád nedostala a na poště o něm nic nevědí. Můžete to prosím prověřit?\n"
    "Jana Dvořáková\n";

constexpr std::string_view english_answer =
    "Dear Ms Dvořáková,\n"
    "thank you for contacting us. We are sorry to hear that your order has not arrived yet. According to\n"
    "our records the parcel was handed over to the carrier on 28 January and should have been delivered\n"
    "within two to three working days. Please allow one more day for the delivery; if it still does not\n"
    "arrive, simply reply to this message and we will open an investigation with the carrier straight away.\n"
    "You can also follow the parcel yourself on the carrier's website using the tracking number from your\n"
    "shipping confirmation, or pick it up at the nearest branch if the courier left a notice.\n"
    "We apologise for the inconvenience and thank you for your patience.\n"
    "Kind regards,\n"
    "Customer Care Team\n";

std::string quoted(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    out += "> ";
    out += text.substr(start, end - start);
    out += "\n";
    start = end + 1;
  }
  return out;
}

// The detected code, or "none", so that a check on the test data cannot dereference nullopt.
std::string code_of(std::string_view text) {
  const auto guess = detect_language(text);
  return guess ? guess->code : "none";
}

TEST(DetectLanguage, CzechReplyAboveALongerQuotedEnglishMessageIsCzech) {
  ASSERT_EQ(code_of(std::string(czech_reply) + std::string(english_answer)), "en");
  const std::string body = std::string(czech_reply) +
                           "\nOn Mon, 3 Feb 2025 at 10:12, Customer Care <support@shop.example> wrote:\n" +
                           quoted(english_answer);
  const auto guess = detect_language(body);
  ASSERT_TRUE(guess.has_value());
  EXPECT_EQ(guess->code, "cs");
}

TEST(DetectLanguage, GermanReplyAboveAnEnglishOutlookHeaderBlockIsGerman) {
  const std::string german_reply =
      "Hallo,\ndas Ersatzteil ist immer noch nicht da. Können Sie bitte nachsehen, wo es bleibt?\nAnna Schmidt\n";
  const std::string english_thread =
      "Dear Ms Schmidt,\nthank you for your patience and sorry for the trouble. The replacement part for your coffee\n"
      "machine left our warehouse today and you will receive a tracking number by email as soon as the carrier\n"
      "scans the parcel. Delivery to Germany usually takes three to five working days. If the part does not fit\n"
      "or anything else is missing from the box, please reply to this message with a photo of the label and we\n"
      "will be happy to help.\nBest regards,\nCustomer Service\n\n"
      "Hello, I bought the Barista Pro coffee machine from you in March and the water tank cracked last week.\n"
      "The machine is still under warranty. Could you please send me a new tank? I have attached a photo of the\n"
      "crack and a copy of the invoice.\nThank you, Anna Schmidt\n";
  ASSERT_EQ(code_of(german_reply + english_thread), "en");
  const std::string body = german_reply +
                           "\n________________________________\n"
                           "From: Customer Service <service@shop.example>\nSent: Tuesday, February 4, 2025 9:30 AM\n"
                           "To: Anna Schmidt <anna.schmidt@example.de>\nSubject: RE: Missing spare part\n\n" +
                           english_thread;
  const auto guess = detect_language(body);
  ASSERT_TRUE(guess.has_value());
  EXPECT_EQ(guess->code, "de");
}

TEST(DetectLanguage, EnglishSignatureUnderPolishTextKeepsPolish) {
  const std::string polish_request =
      "Dzień dobry, proszę anulować zamówienie nr 58231, a pieniądze zwrócić na kartę.\n";
  const std::string signature =
      "Piotr Zieliński\nSenior Software Engineer | Acme Logistics Ltd.\n"
      "25 Canada Square, London E14 5LQ, United Kingdom\n"
      "Please consider the environment before printing this e-mail.\n"
      "This e-mail and any attachments are confidential and intended solely for the use of the individual or entity\n"
      "to whom they are addressed. If you have received this message in error, please notify the sender immediately\n"
      "and delete it from your system. Any unauthorised copying, disclosure or distribution of the material in this\n"
      "e-mail is strictly forbidden. Acme Logistics Ltd. is registered in England and Wales under company number\n"
      "01234567.\n";
  ASSERT_EQ(code_of(polish_request + signature), "en");
  const auto guess = detect_language(polish_request + "-- \n" + signature);
  ASSERT_TRUE(guess.has_value());
  EXPECT_EQ(guess->code, "pl");
}

// ---------------------------------------------------------------------------
// detect_language declines to guess

TEST(DetectLanguage, TooShortTextHasNoLanguage) {
  EXPECT_FALSE(detect_language("ok").has_value());
  EXPECT_FALSE(detect_language("Díky!").has_value());
  EXPECT_FALSE(detect_language("").has_value());
}

TEST(DetectLanguage, OrderNumbersAloneHaveNoLanguage) {
  EXPECT_FALSE(detect_language("2024-118734, 2024-118735 / 4 590,00 / #58231").has_value());
  const std::string ids_above_a_quote = "2024-118734\n2024-118735\n> Order 2024-118734 has been shipped to you today";
  EXPECT_FALSE(detect_language(ids_above_a_quote).has_value());
}

TEST(DetectLanguage, CountsEachAccentedLetterOnce) {
  // 17 letters in 21 letter bytes: ě, š, ř and á take two bytes each.
  constexpr std::string_view thanks = "Děkuji, vše v pořádku.";
  EXPECT_EQ(code_of(thanks), "none");  // below the default minimum of 20
  const auto guess = detect_language(thanks, 17);
  ASSERT_TRUE(guess.has_value());
  EXPECT_EQ(guess->code, "cs");
  EXPECT_FALSE(detect_language(thanks, 18).has_value());
}

TEST(DetectLanguage, UnreliableVerdictIsDroppedEvenWithoutALetterMinimum) {
  EXPECT_FALSE(detect_language("ok", 0).has_value());
}

TEST(DetectLanguage, InvalidUtf8IsNotGuessed) {
  // Czech in ISO 8859-2, as an old mail client might send it unlabelled.
  const std::string latin2_czech =
      "Dobr\xFD den, objedn\xE1vka mi po\xF8\xE1" "d nedorazila, m\xF9\xBE" "ete pros\xEDm zjistit, kde se "
      "z\xE1silka nach\xE1z\xED?";
  EXPECT_FALSE(detect_language(latin2_czech).has_value());
}

TEST(DetectLanguage, VeryLongTextIsCutOnACharacterBoundary) {
  const std::string paragraph(customer_mails[8].text);  // CzechLongReturn
  ASSERT_EQ(std::string_view(customer_mails[8].name), "CzechLongReturn");
  std::string body;
  while (body.size() < 80 * 1024) body += paragraph + "\n";
  // Widen the gap after "Dobrý" until the 64 KiB mark falls inside a two-byte letter
  // (not leading spaces: own_words trims those away again).
  constexpr std::size_t sample_limit = 64 * 1024;
  const std::size_t after_greeting = std::string_view("Dobrý").size();
  while ((static_cast<unsigned char>(body[sample_limit]) & 0xC0) != 0x80) body.insert(after_greeting, " ");
  const auto guess = detect_language(body);
  ASSERT_TRUE(guess.has_value());
  EXPECT_EQ(guess->code, "cs");
}

}  // namespace
