package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.cluster.LogStore;
import dev.switchboard.cluster.Redis;
import dev.switchboard.cluster.RedisCluster;
import dev.switchboard.cluster.RedisLogStore;
import dev.switchboard.cluster.StoreUnavailable;
import dev.switchboard.config.Settings;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the members of some rooms saw while Redis failed under them: node A publishes into every room every 2 ms, one
 * member per room on node B. {@link #settle} checks each member frame by frame: every publication in offset order
 * within an epoch, or a resynchronization (a {@code joined} with {@code recovered: false}) before anything after a
 * gap — never a silent gap, never a duplicate — and at the end every member is where the room's log is.
 */
final class FailoverRooms {

    static final Duration WAIT = Duration.ofSeconds(30);
    private final Hub a;
    private final LogStore store;
    /** Room → the member on B. */
    final Map<String, TestTransport> members = new LinkedHashMap<>();
    /** Publications made by {@link #publishWhile}, into every room, failed ones included. */
    private final AtomicInteger published = new AtomicInteger();

    FailoverRooms(Hub a, LogStore store) {
        this.a = a;
        this.store = store;
    }

    /** A node of the engine on {@code link}, started. */
    static Hub node(Settings settings, EngineFixture fixture, Redis link) {
        RedisCluster cluster = new RedisCluster(link);
        Hub hub = new Hub(settings, fixture.writers, fixture.timers, fixture.background, e -> { }, List.of(),
                (caller, action, room) -> true, cluster, new RedisLogStore(link), Tracing.OFF, fixture.background,
                Telemetry.NONE);
        cluster.start(hub.listener(fixture.timers, fixture.background), Thread::new, fixture.timers);
        return hub;
    }

    /** A member of {@code room} on {@code b}. */
    void join(Hub b, EngineFixture fixture, String room) {
        TestTransport t = TestTransport.async(fixture.completer);
        Connection connection = b.open(t, "ben", "/ws", false);
        org.junit.jupiter.api.Assertions.assertTrue(b.join(connection, "j", room, null, null));
        members.put(room, t);
    }

    /** Waits (bounded) until {@code more} publications were made from now on: publishing goes on. */
    void awaitPublished(int more) throws Exception {
        long after = published.get() + more;
        EngineFixture.within(WAIT, () -> published.get() > after, () -> "publishing went on: " + published.get());
    }

    /** Every other room goes on meanwhile: a publication into each reaches its member within {@code limit}. */
    void assertOthersGoOn(String room, Duration limit, String why) throws Exception {
        for (String other : members.keySet()) {
            if (!other.equals(room)) {
                long offset = a.publish(other, Json.createValue(why)).offset();
                EngineFixture.within(limit, () -> offsets(members.get(other)).contains(offset),
                        () -> other + " held up (" + why + "): " + tail(offsets(members.get(other))));
            }
        }
    }

    /** What is done during a failure, with A publishing into every room every 2 ms before, during and 2 s after. */
    interface Failure {
        void run() throws Exception;
    }

    void publishWhile(Failure failure) throws Exception {
        AtomicBoolean publishing = new AtomicBoolean(true);
        ExecutorService publisher = Executors.newSingleThreadExecutor();
        Future<?> done = publisher.submit(() -> {
            for (int i = 0; publishing.get(); i++) {
                for (String room : members.keySet()) {
                    a.publish(room, Json.createValue(i));
                    published.incrementAndGet();
                }
                TimeUnit.MILLISECONDS.sleep(2); // the publisher's pace, not synchronisation
            }
            return null;
        });
        try {
            EngineFixture.within(WAIT, () -> members.values().stream().allMatch(t -> offsets(t).size() > 100),
                    () -> "members before the failure: " + members.values().stream().map(t -> offsets(t).size()).toList());
            failure.run();
            awaitPublished(1000);
        } finally {
            publishing.set(false);
            done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            publisher.shutdownNow();
        }
    }

    /**
     * Waits until every member is where its room's log is; checks each member's frames: in order within an epoch,
     * a resynchronization before anything after a gap. Returns how many times each room's member was told.
     */
    Map<String, Integer> settle() throws Exception {
        Map<String, Integer> told = new LinkedHashMap<>();
        for (Map.Entry<String, TestTransport> e : members.entrySet()) {
            EngineFixture.within(WAIT, () -> {
                try {
                    return store.position(e.getKey()).equals(at(e.getValue()));
                } catch (StoreUnavailable unavailable) {
                    return false;
                }
            }, () -> e.getKey() + ": member at " + at(e.getValue()) + " " + tail(offsets(e.getValue())) + ", the log at "
                    + position(e.getKey()));
            told.put(e.getKey(), check(e.getKey(), e.getValue()));
        }
        return told;
    }

    /** The rooms of the servers that did not fail were never resynchronized. */
    void assertUndisturbedBut(String room, Map<String, Integer> told) {
        told.forEach((r, times) -> {
            if (!r.equals(room)) {
                assertEquals(0, times, r + " is on a server that did not fail");
            }
        });
    }

    /** Frame by frame: the number of resynchronizations; fails on a silent gap or a duplicate. */
    private static int check(String room, TestTransport t) {
        String epoch = null;
        long offset = -1;
        int told = 0;
        for (String text : t.texts()) {
            JsonObject f = Json.createReader(new StringReader(text)).readObject();
            String type = f.getString("type");
            if ("joined".equals(type)) {
                if (!f.containsKey("re")) {
                    told++;
                    assertEquals(Boolean.FALSE, f.getBoolean("recovered"), room + ": told, not recovered: " + f);
                }
                epoch = f.getString("epoch");
                offset = f.getJsonNumber("offset").longValue();
            } else if ("message".equals(type) && room.equals(f.getString("room"))) {
                assertEquals(epoch, f.getString("epoch"), room + ": a message of another epoch, untold: " + f);
                assertEquals(offset + 1, f.getJsonNumber("offset").longValue(), room + ": a silent gap or a duplicate: " + f);
                offset++;
            }
        }
        return told;
    }

    private Object position(String room) {
        try {
            return store.position(room);
        } catch (StoreUnavailable e) {
            return e.toString();
        }
    }

    static List<Long> offsets(TestTransport t) {
        return messages(t).stream().map(m -> m.getJsonNumber("offset").longValue()).toList();
    }

    /**
     * Where the member is, as its frames say: the last message's epoch and offset, or the position a later
     * {@code joined} told it (a resynchronization at a log's start, before anything was published in its new epoch).
     */
    private static LogStore.Position at(TestTransport t) {
        LogStore.Position at = null;
        for (String text : t.texts()) {
            JsonObject f = Json.createReader(new StringReader(text)).readObject();
            if ("joined".equals(f.getString("type")) || "message".equals(f.getString("type"))) {
                at = new LogStore.Position(f.getString("epoch"), f.getJsonNumber("offset").longValue());
            }
        }
        return at;
    }

    private static List<JsonObject> messages(TestTransport t) {
        return t.texts().stream().map(s -> Json.createReader(new StringReader(s)).readObject())
                .filter(f -> "message".equals(f.getString("type"))).toList();
    }

    static List<Long> tail(List<Long> offsets) {
        return offsets.subList(Math.max(0, offsets.size() - 5), offsets.size());
    }
}
