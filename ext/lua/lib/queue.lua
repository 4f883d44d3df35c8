--[[
  The FIFO hand-off shared by acquire, release and leave.
  KEYS per lock name i (KEYS_PER_NAME of them): lock KEYS[3i-2], queue KEYS[3i-1], waiters KEYS[3i].
  ARGV[5]: GRANT_MS, how long a hand-off waits for its waiter to claim it.
  Defines: clock() (Redis TIME in ms, read once), lk(i), live_head(i), grant(i, t), pass_on(i).
]]
local now
local function clock()
  if not now then local t = redis.call('TIME'); now = t[1] * 1000 + math.floor(t[2] / 1000) end
  return now
end
local function lk(i) return KEYS[3 * i - 2] end
-- The first waiter whose heartbeat is recent; dead ones are dropped on the way.
local function live_head(i)
  local q, w = KEYS[3 * i - 1], KEYS[3 * i]
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
  redis.call('LPOP', KEYS[3 * i - 1])
  redis.call('HDEL', KEYS[3 * i], t)
  redis.call('SET', lk(i), '=' .. t, 'PX', ARGV[5])
  local g = lk(i) .. ':g:' .. t
  redis.call('RPUSH', g, '1')
  redis.call('PEXPIRE', g, ARGV[5])
end
local function pass_on(i)
  local t = live_head(i)
  if t then grant(i, t) else redis.call('DEL', lk(i)) end
end
