--[[
  Force-release (PayLock\Admin::forceRelease()): frees the lock whoever holds it and hands it to the
  first live waiter, as its holder's release would. The holder's own release() and isAcquired() then
  find a value that is not theirs and report the lock lost.
  Input:
    KEYS[1..6]  p:{name}, p:{name}:q, p:{name}:w, p:{name}:g:<token>, p:{name}:r:<token>, p:{name}:g:<head>
                (lib/queue.lua; the token is a fresh one of the caller: its wake-up list and tombstone stay
                unused; the head's wake-up list is p:{name}:g: until the script names the head)
    ARGV[1..4]  unused
    ARGV[5]     GRANT_MS
  Output:
    {value, PTTL} the holder's value that was released; false when nobody held it (free, or being handed
    to a waiter, "=<token>"); {-1, 1, head}: nothing done, run again with p:{name}:g:<head> as KEYS[6]
]]
--#include lib/queue.lua
local v = redis.call('GET', lk(1))
if not v or string.byte(v, 1) == 61 then return false end
local missing = heads({1})
if missing then return missing end
local ttl = redis.call('PTTL', lk(1))
pass_on(1)
return {v, ttl}
