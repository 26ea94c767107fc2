-- A node's heartbeat, on Redis' clock (nodes need not agree on time): returns {added, live nodes, dead nodes, lost}, lost
-- being up to 10 records of nodes gone (NodeWithdrawal) that this node takes, so that each is told to one node only.
-- KEYS: nodes, lost. ARGV: node, timeout ms
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local added = redis.call('ZADD', KEYS[1], now, ARGV[1])
local alive = redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[2]), '+inf')
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[2])))
local lost = redis.call('LPOP', KEYS[2], 10)
return {added, alive, dead, lost or {}}
