// Times the router's decision alone (no I/O): 1,000 online agents across 20
// brands, 12 languages and 30 skills; 100,000 waiting tickets, each decided
// with pick_agent against its brand's staff, loads updated as it goes.
// Prints `route_decision_p50_us`, `route_decision_p99_us` and the share of
// tickets that found an agent.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include "helpdesk/domain/routing.hpp"

using namespace helpdesk;
using namespace helpdesk::routing;

int main(int argc, char** argv) {
  const int agents_total = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int tickets_total = argc > 2 ? std::atoi(argv[2]) : 100000;
  constexpr int brands = 20, languages = 12, skills = 30;
  const char* codes[languages] = {"cs", "sk", "pl", "hu", "de", "en", "ro", "hr", "sl", "it", "fr", "es"};
  std::mt19937 rng(42);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };

  std::vector<std::vector<agent_profile>> staff(brands);
  // Each brand holds its own copy of an agent; an assignment updates them all.
  std::vector<std::vector<std::pair<int, std::size_t>>> copies(agents_total);
  for (int i = 0; i < agents_total; ++i) {
    agent_profile a;
    a.id = "agent-" + std::to_string(i);
    a.status = presence::online;
    for (int l = 0, n = 1 + pick(3); l < n; ++l)
      a.languages.push_back({codes[pick(languages)], static_cast<language_level>(1 + pick(3))});
    for (int s = 0, n = pick(4); s < n; ++s) a.skills.push_back("skill-" + std::to_string(pick(skills)));
    a.capacity = {25, 3, 1};
    // An agency agent serves 3 to 4 shops, one of them as a backup.
    for (int b = 0, n = 3 + pick(2); b < n; ++b) {
      const int brand = pick(brands);
      a.brands.push_back({"brand-" + std::to_string(brand), b == n - 1 ? brand_membership::backup
                                                                        : brand_membership::primary});
      copies[i].push_back({brand, staff[brand].size()});
      staff[brand].push_back(a);
    }
  }
  std::vector<queue_def> queues(brands);
  for (int b = 0; b < brands; ++b) {
    queues[b].id = "queue-" + std::to_string(b);
    queues[b].brand_id = "brand-" + std::to_string(b);
    queues[b].is_default = true;
    queues[b].optional_skills = {};
    queues[b].overflow = {{600, {"en"}, true, true}};
  }

  std::vector<double> micros;
  micros.reserve(tickets_total);
  int assigned = 0;
  for (int i = 0; i < tickets_total; ++i) {
    const int b = pick(brands);
    ticket_facts t;
    t.id = "t-" + std::to_string(i);
    t.brand_id = "brand-" + std::to_string(b);
    t.channel = work_channel::email;
    t.language = codes[pick(languages)];
    if (pick(3) == 0) t.tags = {"skill-" + std::to_string(pick(skills))};
    const long long waited = pick(1200);
    const auto start = std::chrono::steady_clock::now();
    const auto w = widening_after(queues[b], waited);
    auto chosen = pick_agent(staff[b], queues[b], t, w);
    if (chosen) {
      const int who = std::stoi(staff[b][chosen->index].id.substr(6));
      for (const auto& [brand, index] : copies[who]) ++staff[brand][index].load[0];
      ++assigned;
    }
    const auto stop = std::chrono::steady_clock::now();
    micros.push_back(std::chrono::duration<double, std::micro>(stop - start).count());
  }
  std::sort(micros.begin(), micros.end());
  auto at = [&](double q) { return micros[static_cast<std::size_t>(q * (micros.size() - 1))]; };
  std::printf("route_decision_p50_us %.1f us\n", at(0.50));
  std::printf("route_decision_p99_us %.1f us\n", at(0.99));
  std::printf("route_decision_assigned_share %.2f ratio\n", double(assigned) / tickets_total);
  return 0;
}
