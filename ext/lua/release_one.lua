--[[
  Releases one named lock nobody waits for (its value has no '+'): the uncontended release, with two
  keys and two arguments. A lock somebody queued for is left to the release script, which hands it on.
  Input:
    KEYS[1]  p:{name}             lock
    KEYS[2]  p:{name}:r:<token>   this caller's release tombstone
    ARGV[1]  token
    ARGV[2]  tombstone life ms
  Output:
    1 released (or released by this token before); 0 not ours; -1 waiters queued: use the release script
]]
local v = redis.call('GET', KEYS[1])
if not v or string.sub(v, 1, {{TOKEN_HEX}}) ~= ARGV[1] then return redis.call('EXISTS', KEYS[2]) end
if string.byte(v, -1) == 43 then return -1 end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return 1
