--[[
  Force-release (PayLock\Admin::forceRelease()): frees the lock whoever holds it and hands it to the
  first live waiter, as its holder's release would. The holder's own release() and isAcquired() then
  find a value that is not theirs and report the lock lost.
  Input:
    KEYS[1..5]  p:{name}, p:{name}:q, p:{name}:w, p:{name}:g:<token>, p:{name}:r:<token> (lib/queue.lua;
                the token is a fresh one of the caller: its wake-up list and tombstone stay unused)
    ARGV[1..4]  unused
    ARGV[5]     GRANT_MS
  Output:
    {value, PTTL} the holder's value that was released; false when nobody held it (free, or being handed
    to a waiter, "=<token>")
]]
--#include lib/queue.lua
local v = redis.call('GET', lk(1))
if not v or string.byte(v, 1) == 61 then return false end
local ttl = redis.call('PTTL', lk(1))
pass_on(1)
return {v, ttl}
