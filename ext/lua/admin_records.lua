--[[
  What an operator sees of a page of idempotency records (PayLock\Admin::records()).
  Input:
    KEYS[i]  p:idem:[scope:]{key}   a record
  Output:
    {server ms, then per record: type, state, attempt, lease end, done time, result length}
    (a key that is not a hash reads as type with false fields)
  Read only. The keys of one page may lie in different cluster slots: run it on a single server.
]]
--#include lib/now.lua
local out = {now}
for i = 1, #KEYS do
  local ty = redis.call('TYPE', KEYS[i]).ok
  out[#out + 1] = ty
  if ty == 'hash' then
    local r = redis.call('HMGET', KEYS[i], 's', 'n', 'e', 't')
    out[#out + 1] = r[1] or false
    out[#out + 1] = r[2] or false
    out[#out + 1] = r[3] or false
    out[#out + 1] = r[4] or false
    out[#out + 1] = redis.call('HSTRLEN', KEYS[i], 'v')
  else
    for _ = 1, 5 do out[#out + 1] = false end
  end
end
return out
