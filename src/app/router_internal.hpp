#pragma once
// Steps shared by the router's passes and its manual actions (private to the
// app module).
#include <optional>
#include <string>
#include <vector>

#include "helpdesk/app/router_service.hpp"

namespace helpdesk::app::router_detail {

const routing::queue_def* queue_by_id(const std::vector<routing::queue_def>& queues, const std::optional<std::string>& id);
long long seconds_between(timestamp from, timestamp to);
std::string widening_json(const routing::widening& w);
// Places the brand's unqueued tickets and assigns its waiting push work, in
// the caller's transaction.
pass_report route_brand(pqxx::transaction_base& tx, const std::string& brand_id, const router_options& opts,
                        timestamp now);

}  // namespace helpdesk::app::router_detail
