--[[
  The woken single-name waiter's lease extension, pipelined right after its BLPOP returned (its reply is
  read at its next command): the release wrote our lock value with a short lease; this makes it the ttl.
  A "=<token>" grant (an older release script) is turned into our hold here too. Nothing else records
  the grant: a waiter that never extends loses it when the short lease ends.
  Input:
    KEYS[1]  p:{name}     lock
    KEYS[2]  p:{name}:q   queue (whether to mark the value '+')
    ARGV[1]  "<token>:<pid>:<ms>:<host>", our lock value
    ARGV[2]  ttl ms
  Output:
    1 ours, the lease is ttl now; 0 not ours (the short lease ended first: the lock is lost)
]]
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local me = string.sub(ARGV[1], 1, {{TOKEN_HEX}})
if string.sub(v, 1, {{TOKEN_HEX}}) == me then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if v ~= '=' .. me then return 0 end
redis.call('SET', KEYS[1], ARGV[1] .. (redis.call('EXISTS', KEYS[2]) == 1 and '+' or ''), 'PX', ARGV[2])
return 1
