-- Begins the scripts that read a room's meta. With the guard on (Redis Cluster: a master's writes reach its replica
-- after it answered), a room whose meta was last written under another replication id — its master failed over or
-- restarted, so publications it acknowledged may be lost — starts a new epoch at its current offset and drops its
-- history: every member is then told of the gap (recovered: false) instead of missing it silently.
local function guard(meta, log, epoch, on)
  if on ~= '1' then return end
  local id = string.match(redis.call('INFO', 'replication'), 'master_replid:(%w+)')
  local seen = redis.call('HGET', meta, 'replid')
  if seen == id then return end
  redis.call('HSET', meta, 'replid', id)
  if seen and redis.call('HEXISTS', meta, 'epoch') == 1 then
    redis.call('HSET', meta, 'epoch', epoch)
    redis.call('DEL', log)
  end
end
