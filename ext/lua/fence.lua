--[[
  The holder's fencing token, issued on first request as max(counter + 1, Redis TIME in microseconds,
  floor + 1). The time floor keeps tokens growing when the counter is lost (FLUSHALL, a restart without
  persistence, eviction, a failover); a counter idle for its life is behind the clock anyway, so it expires.
  Input:
    KEYS[1]  p:{name}         lock
    KEYS[2]  p:{name}:fence   the name's fence counter
    ARGV[1]  token
    ARGV[2]  the caller's floor
    ARGV[3]  counter life ms
  Output:
    the token; -1 not ours; -2 the counter is damaged; -3 the lock value's fence is damaged;
    -4 the next token would pass FENCE_MAX (2^53 - 1: Lua numbers are doubles)
]]
local v = redis.call('GET', KEYS[1])
if not v or string.sub(v, 1, {{TOKEN_HEX}}) ~= ARGV[1] then return -1 end
local mark = string.byte(v, -1) == 43 and '+' or ''
if mark == '+' then v = string.sub(v, 1, -2) end
local issued = string.match(v, '|([^|:]*)$')
if issued then
  if #issued > 16 or not string.match(issued, '^[1-9]%d*$') then return -3 end
  return tonumber(issued)
end
local c = redis.call('GET', KEYS[2])
local f = 0
if c then
  if #c > 16 or not string.match(c, '^%d+$') then return -2 end
  f = tonumber(c)
end
local t = redis.call('TIME')
local floor = tonumber(ARGV[2])
f = math.max(f, t[1] * 1000000 + t[2] - 1, floor)
if f >= {{FENCE_MAX}} then return -4 end
f = string.format('%d', f + 1)
redis.call('SET', KEYS[2], f, 'PX', ARGV[3])
redis.call('SET', KEYS[1], v .. '|' .. f .. mark, 'KEEPTTL')
return tonumber(f)
