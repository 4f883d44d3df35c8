--[[
  The FIFO hand-off shared by acquire, release and leave.
  KEYS: {{KEYS_PER_NAME}} per lock name i, in this order: lock p:{n}, queue p:{n}:q, waiters p:{n}:w, the
  caller's own wake-up list p:{n}:g:<token>, the lock object's release tombstone p:{n}:r:<rid>, and the
  wake-up list p:{n}:g:<head> of the waiter the caller expects at the queue head (p:{n}:g: when unknown).
  ARGV[5]: GRANT_MS, how long a hand-off waits for its waiter to claim it.
  Defines: clock() (Redis TIME in ms, read once), names(), lk/qk/wk/gk/rk/hk(i), live_head(i),
  heads(list), grant(i, t, e, nxt), pass_on(i).
  Every key is in KEYS: a hand-off wakes its waiter through that waiter's list, which only the queue
  knows. So a script first checks with heads() that the list of every waiter it will hand a name to is
  the one declared in hk; if one is not, it changes nothing more and replies {-1, i, head, ...}, and the
  caller runs it again with those lists declared (one more round trip, only when a lock is handed on).
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
local function hk(i) return key(i, 6) end
-- The first waiter whose heartbeat is recent, its entry in the waiters hash ("<alive-until>", or
-- "<alive-until> <its lock value>" for a single-name waiter) and the token queued behind it (false when
-- none); dead ones are dropped on the way. One LRANGE reads the head and the next, which grant() needs.
-- Looked up once per name and call (heads() then pass_on()); grant() forgets it.
local seen = {}
local function live_head(i)
  local q, w = qk(i), wk(i)
  if seen[i] then return seen[i][1], seen[i][2], seen[i][3] end
  while true do
    local two = redis.call('LRANGE', q, '0', '1')
    local t = two[1]
    if not t then seen[i] = {}; return nil end
    local e = redis.call('HGET', w, t)
    local alive = e and tonumber(string.match(e, '^%d+'))
    if alive and alive > clock() then seen[i] = {t, e, two[2] or false}; return t, e, two[2] or false end
    redis.call('LPOP', q)
    redis.call('HDEL', w, t)
  end
end
-- Hands lock i to waiter t (entry e; nxt: the token queued behind it, or false) and wakes t alone through
-- its private list. A single-name waiter gets its own lock value with a short lease (it holds the lock
-- once woken and extends the lease itself; a waiter that never does loses it when the lease ends); a
-- MultiLock waiter gets "=t", which its next acquire call turns into its hold.
local function grant(i, t, e, nxt)
  if hk(i) ~= lk(i) .. ':g:' .. t then error('PayLock: hand-off to a waiter whose list is not in KEYS') end
  local q = qk(i)
  local sp = string.find(e, ' ', 1, true)
  local item = '1'
  seen[i] = nil
  redis.call('LPOP', q)
  redis.call('HDEL', wk(i), t)
  if sp then
    -- the wake-up names the next waiter, so the new holder's release can declare its list at once
    redis.call('SET', lk(i), string.sub(e, sp + 1) .. (nxt and '+' or ''), 'PX', '{{HANDOFF_LEASE_MS}}')
    item = nxt or '-'
  else
    redis.call('SET', lk(i), '=' .. t, 'PX', ARGV[5])
  end
  redis.call('RPUSH', hk(i), item)
  redis.call('PEXPIRE', hk(i), ARGV[5])
end
-- For each name i in list (dead waiters dropped on the way): its live head t, when hk(i) is not t's
-- wake-up list. Nil when every hand-off can go ahead, else the {-1, i, t, ...} reply.
local function heads(list)
  local out = {-1}
  for _, i in ipairs(list) do
    local t = live_head(i)
    if t and hk(i) ~= lk(i) .. ':g:' .. t then
      out[#out + 1] = i
      out[#out + 1] = t
    end
  end
  if #out > 1 then return out end
end
local function pass_on(i)
  local t, e, nxt = live_head(i)
  if t then grant(i, t, e, nxt) else redis.call('DEL', lk(i)) end
end
