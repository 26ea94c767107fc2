-- Withdraws a (dead or leaving) node's members and users; keys are built here.
-- ARGV: prefix, node, channel
local p, node = ARGV[1], ARGV[2]
local mine = node .. '|'
local rooms = redis.call('SMEMBERS', p .. ':node:' .. node .. ':rooms')
for _, room in ipairs(rooms) do
  local key = p .. ':{' .. room .. '}:presence'
  for _, f in ipairs(redis.call('HKEYS', key)) do
    if string.sub(f, 1, #mine) == mine then redis.call('HDEL', key, f) end
  end
  redis.call('PUBLISH', ARGV[3], 'C ' .. room)
end
for _, u in ipairs(redis.call('SMEMBERS', p .. ':node:' .. node .. ':users')) do
  redis.call('HDEL', p .. ':user:' .. u, node)
end
redis.call('DEL', p .. ':node:' .. node .. ':rooms', p .. ':node:' .. node .. ':users')
redis.call('ZREM', p .. ':nodes', node)
return #rooms
