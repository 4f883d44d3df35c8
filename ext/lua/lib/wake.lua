--[[
  wake(q, w): pushes one item per registered waiter (w, capped) onto wake list q, which then lives for
  WAKE_LIST_MS. Waiters BLPOP q, so a finish that happens before a waiter blocks is not lost.
]]
local function wake(q, w)
  w = tonumber(w) or 0
  if w <= 0 then return end
  if w > {{WAKE_MAX}} then w = {{WAKE_MAX}} end
  local batch = {}
  for i = 1, w do
    batch[#batch + 1] = '1'
    if #batch == {{WAKE_BATCH}} then redis.call('RPUSH', q, unpack(batch)); batch = {} end
  end
  if #batch > 0 then redis.call('RPUSH', q, unpack(batch)) end
  redis.call('PEXPIRE', q, '{{WAKE_LIST_MS}}')
end
