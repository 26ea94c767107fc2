-- Withdraws a (dead or leaving) node's members from one room; the nodes that have the room are told. Returns the
-- users removed. KEYS: presence. ARGV: node, channel, room, publish command (PUBLISH or SPUBLISH)
local mine = ARGV[1] .. '|'
local members = {}
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(f, 1, #mine) == mine then
    redis.call('HDEL', KEYS[1], f)
    members[#members + 1] = string.sub(f, #mine + 1)
  end
end
redis.call(ARGV[4], ARGV[2], 'C ' .. ARGV[3])
return members
