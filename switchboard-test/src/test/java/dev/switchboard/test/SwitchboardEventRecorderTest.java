package dev.switchboard.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.SwitchboardEvent.RoomJoined;
import dev.switchboard.SwitchboardEvent.RoomLeft;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SwitchboardEventRecorderTest {

    private final SwitchboardEventRecorder recorder = new SwitchboardEventRecorder();

    @Test
    void awaitReturnsAnEventFiredLaterOnAnotherThread() throws Exception {
        recorder.record(new RoomJoined("lobby", "c1", "ada"));
        CompletableFuture<RoomLeft> left = CompletableFuture.supplyAsync(() -> recorder.await(RoomLeft.class, e -> e.user().equals("bob")));
        recorder.record(new RoomLeft("lobby", "c1", "ada"));
        recorder.record(new RoomLeft("lobby", "c2", "bob"));
        assertEquals("c2", left.get(10, TimeUnit.SECONDS).connection());
        assertEquals(1, recorder.events(RoomJoined.class).size());
        assertEquals(3, recorder.events().size());
    }

    @Test
    void aTimeoutSaysWhichEventsWereFiredInstead() {
        recorder.record(new RoomJoined("lobby", "c1", "ada"));
        AssertionError error = assertThrows(AssertionError.class,
                () -> recorder.await(RoomLeft.class, e -> true, Duration.ofMillis(50)));
        assertTrue(error.getMessage().contains("RoomJoined[room=lobby"), error.getMessage());
    }
}
