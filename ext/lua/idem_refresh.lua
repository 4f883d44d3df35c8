--[[
  Extends the owner's lease on a running record (writes it back when it vanished).
  Input:
    KEYS[1]  p:key     the record
    KEYS[2]  p:key:w   its wake list (unused here)
    ARGV[1]  owner token
    ARGV[2]  lease ms
    ARGV[3]  retention ms
    ARGV[4]  fingerprint
    ARGV[5]  attempt
  Output:
    1 extended; 0 another owner has it
]]
--#include lib/now.lua
local r = redis.call('HMGET', KEYS[1], 's', 'o')
local ttl = tonumber(ARGV[2]) + tonumber(ARGV[3])
if not r[1] then
  redis.call('HSET', KEYS[1], 's', 'r', 'o', ARGV[1], 'f', ARGV[4], 'n', ARGV[5])
elseif r[1] ~= 'r' or r[2] ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'e', now + tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
