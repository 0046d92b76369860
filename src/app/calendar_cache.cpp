#include "helpdesk/app/calendar_cache.hpp"

#include <pqxx/pqxx>

#include <map>

#include "helpdesk/store/sla_codec.hpp"

namespace helpdesk::app {

std::shared_ptr<const domain::business_calendar> calendar_cache::get(pqxx::transaction_base& tx, const std::string& id,
                                                                     int version) {
  const auto key = std::make_pair(id, version);
  {
    std::lock_guard lock(mu_);
    if (auto it = compiled_.find(key); it != compiled_.end()) return it->second;
  }
  auto row = store::calendars::at_version(tx, id, version);
  if (!row) return nullptr;
  std::vector<field_error> ignored;  // stored definitions were validated on the way in
  auto def = store::sla_codec::decode_calendar(row->time_zone, row->weekly, row->holidays, ignored);
  auto compiled = std::make_shared<const domain::business_calendar>(domain::business_calendar::compile(def));
  std::lock_guard lock(mu_);
  return compiled_.emplace(key, std::move(compiled)).first->second;
}

std::int64_t calendar_cache::remaining_seconds(pqxx::transaction_base& tx, const store::clock_row& row, timestamp now) {
  const auto& k = row.clock;
  if (k.stopped_at || k.state == sla::clock_state::paused || !k.due_at) return k.remaining_seconds;
  std::shared_ptr<const domain::business_calendar> cal;
  if (!k.calendar_id.empty() && row.calendar_version) cal = get(tx, k.calendar_id, *row.calendar_version);
  static const auto always = domain::business_calendar::always_open();
  const auto& c = cal ? *cal : always;
  return now <= *k.due_at ? business_seconds_between(c, now, *k.due_at) : -business_seconds_between(c, *k.due_at, now);
}

void calendar_cache::attach(pqxx::transaction_base& tx, std::vector<store::ticket_row>& tickets, timestamp now) {
  std::vector<std::string> ids;
  for (const auto& t : tickets) ids.push_back(t.id);
  std::map<std::string, store::ticket_row*> by_id;
  for (auto& t : tickets) {
    t.sla.clear();
    by_id[t.id] = &t;
  }
  for (auto& row : store::sla_clocks::latest_for(tx, ids)) {
    row.clock.remaining_seconds = remaining_seconds(tx, row, now);
    if (auto it = by_id.find(row.ticket_id); it != by_id.end()) it->second->sla.push_back(std::move(row));
  }
}

}  // namespace helpdesk::app
