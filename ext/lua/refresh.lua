--[[
  Renews the named locks that are ours.
  Input:
    KEYS[i]  p:{name_i}   lock
    ARGV[1]  token
    ARGV[2]  ttl ms
  Output:
    how many were ours
]]
local ok = 0
for i = 1, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if v and string.sub(v, 1, {{TOKEN_HEX}}) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[i], ARGV[2])
    ok = ok + 1
  end
end
return ok
