#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <string>
#include <vector>

#include "helpdesk/domain/routing.hpp"

using namespace helpdesk;
using namespace helpdesk::routing;

namespace {

const std::string brand_id = "brand-1";

timestamp at(long long seconds) { return timestamp{std::chrono::seconds(1'700'000'000 + seconds)}; }

// Defaults describe the plainest eligible agent (online, primary for the brand, no languages or skills) so that
// each test states only the one property it is about.
struct agent_builder {
  agent_profile a;
  explicit agent_builder(std::string id) {
    a.id = id;
    a.name = std::move(id);
    a.status = presence::online;
    a.brands = {{brand_id, brand_membership::primary}};
  }
  agent_builder& speaks(std::string code, language_level l) {
    a.languages.push_back({std::move(code), l});
    return *this;
  }
  agent_builder& skills(std::initializer_list<std::string> s) {
    a.skills.assign(s);
    return *this;
  }
  agent_builder& backup() {
    a.brands = {{brand_id, brand_membership::backup}};
    return *this;
  }
  agent_builder& brand(std::string id) {
    a.brands = {{std::move(id), brand_membership::primary}};
    return *this;
  }
  agent_builder& status(presence p) {
    a.status = p;
    return *this;
  }
  agent_builder& inactive() {
    a.active = false;
    return *this;
  }
  agent_builder& load(work_channel c, int load, int capacity) {
    a.load[static_cast<std::size_t>(c)] = load;
    a.capacity[static_cast<std::size_t>(c)] = capacity;
    return *this;
  }
  agent_builder& last_assigned(timestamp t) {
    a.last_assigned_at = t;
    return *this;
  }
  operator agent_profile() const { return a; }  // NOLINT(google-explicit-constructor): keeps call sites short
};

struct queue_builder {
  queue_def q;
  explicit queue_builder(std::string id, int position = 0) {
    q.id = id;
    q.name = std::move(id);
    q.brand_id = brand_id;
    q.position = position;
  }
  queue_builder& as_default() {
    q.is_default = true;
    return *this;
  }
  queue_builder& min_level(language_level l) {
    q.min_language_level = l;
    return *this;
  }
  queue_builder& required(std::initializer_list<std::string> s) {
    q.required_skills.assign(s);
    return *this;
  }
  queue_builder& optional(std::initializer_list<std::string> s) {
    q.optional_skills.assign(s);
    return *this;
  }
  queue_builder& on_channel(work_channel c) {
    q.conditions.channel = c;
    return *this;
  }
  queue_builder& for_languages(std::initializer_list<std::string> l) {
    q.conditions.languages.assign(l);
    return *this;
  }
  queue_builder& for_tags(std::initializer_list<std::string> t) {
    q.conditions.tags.assign(t);
    return *this;
  }
  queue_builder& for_source(std::string s) {
    q.conditions.source = std::move(s);
    return *this;
  }
  queue_builder& for_callback(bool required) {
    q.conditions.callback_required = required;
    return *this;
  }
  queue_builder& step(overflow_step s) {
    q.overflow.push_back(std::move(s));
    return *this;
  }
  operator queue_def() const { return q; }  // NOLINT(google-explicit-constructor)
};

struct ticket_builder {
  ticket_facts t;
  explicit ticket_builder(std::string id = "t-1") {
    t.id = std::move(id);
    t.brand_id = brand_id;
    t.waiting_since = at(0);
  }
  ticket_builder& language(std::string l) {
    t.language = std::move(l);
    return *this;
  }
  ticket_builder& on(work_channel c) {
    t.channel = c;
    return *this;
  }
  ticket_builder& tags(std::initializer_list<std::string> tags) {
    t.tags.assign(tags);
    return *this;
  }
  ticket_builder& source(std::string s) {
    t.source = std::move(s);
    return *this;
  }
  ticket_builder& callback() {
    t.callback_required = true;
    t.channel = work_channel::phone;
    return *this;
  }
  ticket_builder& prio(priority p) {
    t.prio = p;
    return *this;
  }
  ticket_builder& due(timestamp d) {
    t.due_at = d;
    return *this;
  }
  ticket_builder& waiting_since(timestamp w) {
    t.waiting_since = w;
    return *this;
  }
  operator ticket_facts() const { return t; }  // NOLINT(google-explicit-constructor)
};

const widening not_widened{};

verdict check(const agent_profile& a, const queue_def& q, const ticket_facts& t, const widening& w = not_widened) {
  return evaluate(a, q, t, w);
}

// The id of the agent pick_agent chooses, or "" when nobody is eligible: reads better in EXPECT_EQ than an index.
std::string picked(const std::vector<agent_profile>& agents, const queue_def& q, const ticket_facts& t,
                   const widening& w = not_widened) {
  auto p = pick_agent(agents, q, t, w);
  return p ? agents.at(p->index).id : std::string();
}

std::vector<std::string> chosen_and_reasons(const queue_choice& c) {
  std::vector<std::string> out;
  for (const auto& check : c.checks) out.push_back(check.queue->id + (check.matched ? " + " : " - ") + check.reason);
  return out;
}

// A verdict's reason is shown to managers; tests pin the rule it names, not every word around it.
::testing::AssertionResult mentions(const std::string& reason, std::string_view what) {
  if (reason.find(what) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "reason \"" << reason << "\" does not mention \"" << what << "\"";
}

}  // namespace

// --- Enum names -------------------------------------------------------------

TEST(RoutingNames, LanguageLevelRoundTripsAndRejectsUnknown) {
  EXPECT_EQ(to_string(language_level::basic), "basic");
  EXPECT_EQ(to_string(language_level::fluent), "fluent");
  EXPECT_EQ(to_string(language_level::native), "native");
  for (auto l : {language_level::basic, language_level::fluent, language_level::native})
    EXPECT_EQ(parse_language_level(to_string(l)), l);
  for (const char* bad : {"", "Native", "NATIVE", "expert", "1", "native ", "fluent\n"})
    EXPECT_EQ(parse_language_level(bad), std::nullopt) << bad;
}

TEST(RoutingNames, LanguageLevelsAreOrderedForScoring) {
  // Scores and the min-level check compare the numeric values.
  EXPECT_EQ(static_cast<int>(language_level::basic), 1);
  EXPECT_EQ(static_cast<int>(language_level::fluent), 2);
  EXPECT_EQ(static_cast<int>(language_level::native), 3);
}

TEST(RoutingNames, PresenceRoundTripsAndRejectsUnknown) {
  EXPECT_EQ(to_string(presence::online), "online");
  EXPECT_EQ(to_string(presence::away), "away");
  EXPECT_EQ(to_string(presence::offline), "offline");
  for (auto p : {presence::online, presence::away, presence::offline}) EXPECT_EQ(parse_presence(to_string(p)), p);
  for (const char* bad : {"", "Online", "busy", "off", "on-line"}) EXPECT_EQ(parse_presence(bad), std::nullopt) << bad;
}

TEST(RoutingNames, QueueModeRoundTripsAndRejectsUnknown) {
  EXPECT_EQ(to_string(queue_mode::push), "push");
  EXPECT_EQ(to_string(queue_mode::pull), "pull");
  for (auto m : {queue_mode::push, queue_mode::pull}) EXPECT_EQ(parse_queue_mode(to_string(m)), m);
  for (const char* bad : {"", "Push", "poll", "auto"}) EXPECT_EQ(parse_queue_mode(bad), std::nullopt) << bad;
}

TEST(RoutingNames, WorkChannelRoundTripsAndRejectsUnknownIncludingNote) {
  EXPECT_EQ(to_string(work_channel::email), "email");
  EXPECT_EQ(to_string(work_channel::chat), "chat");
  EXPECT_EQ(to_string(work_channel::phone), "phone");
  for (auto c : {work_channel::email, work_channel::chat, work_channel::phone})
    EXPECT_EQ(parse_work_channel(to_string(c)), c);
  // Notes are a ticket channel but never agent work.
  for (const char* bad : {"", "note", "Email", "mail", "call", "sms"})
    EXPECT_EQ(parse_work_channel(bad), std::nullopt) << bad;
}

TEST(RoutingChannelOf, FollowsTheOriginWithoutCallback) {
  EXPECT_EQ(channel_of(channel::email, false), work_channel::email);
  EXPECT_EQ(channel_of(channel::chat, false), work_channel::chat);
  EXPECT_EQ(channel_of(channel::phone, false), work_channel::phone);
}

TEST(RoutingChannelOf, CallbackRequiredMakesAnyTicketPhoneWork) {
  EXPECT_EQ(channel_of(channel::email, true), work_channel::phone);
  EXPECT_EQ(channel_of(channel::chat, true), work_channel::phone);
  EXPECT_EQ(channel_of(channel::phone, true), work_channel::phone);
  EXPECT_EQ(channel_of(channel::note, true), work_channel::phone);
}

// --- Queue choice -----------------------------------------------------------

TEST(RoutingQueueChoice, NoQueuesChoosesNothing) {
  auto c = choose_queue({}, ticket_builder());
  EXPECT_EQ(c.chosen, nullptr);
  EXPECT_TRUE(c.checks.empty());
}

TEST(RoutingQueueChoice, DefaultQueueMatchesAnythingWhenNothingElseDoes) {
  std::vector<queue_def> qs{queue_builder("general").as_default(),
                            queue_builder("chat", 1).on_channel(work_channel::chat)};
  auto c = choose_queue(qs, ticket_builder().on(work_channel::email).language("pl"));
  ASSERT_NE(c.chosen, nullptr);
  EXPECT_EQ(c.chosen->id, "general");
  EXPECT_EQ(chosen_and_reasons(c),
            (std::vector<std::string>{"chat - channel is email, not chat", "general + the brand's default queue"}));
}

TEST(RoutingQueueChoice, DefaultQueueIsConsideredLastWhateverItsPosition) {
  // The default queue has the lowest position and matches anything, yet must not shadow the specific queue.
  std::vector<queue_def> qs{queue_builder("general", -10).as_default(),
                            queue_builder("chat", 50).on_channel(work_channel::chat)};
  auto c = choose_queue(qs, ticket_builder().on(work_channel::chat));
  ASSERT_NE(c.chosen, nullptr);
  EXPECT_EQ(c.chosen->id, "chat");
  EXPECT_EQ(chosen_and_reasons(c), (std::vector<std::string>{"chat + every condition met",
                                                             "general - not considered: an earlier queue matched"}));
}

TEST(RoutingQueueChoice, LowestPositionWinsRegardlessOfListOrderAndLaterOnesAreNotConsidered) {
  std::vector<queue_def> qs{queue_builder("c", 30).for_tags({"vip"}), queue_builder("general", 0).as_default(),
                            queue_builder("a", 10).for_tags({"returns"}), queue_builder("b", 20).for_tags({"vip"})};
  auto c = choose_queue(qs, ticket_builder().tags({"vip", "returns"}));
  ASSERT_NE(c.chosen, nullptr);
  EXPECT_EQ(c.chosen->id, "a");
  EXPECT_EQ(chosen_and_reasons(c),
            (std::vector<std::string>{"a + every condition met", "b - not considered: an earlier queue matched",
                                      "c - not considered: an earlier queue matched",
                                      "general - not considered: an earlier queue matched"}));
}

TEST(RoutingQueueChoice, QueueWithoutConditionsMatchesAndSaysSo) {
  std::vector<queue_def> qs{queue_builder("general").as_default(), queue_builder("everything", 5)};
  auto c = choose_queue(qs, ticket_builder());
  ASSERT_NE(c.chosen, nullptr);
  EXPECT_EQ(c.chosen->id, "everything");
  EXPECT_EQ(c.checks.at(0).reason, "has no conditions");
}

TEST(RoutingQueueChoice, CallbackQueueTakesCallbackTicketsAndTagsRouteTheRest) {
  std::vector<queue_def> qs{queue_builder("general", 0).as_default(), queue_builder("callbacks", 1).for_callback(true),
                            queue_builder("returns", 2).for_tags({"returns", "refund"}),
                            queue_builder("chat", 3).on_channel(work_channel::chat)};

  auto callback = choose_queue(qs, ticket_builder().callback().tags({"refund"}));
  ASSERT_NE(callback.chosen, nullptr);
  EXPECT_EQ(callback.chosen->id, "callbacks");

  auto refund = choose_queue(qs, ticket_builder().on(work_channel::email).tags({"shipping", "refund"}));
  ASSERT_NE(refund.chosen, nullptr);
  EXPECT_EQ(refund.chosen->id, "returns");
  EXPECT_EQ(chosen_and_reasons(refund),
            (std::vector<std::string>{"callbacks - no callback required", "returns + every condition met",
                                      "chat - not considered: an earlier queue matched",
                                      "general - not considered: an earlier queue matched"}));

  auto chat = choose_queue(qs, ticket_builder().on(work_channel::chat).tags({"shipping"}));
  ASSERT_NE(chat.chosen, nullptr);
  EXPECT_EQ(chat.chosen->id, "chat");
  EXPECT_EQ(chat.checks.at(1).reason, "no tag among returns, refund");

  auto other = choose_queue(qs, ticket_builder().on(work_channel::email));
  ASSERT_NE(other.chosen, nullptr);
  EXPECT_EQ(other.chosen->id, "general");
}

TEST(RoutingQueueChoice, QueueForNonCallbackTicketsRejectsCallbacks) {
  std::vector<queue_def> qs{queue_builder("general").as_default(), queue_builder("phone", 1).for_callback(false)};
  auto c = choose_queue(qs, ticket_builder().callback());
  EXPECT_EQ(c.chosen->id, "general");
  EXPECT_EQ(c.checks.at(0).reason, "a callback is required");
  EXPECT_EQ(choose_queue(qs, ticket_builder().on(work_channel::phone)).chosen->id, "phone");
}

TEST(RoutingQueueChoice, LanguageConditionMatchesAnyOfItsLanguages) {
  std::vector<queue_def> qs{queue_builder("general").as_default(),
                            queue_builder("west-slavic", 1).for_languages({"pl", "cs", "sk"})};
  EXPECT_EQ(choose_queue(qs, ticket_builder().language("cs")).chosen->id, "west-slavic");
  EXPECT_EQ(choose_queue(qs, ticket_builder().language("sk")).chosen->id, "west-slavic");

  auto de = choose_queue(qs, ticket_builder().language("de"));
  EXPECT_EQ(de.chosen->id, "general");
  EXPECT_EQ(de.checks.at(0).reason, "language de is not one of pl, cs, sk");

  // An undetected language cannot satisfy a language condition.
  auto unknown = choose_queue(qs, ticket_builder());
  EXPECT_EQ(unknown.chosen->id, "general");
  EXPECT_EQ(unknown.checks.at(0).reason, "language unknown is not one of pl, cs, sk");
}

TEST(RoutingQueueChoice, SourceConditionNeedsThatExactSource) {
  std::vector<queue_def> qs{queue_builder("general").as_default(), queue_builder("amazon", 1).for_source("amazon")};
  EXPECT_EQ(choose_queue(qs, ticket_builder().source("amazon")).chosen->id, "amazon");
  auto ebay = choose_queue(qs, ticket_builder().source("ebay"));
  EXPECT_EQ(ebay.chosen->id, "general");
  EXPECT_EQ(ebay.checks.at(0).reason, "source is not amazon");
  EXPECT_EQ(choose_queue(qs, ticket_builder()).chosen->id, "general");
}

TEST(RoutingQueueChoice, EveryConditionMustHoldAndTheFirstFailingOneIsReported) {
  std::vector<queue_def> qs{
      queue_builder("general").as_default(),
      queue_builder("pl-chat-vip", 1).on_channel(work_channel::chat).for_languages({"pl"}).for_tags({"vip"})};
  EXPECT_EQ(choose_queue(qs, ticket_builder().on(work_channel::chat).language("pl").tags({"vip"})).chosen->id,
            "pl-chat-vip");
  auto no_tag = choose_queue(qs, ticket_builder().on(work_channel::chat).language("pl"));
  EXPECT_EQ(no_tag.chosen->id, "general");
  EXPECT_EQ(no_tag.checks.at(0).reason, "no tag among vip");
  auto wrong_everything = choose_queue(qs, ticket_builder().on(work_channel::email).language("de"));
  EXPECT_EQ(wrong_everything.checks.at(0).reason, "channel is email, not chat");
}

// --- Overflow ---------------------------------------------------------------

namespace {
queue_def widening_queue() {
  return queue_builder("q")
      .step({.after_seconds = 60, .fallback_languages = {"cs"}})
      .step({.after_seconds = 300, .fallback_languages = {"cs", "en"}, .allow_backup_agents = true})
      .step({.after_seconds = 900, .fallback_languages = {"*"}, .drop_optional_skills = true});
}
}  // namespace

TEST(RoutingWidening, NothingIsInForceBeforeTheFirstStep) {
  auto w = widening_after(widening_queue(), 59);
  EXPECT_EQ(w.steps, 0);
  EXPECT_TRUE(w.fallback_languages.empty());
  EXPECT_FALSE(w.any_language);
  EXPECT_FALSE(w.allow_backup_agents);
  EXPECT_FALSE(w.drop_optional_skills);
  EXPECT_EQ(widening_after(queue_builder("plain"), 1'000'000).steps, 0);
}

TEST(RoutingWidening, StepIsInForceFromItsAfterSeconds) {
  auto w = widening_after(widening_queue(), 60);
  EXPECT_EQ(w.steps, 1);
  EXPECT_EQ(w.fallback_languages, std::vector<std::string>{"cs"});
  EXPECT_FALSE(w.allow_backup_agents);
}

TEST(RoutingWidening, StepsAccumulateWithoutDuplicateLanguages) {
  auto w = widening_after(widening_queue(), 300);
  EXPECT_EQ(w.steps, 2);
  EXPECT_EQ(w.fallback_languages, (std::vector<std::string>{"cs", "en"}));
  EXPECT_TRUE(w.allow_backup_agents);
  EXPECT_FALSE(w.drop_optional_skills);
  EXPECT_FALSE(w.any_language);
}

TEST(RoutingWidening, LaterStepsDoNotTakeBackEarlierWidening) {
  auto w = widening_after(widening_queue(), 3600);
  EXPECT_EQ(w.steps, 3);
  EXPECT_TRUE(w.any_language);
  // "*" is a flag, not a language code an agent could speak.
  EXPECT_EQ(w.fallback_languages, (std::vector<std::string>{"cs", "en"}));
  EXPECT_TRUE(w.allow_backup_agents);  // the third step does not set it, the second one did
  EXPECT_TRUE(w.drop_optional_skills);
}

TEST(RoutingWidening, CountsEveryPassedStepEvenIfListedOutOfOrder) {
  // Steps come from configuration; a mis-sorted list must not hide a step that is already due.
  const queue_def q = queue_builder("q")
                          .step({.after_seconds = 600, .drop_optional_skills = true})
                          .step({.after_seconds = 60, .allow_backup_agents = true});
  auto w = widening_after(q, 120);
  EXPECT_EQ(w.steps, 1);
  EXPECT_TRUE(w.allow_backup_agents);
  EXPECT_FALSE(w.drop_optional_skills);
}

// --- Eligibility ------------------------------------------------------------

TEST(RoutingEligibility, OnlineActivePrimarySpeakerIsEligibleAndTheReasonSaysHow) {
  auto v = check(agent_builder("a").speaks("pl", language_level::native), queue_builder("q"),
                 ticket_builder().language("pl"));
  EXPECT_TRUE(v.eligible);
  EXPECT_EQ(v.reason, "speaks pl (native)");
  EXPECT_EQ(v.language_score, 3);
  EXPECT_TRUE(v.primary);
}

TEST(RoutingEligibility, UnknownTicketLanguageAcceptsAnySpeaker) {
  auto v = check(agent_builder("a"), queue_builder("q").min_level(language_level::native), ticket_builder());
  EXPECT_TRUE(v.eligible);
  EXPECT_EQ(v.reason, "eligible");
  EXPECT_EQ(v.language_score, 0);
}

TEST(RoutingEligibility, AwayAndOfflineAgentsAreNotEligible) {
  auto away = check(agent_builder("a").status(presence::away), queue_builder("q"), ticket_builder());
  EXPECT_FALSE(away.eligible);
  EXPECT_EQ(away.reason, "away");
  auto offline = check(agent_builder("a").status(presence::offline), queue_builder("q"), ticket_builder());
  EXPECT_FALSE(offline.eligible);
  EXPECT_EQ(offline.reason, "offline");
}

TEST(RoutingEligibility, DeactivatedAgentIsNotEligibleEvenWhenOnline) {
  auto v = check(agent_builder("a").inactive(), queue_builder("q"), ticket_builder());
  EXPECT_FALSE(v.eligible);
  EXPECT_EQ(v.reason, "deactivated");
}

TEST(RoutingEligibility, TheAgentWhoGaveTheTicketBackIsNotOfferedItAgain) {
  auto t = ticket_builder().language("cs");
  t.t.released_by = "a";
  auto v = check(agent_builder("a").speaks("cs", language_level::native), queue_builder("q"), t);
  EXPECT_FALSE(v.eligible);
  EXPECT_EQ(v.reason, "gave this ticket back");
  auto other = check(agent_builder("b").speaks("cs", language_level::native), queue_builder("q"), t);
  EXPECT_TRUE(other.eligible) << other.reason;
}

TEST(RoutingEligibility, AgentOfAnotherBrandIsNotEligibleEvenAfterOverflow) {
  auto v = check(agent_builder("a").brand("brand-2"), widening_queue(), ticket_builder(),
                 widening_after(widening_queue(), 3600));
  EXPECT_FALSE(v.eligible);
  EXPECT_EQ(v.reason, "does not serve the brand");
}

TEST(RoutingEligibility, BackupAgentOnlyOnceAStepAllowsBackups) {
  const queue_def q = widening_queue();  // backups from 300 s
  const agent_profile backup = agent_builder("b").backup().speaks("pl", language_level::native);
  const ticket_facts t = ticket_builder().language("pl");

  for (long long waited : {0LL, 60LL, 299LL}) {
    auto v = check(backup, q, t, widening_after(q, waited));
    EXPECT_FALSE(v.eligible) << waited;
    EXPECT_TRUE(mentions(v.reason, "backup")) << waited;
  }
  auto v = check(backup, q, t, widening_after(q, 300));
  EXPECT_TRUE(v.eligible);
  EXPECT_FALSE(v.primary);
  EXPECT_EQ(v.reason, "speaks pl (native), backup for the brand");
}

TEST(RoutingEligibility, FallbackLanguageSkToCsOnlyAfterOverflow) {
  const queue_def q = queue_builder("sk").step({.after_seconds = 120, .fallback_languages = {"cs"}});
  const agent_profile czech = agent_builder("cz").speaks("cs", language_level::native);
  const ticket_facts t = ticket_builder().language("sk");

  auto before = check(czech, q, t, widening_after(q, 119));
  EXPECT_FALSE(before.eligible);
  EXPECT_EQ(before.reason, "does not speak sk");

  auto after = check(czech, q, t, widening_after(q, 120));
  EXPECT_TRUE(after.eligible);
  EXPECT_EQ(after.language_score, 0);  // a fallback speaker never outranks a speaker of the ticket's language
  EXPECT_EQ(after.reason, "speaks a fallback language");

  // The fallback widens the language, not to everybody.
  auto german = check(agent_builder("de").speaks("de", language_level::native), q, t, widening_after(q, 120));
  EXPECT_FALSE(german.eligible);
  EXPECT_EQ(german.reason, "does not speak sk");
}

TEST(RoutingEligibility, FallbackLanguageMustMeetTheQueuesMinimumLevel) {
  const queue_def q = queue_builder("sk").min_level(language_level::fluent).step({.fallback_languages = {"cs"}});
  const ticket_facts t = ticket_builder().language("sk");
  EXPECT_FALSE(check(agent_builder("a").speaks("cs", language_level::basic), q, t, widening_after(q, 0)).eligible);
  EXPECT_TRUE(check(agent_builder("b").speaks("cs", language_level::fluent), q, t, widening_after(q, 0)).eligible);
}

TEST(RoutingEligibility, StarFallbackAcceptsAnyLanguage) {
  const queue_def q =
      queue_builder("sk").min_level(language_level::native).step({.after_seconds = 600, .fallback_languages = {"*"}});
  const agent_profile english = agent_builder("en").speaks("en", language_level::basic);
  const ticket_facts t = ticket_builder().language("sk");

  auto before = check(english, q, t, widening_after(q, 599));
  EXPECT_FALSE(before.eligible);
  EXPECT_TRUE(mentions(before.reason, "sk"));

  auto after = check(english, q, t, widening_after(q, 600));
  EXPECT_TRUE(after.eligible);
  EXPECT_EQ(after.language_score, 0);
  EXPECT_EQ(after.reason, "speaks a fallback language");
}

TEST(RoutingEligibility, MinLevelFluentRejectsBasicSpeakerAndAcceptsFluentAndNative) {
  const queue_def q = queue_builder("pl").min_level(language_level::fluent);
  const ticket_facts t = ticket_builder().language("pl");
  auto basic = check(agent_builder("a").speaks("pl", language_level::basic), q, t);
  EXPECT_FALSE(basic.eligible);
  EXPECT_EQ(basic.reason, "speaks pl below the queue's minimum level fluent");
  auto fluent = check(agent_builder("b").speaks("pl", language_level::fluent), q, t);
  EXPECT_TRUE(fluent.eligible);
  EXPECT_EQ(fluent.language_score, 2);
  EXPECT_EQ(fluent.reason, "speaks pl (fluent)");
  EXPECT_TRUE(check(agent_builder("c").speaks("pl", language_level::native), q, t).eligible);
}

TEST(RoutingEligibility, BasicSpeakerAboveFallbackLevelStillScoresOnlyAsFallback) {
  // pl at basic is below the minimum, so the agent qualifies through cs only and must rank as a fallback speaker.
  const queue_def q = queue_builder("pl").min_level(language_level::fluent).step({.fallback_languages = {"cs"}});
  auto v = check(agent_builder("a").speaks("pl", language_level::basic).speaks("cs", language_level::native), q,
                 ticket_builder().language("pl"), widening_after(q, 0));
  EXPECT_TRUE(v.eligible);
  EXPECT_EQ(v.language_score, 0);
}

TEST(RoutingEligibility, MissingRequiredSkillIsNamedAndNoOverflowDropsIt) {
  const queue_def q =
      queue_builder("billing")
          .required({"billing", "sap"})
          .step({.fallback_languages = {"*"}, .allow_backup_agents = true, .drop_optional_skills = true});
  const ticket_facts t = ticket_builder();
  auto v = check(agent_builder("a").skills({"billing"}), q, t);
  EXPECT_FALSE(v.eligible);
  EXPECT_EQ(v.reason, "lacks required skill sap");
  EXPECT_FALSE(check(agent_builder("a").skills({"billing"}), q, t, widening_after(q, 0)).eligible);
  EXPECT_TRUE(check(agent_builder("b").skills({"sap", "billing", "other"}), q, t).eligible);
}

TEST(RoutingEligibility, OptionalSkillIsRequiredUntilAStepDropsIt) {
  const queue_def q =
      queue_builder("returns").optional({"returns"}).step({.after_seconds = 900, .drop_optional_skills = true});
  const ticket_facts t = ticket_builder();
  const agent_profile generalist = agent_builder("g");

  auto before = check(generalist, q, t, widening_after(q, 899));
  EXPECT_FALSE(before.eligible);
  EXPECT_TRUE(mentions(before.reason, "lacks skill returns"));

  auto after = check(generalist, q, t, widening_after(q, 900));
  EXPECT_TRUE(after.eligible);
  EXPECT_EQ(after.skill_score, 0);

  // The specialist qualifies throughout and the optional skill counts towards the ranking.
  auto specialist = check(agent_builder("s").skills({"returns"}), q, t, widening_after(q, 900));
  EXPECT_TRUE(specialist.eligible);
  EXPECT_EQ(specialist.skill_score, 1);
}

TEST(RoutingEligibility, TicketTagsTheAgentHasAsSkillsScoreOnceEach) {
  const queue_def q = queue_builder("q").optional({"returns"});
  const ticket_facts t = ticket_builder().tags({"returns", "damaged", "vip"});
  auto v = check(agent_builder("a").skills({"returns", "damaged", "billing"}), q, t);
  ASSERT_TRUE(v.eligible);
  // "returns" is both an optional skill and a tag; it is one match, not two.
  EXPECT_EQ(v.skill_score, 2);
}

TEST(RoutingEligibility, FullCapacityRejectsAndReportsTheLoad) {
  const ticket_facts t = ticket_builder().on(work_channel::chat);
  auto full = check(agent_builder("a").load(work_channel::chat, 3, 3), queue_builder("q"), t);
  EXPECT_FALSE(full.eligible);
  EXPECT_EQ(full.reason, "at capacity for chat (3/3)");
  auto over = check(agent_builder("a").load(work_channel::chat, 5, 3), queue_builder("q"), t);
  EXPECT_FALSE(over.eligible);
  EXPECT_TRUE(mentions(over.reason, "at capacity"));
  EXPECT_TRUE(check(agent_builder("a").load(work_channel::chat, 2, 3), queue_builder("q"), t).eligible);
}

TEST(RoutingEligibility, ZeroCapacityMeansTheAgentTakesNoWorkOnThatChannel) {
  const agent_profile no_chat = agent_builder("a").load(work_channel::chat, 0, 0);
  auto chat = check(no_chat, queue_builder("q"), ticket_builder().on(work_channel::chat));
  EXPECT_FALSE(chat.eligible);
  EXPECT_EQ(chat.reason, "takes no chat work");
  EXPECT_TRUE(check(no_chat, queue_builder("q"), ticket_builder().on(work_channel::email)).eligible);
}

TEST(RoutingEligibility, CapacityIsCheckedOnTheTicketsWorkChannelOnly) {
  const agent_profile busy_on_phone = agent_builder("a").load(work_channel::phone, 1, 1);
  EXPECT_TRUE(check(busy_on_phone, queue_builder("q"), ticket_builder().on(work_channel::email)).eligible);
  auto callback = check(busy_on_phone, queue_builder("q"), ticket_builder().callback());
  EXPECT_FALSE(callback.eligible);
  EXPECT_EQ(callback.reason, "at capacity for phone (1/1)");
}

// --- Ranking ----------------------------------------------------------------

TEST(RoutingPick, PolishTicketGoesToTheNativeSpeakerOverTheFluentOne) {
  std::vector<agent_profile> agents{
      agent_builder("fluent").speaks("pl", language_level::fluent),
      agent_builder("native").speaks("en", language_level::native).speaks("pl", language_level::native),
      agent_builder("german").speaks("de", language_level::native)};
  auto p = pick_agent(agents, queue_builder("pl"), ticket_builder().language("pl"), not_widened);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(agents[p->index].id, "native");
  EXPECT_EQ(p->why.reason, "speaks pl (native)");
  EXPECT_EQ(p->why.language_score, 3);
}

TEST(RoutingPick, NoEligibleAgentGivesNothing) {
  EXPECT_EQ(pick_agent({}, queue_builder("q"), ticket_builder(), not_widened), std::nullopt);
  std::vector<agent_profile> agents{agent_builder("away").status(presence::away),
                                    agent_builder("full").load(work_channel::email, 25, 25),
                                    agent_builder("backup").backup()};
  EXPECT_EQ(pick_agent(agents, queue_builder("q"), ticket_builder(), not_widened), std::nullopt);
}

TEST(RoutingPick, IneligibleAgentsAreSkippedEvenWhenTheyWouldRankFirst) {
  std::vector<agent_profile> agents{agent_builder("a-away").status(presence::away).speaks("pl", language_level::native),
                                    agent_builder("z-basic").speaks("pl", language_level::basic)};
  EXPECT_EQ(picked(agents, queue_builder("q"), ticket_builder().language("pl")), "z-basic");
}

TEST(RoutingPick, AnyTicketLanguageSpeakerRanksAboveFallbackSpeakers) {
  const queue_def q = queue_builder("sk").step({.fallback_languages = {"cs"}});
  std::vector<agent_profile> agents{
      agent_builder("a-czech").speaks("cs", language_level::native).skills({"returns"}),
      agent_builder("z-slovak").speaks("sk", language_level::basic).load(work_channel::email, 20, 25)};
  EXPECT_EQ(picked(agents, q, ticket_builder().language("sk").tags({"returns"}), widening_after(q, 0)), "z-slovak");
}

TEST(RoutingPick, ReturnsSpecialistRanksFirstByTagSkillMatch) {
  std::vector<agent_profile> agents{agent_builder("a-generalist").speaks("cs", language_level::native),
                                    agent_builder("z-returns")
                                        .speaks("cs", language_level::native)
                                        .skills({"returns"})
                                        .load(work_channel::email, 10, 25)};
  const ticket_facts t = ticket_builder().language("cs").tags({"returns"});
  auto p = pick_agent(agents, queue_builder("q"), t, not_widened);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(agents[p->index].id, "z-returns");
  EXPECT_EQ(p->why.skill_score, 1);
  // Without the tag the specialist has no edge and the less loaded generalist wins.
  EXPECT_EQ(picked(agents, queue_builder("q"), ticket_builder().language("cs")), "a-generalist");
}

TEST(RoutingPick, LanguageLevelOutranksSkillMatch) {
  std::vector<agent_profile> agents{
      agent_builder("fluent-specialist").speaks("pl", language_level::fluent).skills({"returns", "vip"}),
      agent_builder("native-generalist").speaks("pl", language_level::native)};
  EXPECT_EQ(picked(agents, queue_builder("q"), ticket_builder().language("pl").tags({"returns", "vip"})),
            "native-generalist");
}

TEST(RoutingPick, SkillMatchOutranksPrimaryMembership) {
  const queue_def q = queue_builder("q").step({.allow_backup_agents = true});
  std::vector<agent_profile> agents{agent_builder("a-primary"),
                                    agent_builder("z-backup-specialist").backup().skills({"returns"})};
  EXPECT_EQ(picked(agents, q, ticket_builder().tags({"returns"}), widening_after(q, 0)), "z-backup-specialist");
}

TEST(RoutingPick, PrimaryOutranksALessLoadedBackup) {
  const queue_def q = queue_builder("q").step({.allow_backup_agents = true});
  std::vector<agent_profile> agents{
      agent_builder("a-backup").backup(),
      agent_builder("z-primary").load(work_channel::email, 24, 25).last_assigned(at(100))};
  EXPECT_EQ(picked(agents, q, ticket_builder(), widening_after(q, 0)), "z-primary");
}

TEST(RoutingPick, LeastLoadedRelativeToCapacityWins) {
  // 2/25 is the lighter load, though 1 ticket is fewer than 2.
  std::vector<agent_profile> agents{agent_builder("a-one-of-three").load(work_channel::email, 1, 3),
                                    agent_builder("z-two-of-25").load(work_channel::email, 2, 25)};
  EXPECT_EQ(picked(agents, queue_builder("q"), ticket_builder()), "z-two-of-25");
}

TEST(RoutingPick, LoadIsComparedOnTheTicketsChannel) {
  std::vector<agent_profile> agents{agent_builder("a-chat-busy").load(work_channel::chat, 2, 3),
                                    agent_builder("z-email-busy").load(work_channel::email, 20, 25)};
  EXPECT_EQ(picked(agents, queue_builder("q"), ticket_builder().on(work_channel::chat)), "z-email-busy");
  EXPECT_EQ(picked(agents, queue_builder("q"), ticket_builder().on(work_channel::email)), "a-chat-busy");
}

TEST(RoutingPick, LoadOutranksTimeSinceLastAssignment) {
  std::vector<agent_profile> agents{agent_builder("a-never").load(work_channel::email, 2, 25),
                                    agent_builder("z-recent").load(work_channel::email, 1, 25).last_assigned(at(1000))};
  EXPECT_EQ(picked(agents, queue_builder("q"), ticket_builder()), "z-recent");
}

TEST(RoutingPick, EqualLoadGoesToTheNeverAssignedThenTheLongestIdle) {
  // Equal relative load (1/5 == 5/25) falls through to the last assignment.
  std::vector<agent_profile> agents{agent_builder("a-recent").load(work_channel::email, 1, 5).last_assigned(at(500)),
                                    agent_builder("b-earlier").load(work_channel::email, 5, 25).last_assigned(at(100)),
                                    agent_builder("c-never").load(work_channel::email, 1, 5)};
  EXPECT_EQ(picked(agents, queue_builder("q"), ticket_builder()), "c-never");
  agents.pop_back();
  EXPECT_EQ(picked(agents, queue_builder("q"), ticket_builder()), "b-earlier");
}

TEST(RoutingPick, FullTieIsBrokenByIdWhateverTheOrderGiven) {
  std::vector<agent_profile> agents{agent_builder("agent-c").last_assigned(at(7)),
                                    agent_builder("agent-a").last_assigned(at(7)),
                                    agent_builder("agent-b").last_assigned(at(7))};
  auto by_id = [](const auto& x, const auto& y) { return x.id < y.id; };
  std::sort(agents.begin(), agents.end(), by_id);
  do {
    EXPECT_EQ(picked(agents, queue_builder("q"), ticket_builder()), "agent-a");
  } while (std::next_permutation(agents.begin(), agents.end(), by_id));
}

TEST(RoutingPick, ChoiceDoesNotDependOnTheOrderAgentsAreListed) {
  std::vector<agent_profile> agents{
      agent_builder("a").speaks("pl", language_level::fluent),
      agent_builder("b").speaks("pl", language_level::native).load(work_channel::email, 3, 25),
      agent_builder("c").speaks("pl", language_level::native).load(work_channel::email, 3, 25).last_assigned(at(50)),
      agent_builder("d").speaks("pl", language_level::native).load(work_channel::email, 3, 25).last_assigned(at(10)),
      agent_builder("e").speaks("pl", language_level::native).load(work_channel::email, 4, 25),
  };
  auto by_id = [](const auto& x, const auto& y) { return x.id < y.id; };
  do {
    EXPECT_EQ(picked(agents, queue_builder("q"), ticket_builder().language("pl")), "b");
  } while (std::next_permutation(agents.begin(), agents.end(), by_id));
}

TEST(RoutingBetterCandidate, IsAStrictOrder) {
  const agent_profile a = agent_builder("a"), b = agent_builder("b");
  const verdict v = check(a, queue_builder("q"), ticket_builder());
  EXPECT_FALSE(better_candidate(a, v, a, v, work_channel::email));
  EXPECT_TRUE(better_candidate(a, v, b, v, work_channel::email));
  EXPECT_FALSE(better_candidate(b, v, a, v, work_channel::email));
}

TEST(RoutingBetterCandidate, ComparesVerdictScoresBeforeAgentState) {
  const agent_profile light = agent_builder("z-light"),
                      heavy = agent_builder("a-heavy").load(work_channel::email, 20, 25);
  verdict strong{.eligible = true, .language_score = 3, .skill_score = 0, .primary = false};
  verdict weak{.eligible = true, .language_score = 2, .skill_score = 5, .primary = true};
  EXPECT_TRUE(better_candidate(heavy, strong, light, weak, work_channel::email));
  EXPECT_FALSE(better_candidate(light, weak, heavy, strong, work_channel::email));
}

// --- Urgency ----------------------------------------------------------------

TEST(RoutingUrgency, PriorityComesFirstWhateverTheDeadline) {
  const ticket_facts urgent = ticket_builder("z").prio(priority::urgent).waiting_since(at(100));
  const ticket_facts high = ticket_builder("y").prio(priority::high).due(at(1)).waiting_since(at(0));
  const ticket_facts normal = ticket_builder("x").prio(priority::normal).due(at(0));
  const ticket_facts low = ticket_builder("w").prio(priority::low).due(at(-100));
  EXPECT_TRUE(more_urgent(urgent, high));
  EXPECT_TRUE(more_urgent(high, normal));
  EXPECT_TRUE(more_urgent(normal, low));
  EXPECT_FALSE(more_urgent(low, normal));
  EXPECT_FALSE(more_urgent(high, urgent));
}

TEST(RoutingUrgency, EarliestDeadlineFirstAndNoDeadlineLast) {
  const ticket_facts soon = ticket_builder("z").due(at(60)).waiting_since(at(50));
  const ticket_facts later = ticket_builder("y").due(at(3600)).waiting_since(at(0));
  const ticket_facts none = ticket_builder("x").waiting_since(at(-1000));
  EXPECT_TRUE(more_urgent(soon, later));
  EXPECT_FALSE(more_urgent(later, soon));
  EXPECT_TRUE(more_urgent(later, none));
  EXPECT_FALSE(more_urgent(none, later));
}

TEST(RoutingUrgency, LongestWaitingThenIdBreakTies) {
  const ticket_facts old = ticket_builder("z").waiting_since(at(0));
  const ticket_facts recent = ticket_builder("a").waiting_since(at(10));
  EXPECT_TRUE(more_urgent(old, recent));
  EXPECT_FALSE(more_urgent(recent, old));
  const ticket_facts a = ticket_builder("t-1"), b = ticket_builder("t-2");
  EXPECT_TRUE(more_urgent(a, b));
  EXPECT_FALSE(more_urgent(b, a));
  EXPECT_FALSE(more_urgent(a, a));
}

TEST(RoutingUrgency, SortsAMixedBacklog) {
  std::vector<ticket_facts> backlog{
      ticket_builder("low-due").prio(priority::low).due(at(1)),
      ticket_builder("normal-none-old").waiting_since(at(-500)),
      ticket_builder("normal-due-late").due(at(900)),
      ticket_builder("urgent").prio(priority::urgent).waiting_since(at(999)),
      ticket_builder("normal-due-soon").due(at(60)),
      ticket_builder("normal-none-new").waiting_since(at(500)),
      ticket_builder("high").prio(priority::high),
  };
  std::sort(backlog.begin(), backlog.end(), more_urgent);
  std::vector<std::string> ids;
  for (const auto& t : backlog) ids.push_back(t.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"urgent", "high", "normal-due-soon", "normal-due-late", "normal-none-old",
                                           "normal-none-new", "low-due"}));
}

// --- The "unassigned" view ----------------------------------------------------

namespace {
std::vector<view_rule> queued_rules(const agent_profile& a, const std::vector<queue_def>& queues) {
  auto rules = view_rules(a, queues);
  EXPECT_FALSE(rules.empty());
  if (!rules.empty()) {
    EXPECT_EQ(rules.back().queue_id, "") << "the last rule is for tickets not in a queue";
    rules.pop_back();
  }
  return rules;
}
const std::vector<work_channel> all_channels{work_channel::email, work_channel::chat, work_channel::phone};
}  // namespace

TEST(RoutingViewRules, RequiredSkillAndLanguageLevelDecideAsTheRouterDoes) {
  const queue_def returns = queue_builder("returns").required({"returns"}).min_level(language_level::fluent);
  const agent_profile without = agent_builder("a").speaks("de", language_level::native);
  EXPECT_TRUE(queued_rules(without, {returns}).empty());

  const agent_profile with = agent_builder("b")
                                 .skills({"returns"})
                                 .speaks("de", language_level::native)
                                 .speaks("en", language_level::basic)
                                 .speaks("cs", language_level::fluent);
  const auto rules = queued_rules(with, {returns});
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].queue_id, "returns");
  EXPECT_EQ(rules[0].after_seconds, 0);
  EXPECT_FALSE(rules[0].any_language);
  EXPECT_EQ(rules[0].languages, (std::vector<std::string>{"de", "cs"})) << "basic English is below the queue's level";
  EXPECT_EQ(rules[0].channels, all_channels);
}

