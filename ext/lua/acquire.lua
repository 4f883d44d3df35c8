--[[
  Takes every named lock or none (RedisStore acquire of one or more names).
  Input:
    KEYS[5i-4]  p:{name_i}             lock
    KEYS[5i-3]  p:{name_i}:q           queue of waiting tokens
    KEYS[5i-2]  p:{name_i}:w           waiting token -> alive-until (server ms)
    KEYS[5i-1]  p:{name_i}:g:<token>   this caller's wake-up list (deleted once the lock is taken)
    KEYS[5i]    p:{name_i}:r:<token>   this caller's release tombstone (unused here)
    ARGV[1]     "<token>:<pid>:<ms>:<host>", the lock value
    ARGV[2]     ttl ms
    ARGV[3]     mode: 0 try, 1 queue (join the first busy name's queue), 2 leave (last try, leave queues)
    ARGV[4]     ms this waiter counts as alive
    ARGV[5]     GRANT_MS
  Output:
    {1}                          all names taken (names already ours are renewed)
    {0, i, PTTL of name i}       name i is the first busy one (its queue joined in mode 1)
  A free name whose live queue head is someone else is handed to that head, not taken. Grants we got on
  other names are passed on.
]]
--#include lib/queue.lua
local n = names()
local mine, me = ARGV[1], string.sub(ARGV[1], 1, {{TOKEN_HEX}})
local vals, busy = {}, 0
for i = 1, n do
  local v = redis.call('GET', lk(i))
  vals[i] = v or false
  if not v then
    local t = live_head(i)
    if t and t ~= me then grant(i, t); busy = i; break end
  elseif v ~= '=' .. me and string.sub(v, 1, {{TOKEN_HEX}}) ~= me then
    busy = i; break
  end
end
if busy == 0 then
  for i = 1, n do
    local v = vals[i]
    if redis.call('HDEL', wk(i), me) == 1 then redis.call('LREM', qk(i), 1, me) end
    if v and string.sub(v, 1, {{TOKEN_HEX}}) == me then
      redis.call('PEXPIRE', lk(i), ARGV[2])
    else
      local mark = redis.call('EXISTS', qk(i)) == 1 and '+' or ''
      redis.call('SET', lk(i), mine .. mark, 'PX', ARGV[2])
      if v then redis.call('DEL', gk(i)) end
    end
  end
  return {1}
end
for j = 1, n do
  if j ~= busy then
    local v = vals[j]
    if v == nil then v = redis.call('GET', lk(j)) end
    if v == '=' .. me then pass_on(j) end
    if redis.call('HDEL', wk(j), me) == 1 then redis.call('LREM', qk(j), 1, me) end
  end
end
local q, w = qk(busy), wk(busy)
if ARGV[3] == '1' then
  local v = vals[busy]
  if v and string.byte(v, 1) ~= 61 and string.byte(v, -1) ~= 43 then redis.call('APPEND', lk(busy), '+') end
  if redis.call('HSET', w, me, clock() + tonumber(ARGV[4])) == 1 then redis.call('RPUSH', q, me) end
  redis.call('PEXPIRE', q, {{QUEUE_IDLE_MS}})
  redis.call('PEXPIRE', w, {{QUEUE_IDLE_MS}})
elseif redis.call('HDEL', w, me) == 1 then
  redis.call('LREM', q, 1, me)
end
return {0, busy, redis.call('PTTL', lk(busy))}
