-- Appends a publication to a room's log and announces it; offsets are assigned here, atomically, in order.
-- KEYS: meta, log. ARGV: new epoch, max length, payload, meta ttl s, log ttl s, channel, room
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
redis.call('PUBLISH', ARGV[6], 'P ' .. ARGV[7] .. ' ' .. epoch .. ' ' .. offset .. ' ' .. ARGV[3])
return {epoch, offset}