TEST(RoutingViewRules, BackupAgentsQualifyOnlyFromTheWideningThatAllowsThem) {
  const agent_profile backup = agent_builder("a").backup().speaks("de", language_level::fluent);
  EXPECT_TRUE(queued_rules(backup, {queue_builder("q")}).empty());

  overflow_step s;
  s.after_seconds = 600;
  s.allow_backup_agents = true;
  const auto rules = queued_rules(backup, {queue_builder("q").step(s)});
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].after_seconds, 600);
  EXPECT_EQ(rules[0].languages, (std::vector<std::string>{"de"}));
}

TEST(RoutingViewRules, FallbackLanguagesOpenEveryLanguageAndStagesThatChangeNothingAreLeftOut) {
  overflow_step sk, cs, star;
  sk.after_seconds = 300;
  sk.fallback_languages = {"sk"};  // the agent does not speak it: nothing widens for them
  cs.after_seconds = 900;
  cs.fallback_languages = {"cs"};
  star.after_seconds = 3600;
  star.fallback_languages = {"*"};
  const queue_def q = queue_builder("q").step(sk).step(cs).step(star);
  const agent_profile a = agent_builder("a").speaks("cs", language_level::fluent).speaks("de", language_level::basic);
  const auto rules = queued_rules(a, {q});
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].after_seconds, 0);
  EXPECT_FALSE(rules[0].any_language);
  EXPECT_EQ(rules[0].languages, (std::vector<std::string>{"cs", "de"}));
  EXPECT_EQ(rules[1].after_seconds, 900) << "from here the agent's Czech covers a ticket in any language";
  EXPECT_TRUE(rules[1].any_language);
  EXPECT_TRUE(rules[1].languages.empty());
}

