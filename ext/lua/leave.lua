--[[
  Undoes whatever an acquire by this token may have done: its place in every queue, a grant to it (passed
  on), a hold (released to the next waiter), its wake-up list.
  Input:
    KEYS[5i-4]  p:{name_i}             lock
    KEYS[5i-3]  p:{name_i}:q           queue
    KEYS[5i-2]  p:{name_i}:w           waiters
    KEYS[5i-1]  p:{name_i}:g:<token>   this caller's wake-up list
    KEYS[5i]    p:{name_i}:r:<token>   this caller's release tombstone (unused here)
    ARGV[1]     token
    ARGV[2..4]  unused
    ARGV[5]     GRANT_MS
  Output:
    1
]]
--#include lib/queue.lua
local me = ARGV[1]
for i = 1, names() do
  if redis.call('HDEL', wk(i), me) == 1 then redis.call('LREM', qk(i), 1, me) end
  local v = redis.call('GET', lk(i))
  if v and (string.sub(v, 1, {{TOKEN_HEX}}) == me or v == '=' .. me) then pass_on(i) end
  redis.call('DEL', gk(i))
end
return 1
