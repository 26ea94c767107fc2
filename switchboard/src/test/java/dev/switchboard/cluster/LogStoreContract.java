package dev.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.config.RoomPolicy;
import dev.switchboard.config.SlowConsumerPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * What every {@link LogStore} promises, run against each implementation: offsets one by one from 1, the position,
 * ranges only when all held, resets to a new epoch at the same offset, and every append and reset announced to the
 * nodes in order.
 */
abstract class LogStoreContract {

    static final RoomPolicy POLICY = new RoomPolicy(5, Duration.ofMinutes(5), SlowConsumerPolicy.DISCONNECT, 0);

    /** Appends and resets as a node hears them: {@code P room epoch offset payload} or {@code R room epoch offset}. */
    final List<String> heard = new CopyOnWriteArrayList<>();

    final Cluster.Listener listener = new QuietListener() {
        @Override
        public void publication(String room, String epoch, long offset, String payload) {
            heard.add("P " + room + " " + epoch + " " + offset + " " + payload);
        }

        @Override
        public void reset(String room, String epoch, long offset) {
            heard.add("R " + room + " " + epoch + " " + offset);
        }
    };

    /** The store under test; {@link #listener} hears its appends and resets. */
    abstract LogStore store();

    /** A room name no other test uses. */
    abstract String room(String name);

    @Test
    void offsetsAreAssignedOneByOneAndAnnouncedInOrder() throws Exception {
        String room = room("ledger");
        LogStore.Position first = store().append(room, POLICY, "{\"data\":1}");
        LogStore.Position second = store().append(room, POLICY, "{\"data\":2}");
        assertEquals(1, first.offset());
        assertEquals(2, second.offset());
        assertEquals(first.epoch(), second.epoch());
        assertEquals(second, store().position(room));
        within(() -> heard.stream().filter(h -> h.startsWith("P " + room + " ")).count() == 2);
        List<String> mine = heard.stream().filter(h -> h.startsWith("P " + room + " ")).toList();
        assertEquals(List.of("P " + room + " " + first.epoch() + " 1 {\"data\":1}",
                "P " + room + " " + first.epoch() + " 2 {\"data\":2}"), mine);
    }

    /**
     * An append with an idempotency key happens once within the key's window: the same key again returns the first
     * position and appends and announces nothing; another key, or the same key in another room, appends; after the
     * window the key is forgotten.
     */
    @Test
    void anAppendWithAKeyHappensOnceWithinItsWindow() throws Exception {
        String room = room("once");
        String other = room("once-other");
        LogStore.Appended first = store().appendOnce(room, POLICY, "{\"data\":1}", "alice k1", 60_000);
        LogStore.Appended again = store().appendOnce(room, POLICY, "{\"data\":1}", "alice k1", 60_000);
        LogStore.Appended next = store().appendOnce(room, POLICY, "{\"data\":2}", "alice k2", 60_000);
        LogStore.Appended elsewhere = store().appendOnce(other, POLICY, "{\"data\":1}", "alice k1", 60_000);
        assertEquals(1, first.position().offset());
        assertTrue(!first.duplicate() && again.duplicate() && !next.duplicate() && !elsewhere.duplicate());
        assertEquals(first.position(), again.position(), "the retry gets the first append's position");
        assertEquals(2, next.position().offset());
        assertEquals(1, elsewhere.position().offset());
        assertEquals(next.position(), store().position(room), "nothing appended for the retry");
        within(() -> heard.stream().filter(h -> h.startsWith("P " + room + " ")).count() == 2);

        LogStore.Appended brief = store().appendOnce(room, POLICY, "{\"data\":3}", "alice k3", 50);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        LogStore.Appended later;
        do { // bounded: the 50 ms window passes
            TimeUnit.MILLISECONDS.sleep(20);
            later = store().appendOnce(room, POLICY, "{\"data\":3}", "alice k3", 50);
        } while (later.duplicate() && System.nanoTime() < deadline);
        assertTrue(!later.duplicate(), "after its window the key is forgotten");
        assertEquals(brief.position().offset() + 1, later.position().offset());
        assertEquals(List.of("P " + room + " " + first.position().epoch() + " 1 {\"data\":1}",
                "P " + room + " " + first.position().epoch() + " 2 {\"data\":2}"),
                heard.stream().filter(h -> h.startsWith("P " + room + " ")).limit(2).toList());
    }

    @Test
    void aRangeIsGivenOnlyWhenAllOfItIsHeld() throws Exception {
        String room = room("window");
        for (int i = 1; i <= 8; i++) {
            store().append(room, POLICY, "{\"data\":" + i + "}");
        }
        List<LogStore.Entry> last = store().range(room, POLICY, 5, 8).orElseThrow();
        assertEquals(List.of(6L, 7L, 8L), last.stream().map(LogStore.Entry::offset).toList());
        assertEquals("{\"data\":8}", last.get(2).payload());
        assertTrue(store().range(room, POLICY, 0, 8).isEmpty(), "trimmed to the history size (5): not all held");
        assertTrue(store().range(room, POLICY, 7, 9).isEmpty(), "offset 9 was never published");
        assertEquals(List.of(), store().range(room, POLICY, 8, 8).orElseThrow(), "nothing after the latest");
    }

    @Test
    void aPageIsWhateverIsHeldOldestOrNewestFirstBoundedByItsLimit() throws Exception {
        String room = room("pages");
        for (int i = 1; i <= 8; i++) {
            store().append(room, POLICY, "{\"data\":" + i + "}");
        }
        assertEquals(List.of(4L, 5L), offsets(store().page(room, 0, 8, 2, false)), "from the oldest held (5 kept)");
        assertEquals(List.of(7L, 8L), offsets(store().page(room, 6, 8, 5, false)), "after a position");
        assertEquals(List.of(8L, 7L, 6L), offsets(store().page(room, 0, 8, 3, true)), "the newest first");
        assertEquals(List.of(6L, 5L), offsets(store().page(room, 4, 6, 5, true)), "up to a position, newest first");
        assertEquals("{\"data\":8}", store().page(room, 7, 8, 1, false).get(0).payload());
        assertEquals(List.of(), store().page(room, 8, 8, 5, false), "nothing after the latest");
        assertEquals(List.of(), store().page(room("never"), 0, 0, 5, true), "a room never published into");
    }

    private static List<Long> offsets(List<LogStore.Entry> entries) {
        return entries.stream().map(LogStore.Entry::offset).toList();
    }

    @Test
    void anUnknownRoomStartsAtZeroAndAResetGivesANewEpochAtTheSameOffset() throws Exception {
        String room = room("fresh");
        LogStore.Position start = store().position(room);
        assertEquals(0, start.offset());
        assertEquals(start, store().position(room), "the same epoch until something changes it");
        store().append(room, POLICY, "{\"data\":1}");
        LogStore.Position reset = store().reset(room);
        assertNotEquals(start.epoch(), reset.epoch());
        assertEquals(1, reset.offset());
        assertTrue(store().range(room, POLICY, 0, 1).isEmpty(), "a reset discards the history");
        within(() -> heard.contains("R " + room + " " + reset.epoch() + " 1"));
        LogStore.Position next = store().append(room, POLICY, "{\"data\":2}");
        assertEquals(new LogStore.Position(reset.epoch(), 2), next);
    }

    static void within(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 5 s");
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }
}
