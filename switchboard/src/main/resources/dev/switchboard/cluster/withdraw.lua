-- Withdraws a (dead or leaving) node's members and users; keys are built here. The call that removes the node from
-- the live set also leaves, for one survivor to take (heartbeat.lua), what it held: {node, users, rooms: room -> users}.
-- ARGV: prefix, node, channel (the nodes' own; each room's change goes to the room's channel)
local p, node = ARGV[1], ARGV[2]
local mine = node .. '|'
local removed = redis.call('ZREM', p .. ':nodes', node)
local rooms = redis.call('SMEMBERS', p .. ':node:' .. node .. ':rooms')
local held = {}
for _, room in ipairs(rooms) do
  local key = p .. ':{' .. room .. '}:presence'
  local members = {}
  for _, f in ipairs(redis.call('HKEYS', key)) do
    if string.sub(f, 1, #mine) == mine then
      redis.call('HDEL', key, f)
      members[#members + 1] = string.sub(f, #mine + 1)
    end
  end
  if #members > 0 then held[room] = members end
  redis.call('PUBLISH', p .. ':{' .. room .. '}:events', 'C ' .. room) -- the room's own channel
end
local users = redis.call('SMEMBERS', p .. ':node:' .. node .. ':users')
for _, u in ipairs(users) do
  redis.call('HDEL', p .. ':user:' .. u, node)
end
redis.call('DEL', p .. ':node:' .. node .. ':rooms', p .. ':node:' .. node .. ':users')
if removed == 1 and #users > 0 then
  redis.call('RPUSH', p .. ':lost', cjson.encode({node = node, users = users, rooms = held}))
  redis.call('EXPIRE', p .. ':lost', 86400)
end
return #rooms
