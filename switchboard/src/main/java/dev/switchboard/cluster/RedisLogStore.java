package dev.switchboard.cluster;

import dev.switchboard.config.RoomPolicy;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Rooms' logs in Redis, shared by every node. Keys, under the prefix (default {@code switchboard}), a room's keys
 * sharing a hash tag: {@code prefix:{room}:meta} hash ({@code epoch}, {@code offset} of the latest publication) and
 * {@code prefix:{room}:log} stream (one entry per publication, id {@code <offset>-1}, field {@code p} = payload,
 * trimmed to the room's history size, expiring after the history's age when nothing is published). Appending and
 * resetting are Lua scripts ({@code append.lua}, {@code reset.lua}), so Redis assigns offsets atomically and
 * announces them on the room's channel in offset order: {@code P room epoch offset payload}, {@code R room epoch offset}.
 * On Redis Cluster a room's meta remembers its master's replication id; a master that failed over (whose last
 * acknowledged appends may not have reached the replica now serving) makes the room start a new epoch
 * ({@code guard.lua}), so that members are told of a possible gap, never left with one silently.
 */
public final class RedisLogStore implements LogStore {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Redis redis;
    private final String prefix;

    public RedisLogStore(Redis redis) {
        this.redis = redis;
        this.prefix = redis.config().prefix();
    }

    @Override
    public Position append(String room, RoomPolicy policy, String payload) throws StoreUnavailable {
        long ttl = Math.max(1, policy.historyTtl().toSeconds());
        List<Object> result = redis.eval(RedisScript.APPEND, ScriptOutputType.MULTI, new String[] {meta(room), log(room)},
                newEpoch(), Integer.toString(policy.historySize()), payload,
                Long.toString(Math.max(ttl, redis.config().metaTtl().toSeconds())), Long.toString(ttl), redis.roomChannel(room), room, redis.publishCommand(), redis.guard());
        return new Position((String) result.get(0), (Long) result.get(1));
    }

    @Override
    public Appended appendOnce(String room, RoomPolicy policy, String payload, String key, long windowMillis)
            throws StoreUnavailable {
        long ttl = Math.max(1, policy.historyTtl().toSeconds());
        List<Object> result = redis.eval(RedisScript.APPEND, ScriptOutputType.MULTI,
                new String[] {meta(room), log(room), prefix + ":{" + room + "}:key:" + key},
                newEpoch(), Integer.toString(policy.historySize()), payload,
                Long.toString(Math.max(ttl, redis.config().metaTtl().toSeconds())), Long.toString(ttl), redis.roomChannel(room), room,
                redis.publishCommand(), redis.guard(), Long.toString(Math.max(1, windowMillis)));
        return new Appended(new Position((String) result.get(0), (Long) result.get(1)), (Long) result.get(2) == 1L);
    }

    @Override
    public Position position(String room) throws StoreUnavailable {
        List<Object> result = redis.eval(RedisScript.POSITION, ScriptOutputType.MULTI, new String[] {meta(room), log(room)},
                newEpoch(), Long.toString(redis.config().metaTtl().toSeconds()), redis.guard());
        return new Position((String) result.get(0), (Long) result.get(1));
    }

    @Override
    public Optional<List<Entry>> range(String room, RoomPolicy policy, long after, long upTo) throws StoreUnavailable {
        if (upTo <= after) {
            return Optional.of(List.of());
        }
        List<StreamMessage<String, String>> found = redis.call(log(room), c -> c.xrange(log(room),
                Range.create((after + 1) + "-1", upTo + "-1")));
        if (found.size() != upTo - after) {
            return Optional.empty(); // trimmed, expired or lost: not all of it is held
        }
        List<Entry> entries = new ArrayList<>(found.size());
        long expected = after + 1;
        for (StreamMessage<String, String> m : found) {
            long offset = Long.parseLong(m.getId().substring(0, m.getId().indexOf('-')));
            if (offset != expected++) {
                return Optional.empty();
            }
            entries.add(new Entry(offset, m.getBody().get("p")));
        }
        return Optional.of(entries);
    }

    @Override
    public List<Entry> page(String room, long after, long upTo, int limit, boolean newestFirst) throws StoreUnavailable {
        if (upTo <= after || limit <= 0) {
            return List.of();
        }
        Range<String> offsets = Range.create((after + 1) + "-1", upTo + "-1");
        List<StreamMessage<String, String>> found = redis.call(log(room), c -> newestFirst
                ? c.xrevrange(log(room), offsets, Limit.from(limit)) : c.xrange(log(room), offsets, Limit.from(limit)));
        List<Entry> entries = new ArrayList<>(found.size());
        for (StreamMessage<String, String> m : found) {
            entries.add(new Entry(Long.parseLong(m.getId().substring(0, m.getId().indexOf('-'))), m.getBody().get("p")));
        }
        return entries;
    }

    @Override
    public Position reset(String room) throws StoreUnavailable {
        List<Object> result = redis.eval(RedisScript.RESET, ScriptOutputType.MULTI, new String[] {meta(room), log(room)},
                newEpoch(), Long.toString(redis.config().metaTtl().toSeconds()), redis.roomChannel(room), room,
                redis.publishCommand(), redis.guard());
        return new Position((String) result.get(0), (Long) result.get(1));
    }

    private String meta(String room) {
        return prefix + ":{" + room + "}:meta";
    }

    private String log(String room) {
        return prefix + ":{" + room + "}:log";
    }

    private static String newEpoch() {
        return Long.toString((RANDOM.nextLong() & Long.MAX_VALUE) | (1L << 62), 36).substring(0, 8);
    }
}
