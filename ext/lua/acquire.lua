--[[
  Takes every named lock or none (RedisStore acquire of one or more names).
  Input:
    KEYS[6i-5]  p:{name_i}             lock
    KEYS[6i-4]  p:{name_i}:q           queue of waiting tokens
    KEYS[6i-3]  p:{name_i}:w           waiting token -> alive-until (server ms)
    KEYS[6i-2]  p:{name_i}:g:<token>   this caller's wake-up list (deleted once the lock is taken)
    KEYS[6i-1]  p:{name_i}:r:<rid>     this lock object's release tombstone (unused here)
    KEYS[6i]    p:{name_i}:g:<head>    the wake-up list of the waiter expected at the queue head, or p:{name_i}:g:
    ARGV[1]     "<token>:<pid>:<ms>:<host>", the lock value
    ARGV[2]     ttl ms
    ARGV[3]     mode: 0 try, 1 queue (join the first busy name's queue), 2 leave (last try, leave queues),
                3 queue as one slot group of a cross-slot MultiLock (as 1, but a grant is always "=<token>":
                the waiter must take its other groups before it holds anything)
    ARGV[4]     ms this waiter counts as alive (a single-name waiter leaves its lock value with it, which
                a release then writes with a short lease: it holds the lock when woken)
    ARGV[5]     GRANT_MS
  Output:
    {1}                          all names taken (names already ours are renewed)
    {1, 1}                       the same, and a release had handed us a name whose wake-up we had not
                                 popped (woken between two BLPOPs: still a hand-off, counted as one)
    {0, i, PTTL of name i}       name i is the first busy one (its queue joined in mode 1)
    {-1, i, head, ...}           nothing taken or joined: run again with p:{name_i}:g:<head> as KEYS[6i]
  A free name whose live queue head is someone else is handed to that head, not taken. Grants we got on
  other names are passed on.
]]
--#include lib/queue.lua
local n = names()
local mine, me = ARGV[1], string.sub(ARGV[1], 1, {{TOKEN_HEX}})
local vals, busy, to, toe, tonx = {}, 0, nil, nil, nil
for i = 1, n do
  local v = redis.call('GET', lk(i))
  vals[i] = v or false
  if not v then
    local t, e, nx = live_head(i)
    if t and t ~= me then to = t; toe = e; tonx = nx; busy = i; break end
  elseif v ~= '=' .. me and string.sub(v, 1, {{TOKEN_HEX}}) ~= me then
    busy = i; break
  end
end
if busy == 0 then
  local handed = 0
  for i = 1, n do
    local v = vals[i]
    local ours = v and string.sub(v, 1, {{TOKEN_HEX}}) == me
    -- a grant took us out of the queue already
    if not ours and v ~= '=' .. me and redis.call('HDEL', wk(i), me) == 1 then redis.call('LREM', qk(i), '1', me) end
    if ours then
      redis.call('PEXPIRE', lk(i), ARGV[2])
      -- handed to us: a wake-up we did not pop (a one-trip grant: the lease is ours now)
      handed = handed + redis.call('DEL', gk(i))
    else
      local mark = redis.call('EXISTS', qk(i)) == 1 and '+' or ''
      redis.call('SET', lk(i), mine .. mark, 'PX', ARGV[2])
      if v then handed = handed + redis.call('DEL', gk(i)) end
    end
  end
  if handed > 0 then return {1, 1} end
  return {1}
end
local handoffs = {}
if to then handoffs[1] = busy end
for j = 1, n do
  if j ~= busy then
    if vals[j] == nil then vals[j] = redis.call('GET', lk(j)) end
    if vals[j] == '=' .. me then handoffs[#handoffs + 1] = j end
  end
end
local missing = heads(handoffs)
if missing then return missing end
if to then grant(busy, to, toe, tonx) end
for j = 1, n do
  if j ~= busy then
    if vals[j] == '=' .. me then pass_on(j) end
    if redis.call('HDEL', wk(j), me) == 1 then redis.call('LREM', qk(j), '1', me) end
  end
end
local q, w = qk(busy), wk(busy)
if ARGV[3] == '1' or ARGV[3] == '3' then
  -- a grant just made marks the value only if someone queued behind its waiter: we are about to
  local v = to and redis.call('GET', lk(busy)) or vals[busy]
  if v and string.byte(v, 1) ~= 61 and string.byte(v, -1) ~= 43 then redis.call('APPEND', lk(busy), '+') end
  local alive = clock() + tonumber(ARGV[4])
  if n == 1 and ARGV[3] == '1' then alive = alive .. ' ' .. mine end -- a single name: one trip (grant())
  if redis.call('HSET', w, me, alive) == 1 then
    -- queued anew: a wake-up left from a grant we lost before taking it (forceRelease) is no grant now
    redis.call('DEL', gk(busy))
    redis.call('RPUSH', q, me)
  end
  redis.call('PEXPIRE', q, '{{QUEUE_IDLE_MS}}')
  redis.call('PEXPIRE', w, '{{QUEUE_IDLE_MS}}')
elseif redis.call('HDEL', w, me) == 1 then
  redis.call('LREM', q, '1', me)
end
return {0, busy, redis.call('PTTL', lk(busy))}
