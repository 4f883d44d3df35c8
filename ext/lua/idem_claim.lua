--[[
  Claims an idempotency record (IdempotencyGuard). A claim resent after a broken connection finds its own
  token and answers CLAIMED again.
  Input:
    KEYS[1]  p:key   the record (hash)
    ARGV[1]  owner token
    ARGV[2]  fingerprint or ''
    ARGV[3]  lease ms
    ARGV[4]  retention ms
    ARGV[5]  '1': register as waiter when the record is running
    ARGV[6]  '1': answer CRASHED instead of re-running a crashed record
  Output (n: the attempt number):
    {1, n} claimed   {2, n, result} done   {3, n, lease ms left} running   {4, n} fingerprint mismatch
    {5, n} crashed   {6, n} corrupt        {7, n} outcome unknown          {8, n} result not stored
    {9, n} done, the result is the string p:key:v (a large one, published by idem_publish.lua): the
           client pipelines GET p:key:v after this call
]]
local r = redis.call('HMGET', KEYS[1], 's', 'f', 'n', 'v', 'o', 'e', 'b')
local s, f, n = r[1], r[2], tonumber(r[3]) or 0
if s then
  if s == 'r' and r[5] == ARGV[1] then return {1, n} end
  if s ~= 'a' and ARGV[2] ~= '' and f and f ~= '' and f ~= ARGV[2] then return {4, n} end
  if s == 'd' then
    if r[4] then return {2, n, r[4]} end
    if r[7] then return {9, n} end
    return {6, n}
  end
  if s == 'u' then return {7, n} end
  if s == 'x' then return {8, n} end
end
--#include lib/now.lua
if s == 'r' then
  local left = (tonumber(r[6]) or 0) - now
  if left > 0 then
    if ARGV[5] == '1' then redis.call('HINCRBY', KEYS[1], 'w', '1') end
    return {3, n, left}
  end
  s = 'c'
end
if s == 'c' then
  if ARGV[6] == '1' then return {5, n} end
elseif s and s ~= 'a' then
  return {6, n}
end
n = math.max(n + 1, now_us)
redis.call('HSET', KEYS[1], 's', 'r', 'o', ARGV[1], 'f', ARGV[2], 'e', now + tonumber(ARGV[3]), 'n', string.format('%.0f', n))
redis.call('HDEL', KEYS[1], 'v', 't', 'b')
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) + tonumber(ARGV[4]))
return {1, n}
