--[[
  A lock's value and PTTL in one round trip.
  Input:
    KEYS[1]  p:{name}   lock
  Output:
    {value or nil, PTTL}
]]
return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}