TEST(RoutingViewRules, OptionalSkillsAreRequiredUntilDropped) {
  overflow_step drop;
  drop.after_seconds = 1200;
  drop.drop_optional_skills = true;
  const queue_def q = queue_builder("vip").optional({"vip"}).step(drop);
  const auto rules = queued_rules(agent_builder("a"), {q});
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].after_seconds, 1200);
  EXPECT_EQ(queued_rules(agent_builder("b").skills({"vip"}), {q}).at(0).after_seconds, 0);
}

TEST(RoutingViewRules, ChannelsWithoutCapacityAndOtherBrandsAreOut) {
  const agent_profile no_phone = agent_builder("a").load(work_channel::phone, 0, 0);
  const auto rules = queued_rules(no_phone, {queue_builder("q")});
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].channels, (std::vector<work_channel>{work_channel::email, work_channel::chat}));

  EXPECT_TRUE(queued_rules(agent_builder("b").brand("brand-2"), {queue_builder("q")}).empty());
}

TEST(RoutingViewRules, PresenceAndLoadDoNotHideWorkButDeactivationDoes) {
  const agent_profile away_and_full = agent_builder("a").status(presence::offline).load(work_channel::email, 25, 25);
  const auto rules = queued_rules(away_and_full, {queue_builder("q")});
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].channels, all_channels);
  EXPECT_TRUE(view_rules(agent_builder("b").inactive(), {queue_builder("q")}).empty());
}

TEST(RoutingViewRules, TicketsOutsideQueuesFollowTheAgentsLanguagesAtAnyLevel) {
  const auto rules = view_rules(agent_builder("a").speaks("en", language_level::basic), {});
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].queue_id, "");
  EXPECT_EQ(rules[0].languages, (std::vector<std::string>{"en"}));
  EXPECT_EQ(rules[0].channels, all_channels);
}
