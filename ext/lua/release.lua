--[[
  Releases the named locks that are ours, each handed to its first live waiter, and leaves a tombstone
  per name so the same release sent again (its reply lost) still reads as ours.
  Input:
    KEYS[3i-2]  p:{name_i}      lock
    KEYS[3i-1]  p:{name_i}:q    queue
    KEYS[3i]    p:{name_i}:w    waiters
    ARGV[1]     token
    ARGV[2]     tombstone life ms
    ARGV[3..4]  unused
    ARGV[5]     GRANT_MS
  Output:
    how many names were ours, counting names this token released before
  A single name nobody waits for takes the short way.
]]
local function gone(k) redis.call('SET', k .. ':r:' .. ARGV[1], '1', 'PX', ARGV[2]) end
local function before(k) return redis.call('EXISTS', k .. ':r:' .. ARGV[1]) end
if #KEYS == 3 then
  local v = redis.call('GET', KEYS[1])
  if not v or string.sub(v, 1, {{TOKEN_HEX}}) ~= ARGV[1] then return before(KEYS[1]) end
  if string.byte(v, -1) ~= 43 then redis.call('DEL', KEYS[1]); gone(KEYS[1]); return 1 end
end
--#include lib/queue.lua
local released = 0
for i = 1, #KEYS / 3 do
  local v = redis.call('GET', lk(i))
  if v and string.sub(v, 1, {{TOKEN_HEX}}) == ARGV[1] then
    pass_on(i)
    gone(lk(i))
    released = released + 1
  else
    released = released + before(lk(i))
  end
end
return released
