--[[
  Stores the result of a claimed record and wakes its waiters.
  Input:
    KEYS[1]  p:key     the record
    KEYS[2]  p:key:w   its wake list
    ARGV[1]  owner token
    ARGV[2]  state 'd' (unused here)
    ARGV[3]  retention ms
    ARGV[4]  fingerprint
    ARGV[5]  attempt
    ARGV[6]  the encoded result
  Output:
    1 stored (or written back after the record vanished); 0 another owner has it
]]
--#include lib/wake.lua
--#include lib/now.lua
--#include lib/restore.lua
local r = redis.call('HMGET', KEYS[1], 's', 'o', 'w')
if not r[1] then
  restore('d')
  redis.call('HSET', KEYS[1], 'v', ARGV[6], 't', now)
  return 1
end
if r[2] ~= ARGV[1] then return 0 end
if r[1] == 'd' then return 1 end
if r[1] ~= 'r' then return 0 end
redis.call('HSET', KEYS[1], 's', 'd', 'v', ARGV[6], 't', now)
redis.call('HDEL', KEYS[1], 'e', 'w')
redis.call('PEXPIRE', KEYS[1], ARGV[3])
wake(KEYS[2], r[3])
return 1
