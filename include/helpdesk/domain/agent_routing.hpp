#pragma once
// What an agent brings to routing: languages with a level, presence, the
// channels work comes in on. Kept apart from routing.hpp so that the
// directory's agent can carry them without knowing the router's rules.
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace helpdesk::routing {

enum class language_level { basic = 1, fluent = 2, native = 3 };
enum class presence { online, away, offline };
enum class queue_mode { push, pull };
// The channels an agent has capacity for: notes never need an agent.
enum class work_channel { email, chat, phone };
constexpr std::size_t work_channel_count = 3;

std::string_view to_string(language_level l);
std::optional<language_level> parse_language_level(std::string_view s);
std::string_view to_string(presence p);
std::optional<presence> parse_presence(std::string_view s);
std::string_view to_string(queue_mode m);
std::optional<queue_mode> parse_queue_mode(std::string_view s);
std::string_view to_string(work_channel c);
std::optional<work_channel> parse_work_channel(std::string_view s);

struct agent_language {
  std::string code;  // ISO 639-1
  language_level level = language_level::fluent;
};

using per_channel = std::array<int, work_channel_count>;  // indexed by work_channel

}  // namespace helpdesk::routing
