package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HistoryTest {

    @Test
    void keepsTheLastMessagesByCountAndAge() {
        History history = new History(3, Duration.ofSeconds(10));
        for (int i = 1; i <= 5; i++) {
            history.append(i, 1000L * i, "m" + i);
        }
        assertEquals(5, history.offset());
        assertEquals(Optional.of(List.of("m3", "m4", "m5")), history.since(2, 5000));
        assertEquals(Optional.of(List.of("m5")), history.since(4, 5000));
        assertEquals(Optional.of(List.of()), history.since(5, 5000));
        assertTrue(history.since(1, 5000).isEmpty(), "m2 fell out of the window");
        assertTrue(history.since(6, 5000).isEmpty(), "an offset ahead of the history cannot be recovered");
        assertTrue(history.since(3, 14_500).isEmpty(), "m4 expired");
        assertEquals(Optional.of(List.of("m5")), history.since(4, 14_500));
    }

    @Test
    void offsetsGrowByOneAndEachHistoryHasItsOwnEpoch() {
        History history = new History(3, Duration.ofSeconds(10));
        history.append(1, 0, "a");
        assertThrows(IllegalArgumentException.class, () -> history.append(3, 0, "c"));
        assertNotEquals(history.epoch(), new History(3, Duration.ofSeconds(10)).epoch());
    }

    /**
     * Bytes bound a history: its own bound and the node's budget evict the oldest first (counted); recovery of an
     * evicted range is refused (the client is told {@code recovered: false}); released bytes go back to the budget.
     */
    @Test
    void bytesBoundTheHistoryOldestFirstAndTheNodesBudgetIsShared() {
        String frame = "x".repeat(1000); // 2 096 estimated bytes
        HistoryBudget budget = new HistoryBudget(20_000);
        History a = new History(1000, Duration.ofMinutes(5), 10_000, budget);
        for (int i = 1; i <= 10; i++) {
            a.append(i, 0, frame);
        }
        assertEquals(4, a.since(6, 0).orElseThrow().size(), "the room's own bound: 4 held (4 x 2 096 <= 10 000)");
        assertTrue(a.since(5, 0).isEmpty(), "an evicted range cannot be recovered");
        assertTrue(a.bytes() <= 10_000);
        History b = new History(1000, Duration.ofMinutes(5), 0, budget);
        for (int i = 1; i <= 10; i++) {
            b.append(i, 0, frame);
        }
        assertTrue(budget.usedBytes() <= 20_000, "the node's bound: " + budget.usedBytes());
        assertEquals(a.bytes() + b.bytes(), budget.usedBytes());
        assertTrue(budget.evictedCount() >= 6 + 5, "evictions are counted: " + budget.evictedCount());
        assertTrue(b.since(9, 0).isPresent(), "the newest are kept");
        a.release();
        b.release();
        assertEquals(0, budget.usedBytes(), "released bytes go back");
    }
}
