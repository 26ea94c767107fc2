-- Where a room's log stands; a room the store does not know starts a new epoch at offset 0.
-- KEYS: meta, log. ARGV: new epoch, meta ttl s, guard (guard.lua)
guard(KEYS[1], KEYS[2], ARGV[1], ARGV[3])
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'offset', 0)
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return {epoch, tonumber(redis.call('HGET', KEYS[1], 'offset'))}
