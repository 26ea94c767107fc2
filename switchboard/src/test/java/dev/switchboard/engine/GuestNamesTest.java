package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.telemetry.NodeMetrics;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The names a connection and a guest get: well formed, and drawn at random for each (one draw serves both). */
class GuestNamesTest {

    private static final Pattern ID = Pattern.compile("[0-9a-z]+-[a-km-np-z2-9]{4}");
    private static final Pattern GUEST = Pattern.compile("guest-[a-km-np-z2-9]{6}");

    private final ExecutorService writers = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final Hub hub = new Hub(HubTest.settings(100, Duration.ZERO, Duration.ZERO), writers, timers, e -> { },
            List.of(), new NodeMetrics());

    @AfterEach
    void stop() {
        writers.shutdownNow();
        timers.shutdownNow();
    }

    @Test
    void everyGuestAndConnectionGetsAWellFormedRandomName() {
        int n = 2000;
        Set<String> guests = new HashSet<>();
        Set<String> suffixes = new HashSet<>();
        int sameAsSuffix = 0;
        for (int i = 0; i < n; i++) {
            Connection c = hub.open(TestTransport.inline(), null, "/ws", false);
            assertTrue(ID.matcher(c.id()).matches(), c.id());
            assertTrue(GUEST.matcher(c.user()).matches(), c.user());
            String suffix = c.id().substring(c.id().indexOf('-') + 1);
            suffixes.add(suffix);
            guests.add(c.user());
            sameAsSuffix += c.user().startsWith("guest-" + suffix) ? 1 : 0;
            hub.closed(c, 1000, "");
        }
        // 30 random bits per guest name, 20 per suffix: collisions among 2 000 are rare, never hundreds
        assertTrue(guests.size() >= n - 5, "distinct guest names: " + guests.size());
        assertTrue(suffixes.size() >= n - 200, "distinct id suffixes: " + suffixes.size());
        assertTrue(sameAsSuffix <= 5, "guest names repeating the id's random part: " + sameAsSuffix);
    }
}
