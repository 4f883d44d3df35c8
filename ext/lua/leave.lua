--[[
  Undoes whatever an acquire by this token may have done: its place in every queue, a grant to it (passed
  on), a hold (released to the next waiter), its wake-up list.
  Input:
    KEYS[3i-2]  p:{name_i}      lock
    KEYS[3i-1]  p:{name_i}:q    queue
    KEYS[3i]    p:{name_i}:w    waiters
    ARGV[1]     token
    ARGV[2..4]  unused
    ARGV[5]     GRANT_MS
  Output:
    1
]]
--#include lib/queue.lua
local me = ARGV[1]
for i = 1, #KEYS / 3 do
  if redis.call('HDEL', KEYS[3 * i], me) == 1 then redis.call('LREM', KEYS[3 * i - 1], 1, me) end
  local v = redis.call('GET', lk(i))
  if v and (string.sub(v, 1, {{TOKEN_HEX}}) == me or v == '=' .. me) then pass_on(i) end
  redis.call('DEL', lk(i) .. ':g:' .. me)
end
return 1
