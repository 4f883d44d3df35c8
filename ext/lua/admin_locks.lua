--[[
  What an operator sees of a page of locks (PayLock\Admin::locks()): each lock's value, lease and queue.
  Input:
    KEYS[3i-2]  p:{name_i}      lock
    KEYS[3i-1]  p:{name_i}:q    queue
    KEYS[3i]    p:{name_i}:w    waiters (unused: the queue length is what is shown)
  Output:
    {value_1 or false, PTTL_1, queue length_1, value_2, ...}; a key that is not a string (another
    program's key that looks like a lock key) reads as false
  Read only. The keys of one page may lie in different cluster slots: run it on a single server.
]]
local out = {}
for i = 1, #KEYS, 3 do
  out[#out + 1] = redis.call('TYPE', KEYS[i]).ok == 'string' and redis.call('GET', KEYS[i])
  out[#out + 1] = redis.call('PTTL', KEYS[i])
  out[#out + 1] = redis.call('LLEN', KEYS[i + 1])
end
return out
