#include "helpdesk/store/sla_codec.hpp"

#include <algorithm>
#include <cstdio>

#include "helpdesk/domain/ids.hpp"

namespace helpdesk::store::sla_codec {
namespace {

std::string clock_text(int minute) {
  char out[8];
  std::snprintf(out, sizeof out, "%02d:%02d", minute / 60, minute % 60);
  return out;
}

std::vector<domain::local_interval> decode_day(const json& day, const std::string& at,
                                               std::vector<field_error>& errors) {
  std::vector<domain::local_interval> out;
  if (!day.is_array()) {
    errors.push_back({at, "must be an array of [\"HH:MM\", \"HH:MM\"] intervals"});
    return out;
  }
  for (std::size_t i = 0; i < day.size(); ++i) {
    const std::string here = at + "/" + std::to_string(i);
    const json& pair = day[i];
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
      errors.push_back({here, "must be [\"HH:MM\", \"HH:MM\"]: an opening and a closing"});
      continue;
    }
    const auto open = domain::parse_clock_time(pair[0].get<std::string>(), domain::clock_edge::opening);
    const auto close = domain::parse_clock_time(pair[1].get<std::string>(), domain::clock_edge::closing);
    if (!open) errors.push_back({here + "/0", "must be a time of day from 00:00 to 23:59"});
    if (!close) errors.push_back({here + "/1", "must be a time of day from 00:01 to 24:00"});
    if (open && close) out.push_back({*open, *close});
  }
  return out;
}

template <class Parse>
auto optional_enum(const json& doc, const char* key, const std::string& at, Parse parse, const char* rule,
                   std::vector<field_error>& errors) -> decltype(parse(std::string_view{})) {
  if (!doc.contains(key) || doc[key].is_null()) return std::nullopt;
  if (doc[key].is_string())
    if (auto v = parse(doc[key].get<std::string>())) return v;
  errors.push_back({at + "/" + key, rule});
  return std::nullopt;
}

void only_keys(const json& doc, std::initializer_list<const char*> allowed, const std::string& at,
               std::vector<field_error>& errors) {
  for (const auto& [key, _] : doc.items())
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; }))
      errors.push_back({at + "/" + key, "is not a known field"});
}

std::optional<std::string> optional_uuid(const json& doc, const char* key, const std::string& at,
                                         std::vector<field_error>& errors) {
  if (!doc.contains(key) || doc[key].is_null()) return std::nullopt;
  if (doc[key].is_string() && is_uuid(doc[key].get<std::string>())) return doc[key].get<std::string>();
  errors.push_back({at + "/" + key, "must be an id"});
  return std::nullopt;
}

}  // namespace

std::vector<std::string> tag_list(const json& doc, const char* key, const std::string& at,
                                  std::vector<field_error>& errors) {
  std::vector<std::string> out;
  if (!doc.contains(key)) return out;
  const json& list = doc[key];
  if (!list.is_array() || list.size() > 50) {
    errors.push_back({at, "must be an array of at most 50 names"});
    return out;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto t = list[i].is_string() ? normalize_tag(list[i].get<std::string>()) : std::nullopt;
    if (!t) errors.push_back({at + "/" + std::to_string(i), "must be 1 to 64 of a-z 0-9 _ : . -"});
    else if (std::find(out.begin(), out.end(), *t) == out.end()) out.push_back(*t);
  }
  return out;
}

