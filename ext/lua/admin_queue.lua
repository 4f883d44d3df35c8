--[[
  One lock's queue for PayLock\Admin::queue(): the waiting tokens in order and how long each still
  counts as alive (its heartbeat renews that while it waits).
  Input:
    KEYS[1]  p:{name}:q   queue
    KEYS[2]  p:{name}:w   waiters: token -> alive until (server ms)
    ARGV[1]  at most this many waiters
  Output:
    {server ms, token_1, alive until_1 or false, token_2, ...}
]]
--#include lib/now.lua
local out = {now}
local q = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
for _, t in ipairs(q) do
  out[#out + 1] = t
  out[#out + 1] = redis.call('HGET', KEYS[2], t)
end
return out
