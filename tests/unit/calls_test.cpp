#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "helpdesk/domain/calls.hpp"

using namespace helpdesk;
using namespace std::chrono_literals;
using k = call_event_kind;

namespace {

const timestamp t0 = from_unix_micros(1'719'748'800'000'000LL);  // 2024-06-30T12:00:00Z

call_event ev(k kind, std::chrono::seconds offset, std::optional<long long> seq = std::nullopt) {
  call_event e;
  e.kind = kind;
  e.at = t0 + offset;
  e.sequence = seq;
  return e;
}

bool same_state(const call_state& a, const call_state& b) {
  return a.outcome == b.outcome && a.inbound == b.inbound && a.started_at == b.started_at &&
         a.answered_at == b.answered_at && a.ended_at == b.ended_at && a.agent_id == b.agent_id &&
         a.wait_seconds == b.wait_seconds && a.duration_seconds == b.duration_seconds &&
         a.recording_url == b.recording_url && a.voicemail_url == b.voicemail_url;
}

call_outcome outcome_of(std::vector<call_event_kind> kinds, bool inbound = true) {
  std::vector<call_event> events;
  int i = 0;
  for (auto kind : kinds) events.push_back(ev(kind, std::chrono::seconds(i++)));
  return fold_call(inbound, events).outcome;
}

}  // namespace

TEST(CallNames, RoundTrip) {
  for (auto kind : {k::ringing, k::answered, k::missed, k::voicemail, k::completed, k::transferred})
    EXPECT_EQ(parse_call_event_kind(to_string(kind)), kind);
  EXPECT_EQ(to_string(k::completed), "completed");
  EXPECT_EQ(parse_call_event_kind("Completed"), std::nullopt);
  EXPECT_EQ(parse_call_event_kind("busy"), std::nullopt);
  EXPECT_EQ(parse_call_event_kind(""), std::nullopt);
  EXPECT_EQ(to_string(call_outcome::ringing), "ringing");
  EXPECT_EQ(to_string(call_outcome::in_progress), "in_progress");
  EXPECT_EQ(to_string(call_outcome::answered), "answered");
  EXPECT_EQ(to_string(call_outcome::missed), "missed");
  EXPECT_EQ(to_string(call_outcome::voicemail), "voicemail");
  EXPECT_EQ(to_string(call_outcome::transferred), "transferred");
}

TEST(FoldCall, NoEvents) {
  auto s = fold_call(true, {});
  EXPECT_EQ(s.outcome, call_outcome::ringing);
  EXPECT_TRUE(s.inbound);
  EXPECT_EQ(s.started_at, std::nullopt);
  EXPECT_EQ(s.ended_at, std::nullopt);
  EXPECT_FALSE(s.ended());
  EXPECT_FALSE(s.callback_required());
  EXPECT_FALSE(fold_call(false, {}).inbound);
}

TEST(FoldCall, Outcomes) {
  EXPECT_EQ(outcome_of({k::ringing}), call_outcome::ringing);
  EXPECT_EQ(outcome_of({k::ringing, k::ringing}), call_outcome::ringing);
  EXPECT_EQ(outcome_of({k::ringing, k::answered}), call_outcome::in_progress);
  EXPECT_EQ(outcome_of({k::answered}), call_outcome::in_progress);
  EXPECT_EQ(outcome_of({k::ringing, k::answered, k::completed}), call_outcome::answered);
  EXPECT_EQ(outcome_of({k::ringing, k::missed}), call_outcome::missed);
  EXPECT_EQ(outcome_of({k::ringing, k::missed, k::completed}), call_outcome::missed);
  EXPECT_EQ(outcome_of({k::ringing, k::voicemail}), call_outcome::voicemail);
  EXPECT_EQ(outcome_of({k::ringing, k::missed, k::voicemail, k::completed}), call_outcome::voicemail);
  EXPECT_EQ(outcome_of({k::ringing, k::answered, k::voicemail}), call_outcome::answered);
  EXPECT_EQ(outcome_of({k::ringing, k::answered, k::missed, k::completed}), call_outcome::answered);
  EXPECT_EQ(outcome_of({k::ringing, k::answered, k::transferred}), call_outcome::transferred);
  EXPECT_EQ(outcome_of({k::ringing, k::answered, k::transferred, k::completed}), call_outcome::transferred);
  EXPECT_EQ(outcome_of({k::ringing, k::transferred}), call_outcome::transferred);
  EXPECT_EQ(outcome_of({k::ringing, k::transferred, k::voicemail}), call_outcome::voicemail);
  EXPECT_EQ(outcome_of({k::ringing, k::transferred, k::missed}), call_outcome::missed);
  // Completed without an answer: nobody (inbound) or the customer (outbound) picked up.
  EXPECT_EQ(outcome_of({k::ringing, k::completed}, true), call_outcome::missed);
  EXPECT_EQ(outcome_of({k::ringing, k::completed}, false), call_outcome::missed);
  EXPECT_EQ(outcome_of({k::completed}), call_outcome::missed);
}

TEST(FoldCall, AnsweredInboundCall) {
  auto ring = ev(k::ringing, 0s, 1);
  auto answer = ev(k::answered, 12s, 2);
  answer.agent_id = "agent-1";
  answer.wait_seconds = 12;
  auto done = ev(k::completed, 312s, 3);
  done.duration_seconds = 300;
  done.recording_url = "https://rec.example/r1.mp3";
  auto s = fold_call(true, {done, ring, answer});
  EXPECT_EQ(s.outcome, call_outcome::answered);
  EXPECT_EQ(s.started_at, t0);
  EXPECT_EQ(s.answered_at, t0 + 12s);
  EXPECT_EQ(s.ended_at, t0 + 312s);
  EXPECT_EQ(s.agent_id, "agent-1");
  EXPECT_EQ(s.wait_seconds, 12);
  EXPECT_EQ(s.duration_seconds, 300);
  EXPECT_EQ(s.recording_url, "https://rec.example/r1.mp3");
  EXPECT_EQ(s.voicemail_url, "");
  EXPECT_TRUE(s.ended());
  EXPECT_FALSE(s.callback_required());
}

TEST(FoldCall, InProgressHasNoEnd) {
  auto s = fold_call(true, {ev(k::ringing, 0s), ev(k::answered, 5s)});
  EXPECT_EQ(s.outcome, call_outcome::in_progress);
  EXPECT_EQ(s.answered_at, t0 + 5s);
  EXPECT_EQ(s.ended_at, std::nullopt);
  EXPECT_FALSE(s.ended());
  EXPECT_FALSE(s.callback_required());
}

TEST(FoldCall, MissedAndVoicemailNeedCallbackOnlyInbound) {
  auto vm = ev(k::voicemail, 40s, 3);
  vm.voicemail_url = "https://rec.example/vm1.mp3";
  vm.duration_seconds = 18;
  auto s = fold_call(true, {ev(k::ringing, 0s, 1), ev(k::missed, 30s, 2), vm});
  EXPECT_EQ(s.outcome, call_outcome::voicemail);
  EXPECT_EQ(s.answered_at, std::nullopt);
  EXPECT_EQ(s.ended_at, t0 + 40s);
  EXPECT_EQ(s.voicemail_url, "https://rec.example/vm1.mp3");
  EXPECT_EQ(s.duration_seconds, 18);
  EXPECT_TRUE(s.callback_required());
  EXPECT_TRUE(fold_call(true, {ev(k::missed, 30s)}).callback_required());
  EXPECT_FALSE(fold_call(false, {ev(k::missed, 30s)}).callback_required());
  EXPECT_FALSE(fold_call(false, {vm}).callback_required());
  EXPECT_FALSE(fold_call(true, {ev(k::transferred, 3s)}).callback_required());
}

TEST(FoldCall, LateRingingNeverUndoesCompleted) {
  auto s = fold_call(true, {ev(k::answered, 5s), ev(k::completed, 60s), ev(k::ringing, 0s), ev(k::ringing, 90s)});
  EXPECT_EQ(s.outcome, call_outcome::answered);
  EXPECT_EQ(s.started_at, t0);
  EXPECT_EQ(s.ended_at, t0 + 60s);
}

TEST(FoldCall, DuplicatesChangeNothing) {
  std::vector<call_event> events = {ev(k::ringing, 0s, 1), ev(k::answered, 5s, 2), ev(k::completed, 60s, 3)};
  auto once = fold_call(true, events);
  events.push_back(events[1]);
  events.push_back(events[2]);
  EXPECT_TRUE(same_state(once, fold_call(true, events)));
}

TEST(FoldCall, AttributesComeFromHighestEvent) {
  // A transfer: the second agent (later sequence) is the call's agent.
  auto a1 = ev(k::answered, 5s, 2);
  a1.agent_id = "agent-1";
  auto tr = ev(k::transferred, 60s, 3);
  tr.agent_id = "agent-2";
  auto done = ev(k::completed, 200s, 4);  // carries no agent
  auto s = fold_call(true, {done, tr, a1});
  EXPECT_EQ(s.outcome, call_outcome::transferred);
  EXPECT_EQ(s.agent_id, "agent-2");
  EXPECT_EQ(s.ended_at, t0 + 200s);
  EXPECT_EQ(s.answered_at, t0 + 5s);

  // Sequence outranks time: clock skew between provider nodes.
  auto early_seq = ev(k::completed, 500s, 1);
  early_seq.duration_seconds = 10;
  auto late_seq = ev(k::completed, 400s, 9);
  late_seq.duration_seconds = 20;
  EXPECT_EQ(fold_call(true, {late_seq, early_seq}).duration_seconds, 20);
  EXPECT_EQ(fold_call(true, {early_seq, late_seq}).duration_seconds, 20);

  // Without sequences the later time wins; events with a sequence outrank those without.
  auto t1 = ev(k::completed, 100s);
  t1.recording_url = "https://rec.example/a";
  auto t2 = ev(k::completed, 200s);
  t2.recording_url = "https://rec.example/b";
  EXPECT_EQ(fold_call(true, {t2, t1}).recording_url, "https://rec.example/b");
  auto sequenced = ev(k::completed, 50s, 0);
  sequenced.recording_url = "https://rec.example/c";
  EXPECT_EQ(fold_call(true, {t2, sequenced, t1}).recording_url, "https://rec.example/c");

  // Full ties fall back to the values themselves.
  auto x = ev(k::completed, 100s, 5);
  x.agent_id = "agent-a";
  auto y = x;
  y.agent_id = "agent-b";
  EXPECT_EQ(fold_call(true, {x, y}).agent_id, "agent-b");
  EXPECT_EQ(fold_call(true, {y, x}).agent_id, "agent-b");
}

TEST(FoldCall, PermutationsGiveIdenticalState) {
  std::mt19937 rng(20240630);
  const std::vector<std::string> agents = {"", "", "agent-1", "agent-2", "agent-3"};
  const std::vector<std::string> urls = {"", "", "https://rec.example/1", "https://rec.example/2"};
  std::uniform_int_distribution<int> kind_d(0, 5), count_d(0, 8), sec_d(0, 40), pick(0, 3), seq_d(0, 4);
  for (int round = 0; round < 300; ++round) {
    std::vector<call_event> events;
    int n = count_d(rng);
    for (int i = 0; i < n; ++i) {
      call_event e;
      e.kind = static_cast<call_event_kind>(kind_d(rng));
      e.at = t0 + std::chrono::seconds(sec_d(rng));  // collisions on purpose
      if (pick(rng) > 0) e.sequence = seq_d(rng);
      e.agent_id = agents[std::uniform_int_distribution<std::size_t>(0, agents.size() - 1)(rng)];
      if (pick(rng) == 0) e.wait_seconds = sec_d(rng);
      if (pick(rng) == 0) e.duration_seconds = sec_d(rng);
      e.recording_url = urls[std::uniform_int_distribution<std::size_t>(0, urls.size() - 1)(rng)];
      e.voicemail_url = urls[std::uniform_int_distribution<std::size_t>(0, urls.size() - 1)(rng)];
      events.push_back(e);
      if (pick(rng) == 0) events.push_back(e);  // a duplicate delivery
    }
    bool inbound = round % 2 == 0;
    auto expected = fold_call(inbound, events);
    for (int shuffle = 0; shuffle < 200; ++shuffle) {
      std::shuffle(events.begin(), events.end(), rng);
      auto got = fold_call(inbound, events);
      ASSERT_TRUE(same_state(expected, got)) << "round " << round << " shuffle " << shuffle;
    }
    // Invariants that hold for every set.
    if (expected.ended()) {
      EXPECT_TRUE(expected.ended_at.has_value()) << round;
    } else {
      EXPECT_FALSE(expected.ended_at.has_value()) << round;
    }
    if (expected.answered_at) {
      EXPECT_TRUE(expected.outcome == call_outcome::answered || expected.outcome == call_outcome::in_progress ||
                  expected.outcome == call_outcome::transferred)
          << round;
    }
    if (expected.started_at && expected.ended_at) {
      EXPECT_LE(*expected.started_at, *expected.ended_at);
    }
  }
}

TEST(FoldCall, SmallSetsAllPermutations) {
  std::vector<call_event> events = {ev(k::ringing, 0s, 1), ev(k::answered, 7s, 2), ev(k::transferred, 30s, 3),
                                    ev(k::completed, 90s, 4), ev(k::ringing, 95s)};
  events[1].agent_id = "agent-1";
  events[2].agent_id = "agent-2";
  events[3].duration_seconds = 83;
  std::sort(events.begin(), events.end(), [](const call_event& a, const call_event& b) { return a.at < b.at; });
  auto expected = fold_call(true, events);
  EXPECT_EQ(expected.outcome, call_outcome::transferred);
  EXPECT_EQ(expected.agent_id, "agent-2");
  EXPECT_EQ(expected.duration_seconds, 83);
  EXPECT_EQ(expected.ended_at, t0 + 90s);
  int permutations = 0;
  do {
    ASSERT_TRUE(same_state(expected, fold_call(true, events)));
    ++permutations;
  } while (std::next_permutation(events.begin(), events.end(),
                                 [](const call_event& a, const call_event& b) { return a.at < b.at; }));
  EXPECT_EQ(permutations, 120);
}
