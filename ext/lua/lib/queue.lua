--[[
  The FIFO hand-off shared by acquire, release and leave.
  KEYS: {{KEYS_PER_NAME}} per lock name i, in this order: lock p:{n}, queue p:{n}:q, waiters p:{n}:w, the
  caller's own wake-up list p:{n}:g:<token>, the caller's release tombstone p:{n}:r:<token>.
  ARGV[5]: GRANT_MS, how long a hand-off waits for its waiter to claim it.
  Defines: clock() (Redis TIME in ms, read once), names(), lk/qk/wk/gk/rk(i), live_head(i), grant(i, t),
  pass_on(i).
  Not in KEYS: grant() wakes waiter t through p:{n}:g:<t>, t read from the queue, a key the caller cannot
  know. It shares the name's hash tag, so it lives in the same cluster slot as the declared keys.
]]
local now
local function clock()
  if not now then local t = redis.call('TIME'); now = t[1] * 1000 + math.floor(t[2] / 1000) end
  return now
end
local function names() return #KEYS / {{KEYS_PER_NAME}} end
local function key(i, j) return KEYS[{{KEYS_PER_NAME}} * (i - 1) + j] end
local function lk(i) return key(i, 1) end
local function qk(i) return key(i, 2) end
local function wk(i) return key(i, 3) end
local function gk(i) return key(i, 4) end
local function rk(i) return key(i, 5) end
-- The first waiter whose heartbeat is recent; dead ones are dropped on the way.
local function live_head(i)
  local q, w = qk(i), wk(i)
  while true do
    local t = redis.call('LINDEX', q, 0)
    if not t then return nil end
    local alive = tonumber(redis.call('HGET', w, t))
    if alive and alive > clock() then return t end
    redis.call('LPOP', q)
    redis.call('HDEL', w, t)
  end
end
-- Hands lock i to waiter t and wakes t alone through its private list.
local function grant(i, t)
  redis.call('LPOP', qk(i))
  redis.call('HDEL', wk(i), t)
  redis.call('SET', lk(i), '=' .. t, 'PX', ARGV[5])
  local g = lk(i) .. ':g:' .. t
  redis.call('RPUSH', g, '1')
  redis.call('PEXPIRE', g, ARGV[5])
end
local function pass_on(i)
  local t = live_head(i)
  if t then grant(i, t) else redis.call('DEL', lk(i)) end
end
