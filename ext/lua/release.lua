--[[
  Releases the named locks that are ours, each handed to its first live waiter, and leaves a tombstone
  per name (the released token, under a key named by the lock object's rid) so the same release sent
  again (its reply lost) still reads as ours.
  Input:
    KEYS[6i-5]  p:{name_i}             lock
    KEYS[6i-4]  p:{name_i}:q           queue
    KEYS[6i-3]  p:{name_i}:w           waiters
    KEYS[6i-2]  p:{name_i}:g:<token>   this caller's wake-up list (unused here)
    KEYS[6i-1]  p:{name_i}:r:<rid>     this lock object's release tombstone: the token it last released
    KEYS[6i]    p:{name_i}:g:<head>    the wake-up list of the waiter expected at the queue head, or p:{name_i}:g:
    ARGV[1]     token
    ARGV[2]     tombstone life ms
    ARGV[3..4]  unused
    ARGV[5]     GRANT_MS
  Output:
    how many names were ours, counting names this token released before;
    {-1, i, head, ...}: nothing released, run again with p:{name_i}:g:<head> as KEYS[6i]
  A single name nobody waits for takes the short way.
]]
--#include lib/queue.lua
local function gone(i) redis.call('SET', rk(i), ARGV[1], 'PX', ARGV[2]) end
local function was_ours(i) return redis.call('GET', rk(i)) == ARGV[1] and 1 or 0 end
local n = names()
local ours, mine = {}, {}
for i = 1, n do
  local v = redis.call('GET', lk(i))
  if v and string.sub(v, 1, {{TOKEN_HEX}}) == ARGV[1] then
    if n == 1 and string.byte(v, -1) ~= 43 then redis.call('DEL', lk(1)); gone(1); return 1 end
    ours[#ours + 1] = i
    mine[i] = true
  end
end
if n == 1 and not mine[1] then return was_ours(1) end
local missing = heads(ours)
if missing then return missing end
local released = 0
for i = 1, n do
  if mine[i] then
    pass_on(i)
    gone(i)
    released = released + 1
  else
    released = released + was_ours(i)
  end
end
return released
