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
}