domain::calendar_definition decode_calendar(const std::string& time_zone, const json& weekly, const json& holidays,
                                            std::vector<field_error>& errors) {
  domain::calendar_definition def;
  def.time_zone = time_zone;
  if (!weekly.is_object()) {
    errors.push_back({"/weekly", "must be an object with the days mon … sun"});
  } else {
    for (const auto& [key, day] : weekly.items()) {
      const auto it = std::find(domain::weekday_keys.begin(), domain::weekday_keys.end(), key);
      if (it == domain::weekday_keys.end()) {
        errors.push_back({"/weekly/" + key, "is not a day: use mon, tue, wed, thu, fri, sat, sun"});
        continue;
      }
      def.weekly[static_cast<std::size_t>(it - domain::weekday_keys.begin())] = decode_day(day, "/weekly/" + key, errors);
    }
  }
  if (!holidays.is_array()) {
    errors.push_back({"/holidays", "must be an array"});
    return def;
  }
  for (std::size_t i = 0; i < holidays.size(); ++i) {
    const std::string at = "/holidays/" + std::to_string(i);
    const json& h = holidays[i];
    if (!h.is_object()) {
      errors.push_back({at, "must be {\"date\": \"YYYY-MM-DD\"} or {\"month_day\": \"MM-DD\", \"yearly\": true}"});
      continue;
    }
    only_keys(h, {"date", "month_day", "yearly", "name"}, at, errors);
    if (h.contains("name") && (!h["name"].is_string() || h["name"].get<std::string>().size() > 200))
      errors.push_back({at + "/name", "must be a text of at most 200 characters"});
    const bool yearly_typed = !h.contains("yearly") || h["yearly"].is_boolean();
    if (!yearly_typed) errors.push_back({at + "/yearly", "must be true or false"});
    const bool yearly = yearly_typed && h.value("yearly", false);
    if (h.contains("date") == h.contains("month_day")) {
      errors.push_back({at, "needs exactly one of date and month_day"});
    } else if (h.contains("date")) {
      auto d = h["date"].is_string() ? domain::parse_holiday_date(h["date"].get<std::string>()) : std::nullopt;
      if (!d) errors.push_back({at + "/date", "must be a date YYYY-MM-DD"});
      else if (yearly) def.holidays.emplace_back(d->month() / d->day());
      else def.holidays.emplace_back(*d);
    } else {
      auto md = h["month_day"].is_string() ? domain::parse_holiday_month_day(h["month_day"].get<std::string>())
                                           : std::nullopt;
      if (!md) errors.push_back({at + "/month_day", "must be a day of the year MM-DD"});
      else if (!yearly) errors.push_back({at + "/yearly", "must be true: a month_day recurs every year"});
      else def.holidays.emplace_back(*md);
    }
  }
  return def;
}

json encode_weekly(const domain::calendar_definition& def) {
  json out = json::object();
  for (std::size_t w = 0; w < def.weekly.size(); ++w) {
    json day = json::array();
    for (const auto& iv : def.weekly[w]) day.push_back({clock_text(iv.open_minute), clock_text(iv.close_minute)});
    out[std::string(domain::weekday_keys[w])] = day;
  }
  return out;
}

void decode_conditions(const json& c, sla::policy_def& p, std::vector<field_error>& errors) {
  p.conditions = {};
  if (c.is_null()) return;
  if (!c.is_object()) {
    errors.push_back({"/conditions", "must be an object"});
    return;
  }
  only_keys(c, {"channel", "priority", "queue_id", "tags", "source", "customer_flags"}, "/conditions", errors);
  auto& out = p.conditions;
  out.channel = optional_enum(c, "channel", "/conditions", parse_channel, "must be email, phone or chat", errors);
  if (out.channel == channel::note) {
    errors.push_back({"/conditions/channel", "must be email, phone or chat"});
    out.channel.reset();
  }
  out.prio = optional_enum(c, "priority", "/conditions", parse_priority, "must be low, normal, high or urgent", errors);
  out.queue_id = optional_uuid(c, "queue_id", "/conditions", errors);
  out.tags = tag_list(c, "tags", "/conditions/tags", errors);
  out.customer_flags = tag_list(c, "customer_flags", "/conditions/customer_flags", errors);
  if (c.contains("source") && !c["source"].is_null()) {
    auto s = c["source"].is_string() ? normalize_tag(c["source"].get<std::string>()) : std::nullopt;
    if (!s) errors.push_back({"/conditions/source", "must be 1 to 64 of a-z 0-9 _ : . -"});
    out.source = s;
  }
}

void decode_targets(const json& targets, sla::policy_def& p, std::vector<field_error>& errors) {
  p.targets.clear();
  if (!targets.is_array() || targets.size() > 4) {
    errors.push_back({"/targets", "must be an array of at most 4 targets"});
    return;
  }
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const std::string at = "/targets/" + std::to_string(i);
    const json& t = targets[i];
    if (!t.is_object()) {
      errors.push_back({at, "must be {\"target\", \"seconds\", \"calendar_id\"?, \"warn_at\"?}"});
      continue;
    }
    only_keys(t, {"target", "seconds", "calendar_id", "warn_at"}, at, errors);
    sla::target_def d;
    auto kind = optional_enum(t, "target", at, sla::parse_target_kind,
                              "must be first_response, next_response, resolution or callback", errors);
    if (!t.contains("target")) errors.push_back({at + "/target", "is required"});
    if (kind) d.kind = *kind;
    if (!t.contains("seconds")) errors.push_back({at + "/seconds", "is required"});
    else if (!t["seconds"].is_number_integer()) errors.push_back({at + "/seconds", "must be a whole number of seconds"});
    else d.seconds = t["seconds"].get<std::int64_t>();
    if (auto cal = optional_uuid(t, "calendar_id", at, errors)) d.calendar_id = *cal;
    if (t.contains("warn_at")) {
      if (!t["warn_at"].is_number()) errors.push_back({at + "/warn_at", "must be a number between 0 and 1"});
      else d.warn_at = t["warn_at"].get<double>();
    }
    p.targets.push_back(std::move(d));
  }
}

