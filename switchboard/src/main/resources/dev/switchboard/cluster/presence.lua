-- A user's connections in a room on one node; every node is told that the room's presence changed.
-- KEYS: presence, node rooms. ARGV: field (node|user), count, channel, room
if tonumber(ARGV[2]) > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('SADD', KEYS[2], ARGV[4])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
redis.call('PUBLISH', ARGV[3], 'C ' .. ARGV[4])
return 1
