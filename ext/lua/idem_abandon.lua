--[[
  Ends a claim without a result: state 'a' (nothing happened), 'c' (crashed: outcome unknown, may re-run)
  'u' (marked outcome unknown) or 'x' (ran, result not storable), and wakes the waiters.
  Input:
    KEYS[1]  p:key     the record
    KEYS[2]  p:key:w   its wake list
    ARGV[1]  owner token
    ARGV[2]  the new state
    ARGV[3]  retention ms
    ARGV[4]  fingerprint
    ARGV[5]  attempt
  Output:
    1 done (or written back); 0 another owner has it
]]
--#include lib/wake.lua
--#include lib/restore.lua
local r = redis.call('HMGET', KEYS[1], 's', 'o', 'w')
if not r[1] then restore(ARGV[2]); return 1 end
if r[2] ~= ARGV[1] then return 0 end
if r[1] == ARGV[2] then return 1 end
if r[1] ~= 'r' then return 0 end
redis.call('HSET', KEYS[1], 's', ARGV[2])
redis.call('HDEL', KEYS[1], 'e', 'w')
redis.call('PEXPIRE', KEYS[1], ARGV[3])
wake(KEYS[2], r[3])
return 1
