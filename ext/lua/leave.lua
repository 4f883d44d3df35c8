--[[
  Undoes whatever an acquire by this token may have done: its place in every queue, a grant to it (passed
  on), a hold (released to the next waiter), its wake-up list.
  Input:
    KEYS[6i-5]  p:{name_i}             lock
    KEYS[6i-4]  p:{name_i}:q           queue
    KEYS[6i-3]  p:{name_i}:w           waiters
    KEYS[6i-2]  p:{name_i}:g:<token>   this caller's wake-up list
    KEYS[6i-1]  p:{name_i}:r:<rid>     this lock object's release tombstone (unused here)
    KEYS[6i]    p:{name_i}:g:<head>    the wake-up list of the waiter expected at the queue head, or p:{name_i}:g:
    ARGV[1]     token
    ARGV[2..4]  unused
    ARGV[5]     GRANT_MS
  Output:
    1; or {-1, i, head, ...}: queues left, nothing handed on, run again with p:{name_i}:g:<head> as KEYS[6i]
]]
--#include lib/queue.lua
local me = ARGV[1]
local held = {}
for i = 1, names() do
  if redis.call('HDEL', wk(i), me) == 1 then redis.call('LREM', qk(i), '1', me) end
  local v = redis.call('GET', lk(i))
  if v and (string.sub(v, 1, {{TOKEN_HEX}}) == me or v == '=' .. me) then held[#held + 1] = i end
end
local missing = heads(held)
if missing then return missing end
for _, i in ipairs(held) do pass_on(i) end
for i = 1, names() do redis.call('DEL', gk(i)) end
return 1
