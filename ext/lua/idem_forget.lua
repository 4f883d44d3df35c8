--[[
  Deletes a record and wakes its waiters.
  Input:
    KEYS[1]  p:key     the record
    KEYS[2]  p:key:w   its wake list
    KEYS[3]  p:key:v   a large result published beside the record
    ARGV[1]  '1': also while its lease runs (forced)
  Output:
    1 deleted (or absent); 0 running and not forced
]]
--#include lib/wake.lua
--#include lib/now.lua
local w = 0
if redis.call('TYPE', KEYS[1]).ok == 'hash' then
  local r = redis.call('HMGET', KEYS[1], 's', 'e', 'w')
  if ARGV[1] ~= '1' and r[1] == 'r' and (tonumber(r[2]) or 0) > now then return 0 end
  w = r[3]
end
redis.call('DEL', KEYS[1], KEYS[3])
wake(KEYS[2], w)
return 1
