--[[
  Releases one named lock nobody waits for (its value has no '+'): the uncontended release, with three
  keys (the queue is read only when somebody queued) and two arguments. A lock somebody queued for is
  left to the release script, which hands it on.
  Input:
    KEYS[1]  p:{name}             lock
    KEYS[2]  p:{name}:r:<rid>     this lock object's release tombstone: the token it last released
    KEYS[3]  p:{name}:q           queue
    ARGV[1]  token
    ARGV[2]  tombstone life ms
  Output:
    1 released (or released by this token before); 0 not ours;
    waiters queued, nothing done: the first queued token (to declare its wake-up list to the release
    script), or -1 when the queue is gone
]]
local v = redis.call('GET', KEYS[1])
if not v or string.sub(v, 1, {{TOKEN_HEX}}) ~= ARGV[1] then return redis.call('GET', KEYS[2]) == ARGV[1] and 1 or 0 end
if string.byte(v, -1) == 43 then return redis.call('LINDEX', KEYS[3], '0') or -1 end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2]) -- one key per lock object: overwritten, not created
return 1
