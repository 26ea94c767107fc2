-- Begins the scripts that read a room's meta. With the guard on (Redis Cluster: a master's writes reach its replica
-- after it answered), a room whose meta was last written by the master this one replaced (its replication id is this
-- master's previous one: a failover, so publications the old master acknowledged may be lost) starts a new epoch at
-- its current offset and drops its history: every member is then told of the gap (recovered: false) instead of
-- missing it silently. A meta moved here from another shard (a slot migrated: MIGRATE copies it whole) keeps its epoch.
local function guard(meta, log, epoch, on)
  if on ~= '1' then return end
  local info = redis.call('INFO', 'replication')
  local id = string.match(info, 'master_replid:(%w+)')
  local seen = redis.call('HGET', meta, 'replid')
  if seen == id then return end
  redis.call('HSET', meta, 'replid', id)
  if seen and seen == string.match(info, 'master_replid2:(%w+)') and redis.call('HEXISTS', meta, 'epoch') == 1 then
    redis.call('HSET', meta, 'epoch', epoch)
    redis.call('DEL', log)
  end
end
