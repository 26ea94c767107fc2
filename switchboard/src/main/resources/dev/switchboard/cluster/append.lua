-- Appends a publication to a room's log and announces it; offsets are assigned here, atomically, in order.
-- KEYS: meta, log[, idempotency key]. ARGV: new epoch, max length, payload, meta ttl s, log ttl s, channel, room,
-- publish command (PUBLISH or SPUBLISH), guard (guard.lua)[, key window ms]. With an idempotency key already set
-- (within its window), nothing is appended or announced and the first append's epoch and offset are returned with 1
-- as the third element; otherwise 0.
if KEYS[3] then
  local first = redis.call('GET', KEYS[3])
  if first then
    local space = string.find(first, ' ', 1, true)
    return {string.sub(first, 1, space - 1), tonumber(string.sub(first, space + 1)), 1}
  end
end
guard(KEYS[1], KEYS[2], ARGV[1], ARGV[9])
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'offset', 0)
end
local offset = redis.call('HINCRBY', KEYS[1], 'offset', 1)
if tonumber(ARGV[2]) > 0 then
  redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], offset .. '-1', 'p', ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[5])
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call(ARGV[8], ARGV[6], 'P ' .. ARGV[7] .. ' ' .. epoch .. ' ' .. offset .. ' ' .. ARGV[3])
if KEYS[3] then
  redis.call('SET', KEYS[3], epoch .. ' ' .. offset, 'PX', ARGV[10])
end
return {epoch, offset, 0}
