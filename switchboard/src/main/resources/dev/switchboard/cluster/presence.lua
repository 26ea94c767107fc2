-- A user's connections in a room on one node; the nodes that have the room are told that its presence changed.
-- KEYS: presence. ARGV: field (node|user), count, channel, room, publish command (PUBLISH or SPUBLISH)
if tonumber(ARGV[2]) > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
redis.call(ARGV[5], ARGV[3], 'C ' .. ARGV[4])
return 1
