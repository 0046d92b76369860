-- Realistic inbound traffic for `bench/run ingest`, one mode per wrk run:
--   wrk ... -s bench/ingest.lua -- <email|call|chat> <run-id> <token>
-- Fixed seeds per thread; a pool of 100,000 customers. Email: 60 % new
-- threads, 30 % replies (In-Reply-To an earlier message of the thread),
-- 10 % carrying a 20 KB attachment. Calls: ringing, then answered+completed
-- or missed. Chat: sessions of several visitor messages. Calls and chat
-- sessions interleave, 256 of them open per wrk thread.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

local mode, run, token, tid
local seq = 0
local recent = {}      -- message ids and senders of earlier mails, for replies
local pending = {}     -- calls and chats with events still to send
local attachment
-- Built once: the generator shares the cores with the server it measures.
local body_text = "Hello, I have a question about my order. " .. string.rep("Lorem ipsum dolor sit amet. ", 20)

local function b64_blob(n)
  local chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  local out = {}
  for i = 1, n do
    local k = math.random(1, 64)
    out[i] = chars:sub(k, k)
  end
  return table.concat(out)
end

function init(args)
  mode, run, token = args[1], args[2], args[3]
  tid = tonumber(wrk.thread:get("tid")) or 1
  math.randomseed(1000 + tid)
  attachment = b64_blob(20 * 1024 * 4 / 3)
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = "application/json"
end

local function customer() return math.random(1, 100000) end

local function next_id()
  seq = seq + 1
  return run .. "-" .. tid .. "-" .. seq
end

local function json_escape(s) return (s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end)) end

local function email_request()
  local id = next_id()
  local roll = math.random(1, 100)
  local from, in_reply_to, subject
  if roll <= 30 and #recent > 0 then
    local prev = recent[math.random(1, #recent)]
    from, in_reply_to, subject = prev.from, prev.id, "Re: " .. prev.subject
  else
    from = "customer" .. customer() .. "@example.com"
    subject = "Order " .. math.random(100000, 999999) .. " question"
  end
  local body = '{"from":"Customer <' .. from .. '>","to":["podpora@bench.example"],"subject":"' ..
    json_escape(subject) .. '","text":"' .. body_text ..
    '","message_id":"<' .. id .. '@example.com>"'
  if in_reply_to then body = body .. ',"in_reply_to":"<' .. in_reply_to .. '@example.com>"' end
  if roll > 90 then
    body = body .. ',"attachments":[{"filename":"photo.jpg","content_type":"image/jpeg","content_base64":"' .. attachment .. '"}]'
  end
  body = body .. "}"
  if #recent < 2000 then table.insert(recent, {id = id, from = from, subject = subject})
  else recent[math.random(1, #recent)] = {id = id, from = from, subject = subject} end
  return wrk.format("POST", "/v1/inbound/email", nil, body)
end

-- Calls and chats in progress: each request moves a random one of them on
-- by one event, and a finished one gives way to a new one. Hundreds are open
-- at once, as on a busy line, so two events of one conversation rarely
-- travel together.
local open_conversations = 256

local function slot(make)
  if #pending < open_conversations then
    table.insert(pending, make())
    return #pending
  end
  return math.random(1, #pending)
end

local function new_call()
  local answered = math.random(1, 100) <= 70
  return {call_id = "CA" .. next_id(), from = "+420 6" .. string.format("%08d", customer()),
          events = answered and {"ringing", "answered", "completed"} or {"ringing", "missed"}, i = 1}
end

local function call_request()
  local k = slot(new_call)
  local c = pending[k]
  local event = c.events[c.i]
  c.i = c.i + 1
  if c.i > #c.events then pending[k] = new_call() end
  local body = '{"call_id":"' .. c.call_id .. '","event":"' .. event .. '","direction":"inbound","from":"' .. c.from ..
    '","to":"+420222333444","at":"2026-11-23T10:00:0' .. c.i .. 'Z","sequence":' .. c.i .. '}'
  return wrk.format("POST", "/v1/inbound/calls", nil, body)
end

local function new_session()
  return {session = "S" .. next_id(), handle = "visitor-" .. customer(), left = math.random(2, 6)}
end

local function chat_request()
  local k = slot(new_session)
  local s = pending[k]
  s.left = s.left - 1
  if s.left <= 0 then pending[k] = new_session() end
  local body = '{"session_id":"' .. s.session .. '","message_id":"' .. next_id() ..
    '","sender":"visitor","visitor":{"handle":"' .. s.handle .. '"},"text":"Hi, is item ' .. math.random(1, 9999) ..
    ' in stock?","at":"2026-11-23T10:00:00Z"}'
  return wrk.format("POST", "/v1/inbound/chat", nil, body)
end

function request()
  if mode == "email" then return email_request() end
  if mode == "call" then return call_request() end
  return chat_request()
end