void decode_pause_on(const json& pause_on, sla::policy_def& p, std::vector<field_error>& errors) {
  p.pause_on.clear();
  if (!pause_on.is_array() || pause_on.size() > 2) {
    errors.push_back({"/pause_on", "must be an array of pending and on_hold"});
    return;
  }
  for (std::size_t i = 0; i < pause_on.size(); ++i) {
    auto s = pause_on[i].is_string() ? parse_ticket_status(pause_on[i].get<std::string>()) : std::nullopt;
    if (!s) errors.push_back({"/pause_on/" + std::to_string(i), "must be pending or on_hold"});
    else if (std::find(p.pause_on.begin(), p.pause_on.end(), *s) == p.pause_on.end()) p.pause_on.push_back(*s);
  }
}

void decode_escalation(const json& escalation, sla::policy_def& p, std::vector<field_error>& errors) {
  p.escalation.clear();
  if (!escalation.is_array() || escalation.size() > 20) {
    errors.push_back({"/escalation", "must be an array of at most 20 rules"});
    return;
  }
  for (std::size_t i = 0; i < escalation.size(); ++i) {
    const std::string at = "/escalation/" + std::to_string(i);
    const json& e = escalation[i];
    if (!e.is_object()) {
      errors.push_back({at, "must be {\"on\", \"action\", \"target\"?, \"queue_id\"?}"});
      continue;
    }
    only_keys(e, {"on", "target", "action", "queue_id"}, at, errors);
    sla::escalation_rule r;
    if (!e.contains("on")) errors.push_back({at + "/on", "is required"});
    if (auto w = optional_enum(e, "on", at, sla::parse_escalation_when, "must be warning or breach", errors)) r.on = *w;
    if (!e.contains("action")) errors.push_back({at + "/action", "is required"});
    if (auto a = optional_enum(e, "action", at, sla::parse_escalation_action,
                               "must be raise_priority, move_to_queue, reroute or notify", errors))
      r.act = *a;
    r.target = optional_enum(e, "target", at, sla::parse_target_kind,
                             "must be first_response, next_response, resolution or callback", errors);
    if (auto q = optional_uuid(e, "queue_id", at, errors)) r.queue_id = *q;
    p.escalation.push_back(std::move(r));
  }
}

json encode_conditions(const sla::policy_conditions& c) {
  json out = json::object();
  if (c.channel) out["channel"] = std::string(to_string(*c.channel));
  if (c.prio) out["priority"] = std::string(to_string(*c.prio));
  if (c.queue_id) out["queue_id"] = *c.queue_id;
  if (!c.tags.empty()) out["tags"] = c.tags;
  if (c.source) out["source"] = *c.source;
  if (!c.customer_flags.empty()) out["customer_flags"] = c.customer_flags;
  return out;
}

json encode_targets(const std::vector<sla::target_def>& targets) {
  json out = json::array();
  for (const auto& t : targets)
    out.push_back({{"target", std::string(sla::to_string(t.kind))},
                   {"seconds", t.seconds},
                   {"calendar_id", t.calendar_id.empty() ? json(nullptr) : json(t.calendar_id)},
                   {"warn_at", t.warn_at}});
  return out;
}

json encode_pause_on(const std::vector<ticket_status>& pause_on) {
  json out = json::array();
  for (auto s : pause_on) out.push_back(std::string(to_string(s)));
  return out;
}

json encode_escalation(const std::vector<sla::escalation_rule>& rules) {
  json out = json::array();
  for (const auto& r : rules) {
    json e = {{"on", std::string(sla::to_string(r.on))}, {"action", std::string(sla::to_string(r.act))}};
    if (r.target) e["target"] = std::string(sla::to_string(*r.target));
    if (!r.queue_id.empty()) e["queue_id"] = r.queue_id;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace helpdesk::store::sla_codec
