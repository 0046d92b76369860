-- Agents fighting over work while the routers of two servers assign it, for
-- `bench/run router`:
--   wrk ... -s bench/claims.lua -- <tokens file> <ticket ids file>
-- Each request is a random agent's pull (POST /v1/agents/me/next) or claim of
-- a random ticket (POST /v1/tickets/{id}/claim). 409s and 204s are the point:
-- what is measured afterwards is that no ticket went to two agents.

local tokens, tickets = {}, {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

function init(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
  for line in io.lines(args[2]) do tickets[#tickets + 1] = line end
  math.randomseed(4200 + (tonumber(wrk.thread:get("tid")) or 1))
end

local n = 0
function request()
  n = n + 1
  local headers = {["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
                   ["Content-Type"] = "application/json"}
  if n % 2 == 0 then return wrk.format("POST", "/v1/agents/me/next", headers, "") end
  return wrk.format("POST", "/v1/tickets/" .. tickets[math.random(#tickets)] .. "/claim", headers, "")
end
