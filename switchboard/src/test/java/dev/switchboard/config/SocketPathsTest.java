package dev.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SocketPathsTest {

    @Test
    void theEndpointsLieUnderTheConfiguredPath() {
        SocketPaths paths = new SocketPaths("/desk/live");
        assertEquals("/desk/live", paths.socket());
        assertEquals("/desk/live/rooms/{room}", paths.rooms());
        assertEquals("/desk/live/monitor", paths.monitor());
    }

    @Test
    void coversItsPathsAndNothingThatMerelyStartsLikeThem() {
        SocketPaths paths = new SocketPaths("/ws");
        assertTrue(paths.covers("/ws"));
        assertTrue(paths.covers("/ws/rooms/lobby"));
        assertTrue(paths.covers("/ws/monitor"));
        assertFalse(paths.covers("/wsx"), "another application path that starts with the same letters");
        assertFalse(paths.covers("/api/ws"));
        assertFalse(paths.covers("/"));
    }

    @Test
    void aPathThatIsNotPlainFailsNamingTheSetting() {
        for (String bad : new String[] {"", "/", "ws", "/ws/", "/ws/{room}", "/ws/*", "/w s", "//ws"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SocketPaths(bad), bad);
            assertTrue(e.getMessage().startsWith(SocketPaths.SETTING), e.getMessage());
        }
    }
}
