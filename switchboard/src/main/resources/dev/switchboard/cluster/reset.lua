-- A new epoch at the current offset; the history is discarded and every node told.
-- KEYS: meta, log. ARGV: new epoch, meta ttl s, channel, room, publish command (PUBLISH or SPUBLISH), guard
guard(KEYS[1], KEYS[2], ARGV[1], ARGV[6])
local offset = tonumber(redis.call('HGET', KEYS[1], 'offset') or '0')
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'epoch', ARGV[1], 'offset', offset)
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call(ARGV[5], ARGV[3], 'R ' .. ARGV[4] .. ' ' .. ARGV[1] .. ' ' .. offset)
return {ARGV[1], offset}
