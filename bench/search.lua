-- GET /v1/search with what agents look up: an order number from the seeded
-- range (one hit) or a customer's name with an order word (many hits).
-- Arguments: token.
local token
local names = {"Jana", "Petr", "Eva", "Tomas", "Lucie"}
function init(args)
  token = args[1]
  math.randomseed(42)
end
function request()
  local q
  if math.random() < 0.7 then
    q = tostring(100000 + math.random(1, 1000000))
  else
    q = names[math.random(1, #names)] .. "%20" .. tostring(100000 + math.random(1, 1000000))
  end
  return wrk.format("GET", "/v1/search?q=" .. q .. "&limit=20", {["Authorization"] = "Bearer " .. token})
end
