package dev.switchboard.cluster;

import dev.switchboard.config.RoomPolicy;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/**
 * A {@link LogStore} in this process: rooms' logs bounded by their policy's history size and age, and every append
 * announced to the subscribed nodes, each on its own executor in append order (a single thread keeps the order, as
 * Redis pub/sub does). Several engines in one process share rooms through it (embedding, and the engine's cluster
 * tests); a node of a real deployment shares through {@link RedisLogStore}. Thread-safe.
 */
public final class MemoryLogStore implements LogStore {

    private static final SecureRandom RANDOM = new SecureRandom();

    private record Held(long offset, long timestampMillis, String payload) {
    }

    private static final class Log {
        String epoch = newEpoch();
        long offset;
        final ArrayDeque<Held> entries = new ArrayDeque<>();
    }

    private record Subscriber(Cluster.Listener listener, Executor inbox) {
    }

    private final Map<String, Log> logs = new HashMap<>();
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();

    /** {@code listener} hears every append and reset, on {@code inbox}, in order. */
    public void subscribe(Cluster.Listener listener, Executor inbox) {
        subscribers.add(new Subscriber(listener, inbox));
    }

    public void unsubscribe(Cluster.Listener listener) {
        subscribers.removeIf(s -> s.listener() == listener);
    }

    private record Key(String room, String key) {
    }

    private record Landed(Position position, long expiresMillis) {
    }

    private final java.util.Map<Key, Landed> keys = new java.util.LinkedHashMap<>();

    @Override
    public synchronized Appended appendOnce(String room, RoomPolicy policy, String payload, String key, long windowMillis) {
        long now = System.currentTimeMillis();
        keys.values().removeIf(l -> l.expiresMillis() <= now);
        Landed first = keys.get(new Key(room, key));
        if (first != null) {
            return new Appended(first.position(), true);
        }
        Position at = append(room, policy, payload);
        keys.put(new Key(room, key), new Landed(at, now + windowMillis));
        return new Appended(at, false);
    }

    @Override
    public synchronized Position append(String room, RoomPolicy policy, String payload) {
        Log log = logs.computeIfAbsent(room, r -> new Log());
        long offset = ++log.offset;
        long now = System.currentTimeMillis();
        if (policy.historySize() > 0) {
            log.entries.addLast(new Held(offset, now, payload));
            while (log.entries.size() > policy.historySize()) {
                log.entries.removeFirst();
            }
        }
        String epoch = log.epoch;
        for (Subscriber s : subscribers) { // under the lock: announced in offset order
            s.inbox().execute(() -> s.listener().publication(room, epoch, offset, payload));
        }
        return new Position(epoch, offset);
    }

    @Override
    public synchronized Position position(String room) {
        Log log = logs.computeIfAbsent(room, r -> new Log());
        return new Position(log.epoch, log.offset);
    }

    @Override
    public synchronized Optional<List<Entry>> range(String room, RoomPolicy policy, long after, long upTo) {
        if (upTo <= after) {
            return Optional.of(List.of());
        }
        Log log = logs.get(room);
        if (log == null || upTo > log.offset) {
            return Optional.empty();
        }
        long oldest = System.currentTimeMillis() - policy.historyTtl().toMillis();
        List<Entry> found = new ArrayList<>((int) (upTo - after));
        for (Held h : log.entries) {
            if (h.offset() > after && h.offset() <= upTo) {
                if (h.timestampMillis() < oldest) {
                    return Optional.empty();
                }
                found.add(new Entry(h.offset(), h.payload()));
            }
        }
        return found.size() == upTo - after ? Optional.of(found) : Optional.empty();
    }

    @Override
    public synchronized List<Entry> page(String room, long after, long upTo, int limit, boolean newestFirst) {
        Log log = logs.get(room);
        List<Entry> found = new ArrayList<>();
        if (log == null) {
            return found;
        }
        var order = newestFirst ? log.entries.descendingIterator() : log.entries.iterator();
        while (order.hasNext() && found.size() < limit) {
            Held h = order.next();
            if (h.offset() > after && h.offset() <= upTo) {
                found.add(new Entry(h.offset(), h.payload()));
            }
        }
        return found;
    }

    @Override
    public synchronized Position reset(String room) {
        Log log = logs.computeIfAbsent(room, r -> new Log());
        log.epoch = newEpoch();
        log.entries.clear();
        String epoch = log.epoch;
        long offset = log.offset;
        for (Subscriber s : subscribers) {
            s.inbox().execute(() -> s.listener().reset(room, epoch, offset));
        }
        return new Position(epoch, offset);
    }

    /** Forgets every room, as a Redis restarted without persistence does (for tests of lost logs). */
    public synchronized void forgetAll() {
        logs.clear();
    }

    private static String newEpoch() {
        return Long.toString((RANDOM.nextLong() & Long.MAX_VALUE) | (1L << 62), 36).substring(0, 8);
    }
}
