--[[
  Publishes a large result written outside Lua (idempotency complete): the client pipelines
  SET p:key:v:<token> <result> PX <retention> and this script in one round trip, so the result's bytes
  never pass through Lua. The owner's staged result becomes the record's result (RENAME: no copy); a
  caller that no longer owns the claim has it discarded.
  Input:
    KEYS[1]  p:key               the record
    KEYS[2]  p:key:w             its wake list
    KEYS[3]  p:key:v:<token>     the staged result
    KEYS[4]  p:key:v             the published result (a string beside the record; field b = 1 says so)
    ARGV[1]  owner token
    ARGV[2]  state 'd' (unused here)
    ARGV[3]  retention ms
    ARGV[4]  fingerprint
    ARGV[5]  attempt
  Output:
    1 published (or written back after the record vanished); 0 another owner has it (staged result gone);
    -1 the staged result is missing (expired before the script ran: send again)
]]
--#include lib/wake.lua
--#include lib/now.lua
--#include lib/restore.lua
local r = redis.call('HMGET', KEYS[1], 's', 'o', 'w')
local function publish()
  if redis.call('EXISTS', KEYS[3]) == 0 then return false end
  redis.call('RENAME', KEYS[3], KEYS[4])
  redis.call('PEXPIRE', KEYS[4], ARGV[3])
  redis.call('HSET', KEYS[1], 's', 'd', 'b', '1', 't', now)
  redis.call('HDEL', KEYS[1], 'v', 'e', 'w')
  return true
end
if not r[1] then
  restore('d')
  if not publish() then redis.call('DEL', KEYS[1]); return -1 end
  return 1
end
if r[2] ~= ARGV[1] or (r[1] ~= 'r' and r[1] ~= 'd') then redis.call('DEL', KEYS[3]); return 0 end
if r[1] == 'd' then redis.call('DEL', KEYS[3]); return 1 end
if not publish() then return -1 end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
wake(KEYS[2], r[3])
return 1
