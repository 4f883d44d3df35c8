--[[
  restore(state): the owner writes a vanished record back.
  Uses KEYS[1] record; ARGV[1] token, ARGV[3] retention ms, ARGV[4] fingerprint, ARGV[5] attempt.
]]
local function restore(state)
  redis.call('HSET', KEYS[1], 's', state, 'o', ARGV[1], 'f', ARGV[4], 'n', ARGV[5])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
