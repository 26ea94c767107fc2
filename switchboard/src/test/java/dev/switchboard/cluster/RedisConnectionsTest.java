package dev.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which of several Redis servers holds a key: jump consistent hashing of its hash tag's slot. */
class RedisConnectionsTest {

    private static final int ROOMS = 30_000;

    @Test
    void everyKeyOfOneHashTagIsOnOneServer() {
        for (int i = 0; i < 1000; i++) {
            String room = "room-" + i;
            int server = RedisConnections.shard("sb:{" + room + "}:log", 5);
            assertEquals(server, RedisConnections.shard("sb:{" + room + "}:meta", 5));
            assertEquals(server, RedisConnections.shard("sb:{" + room + "}:events", 5));
        }
    }

    @Test
    void roomsSpreadEvenlyOverTheServers() {
        int[] count = new int[3];
        for (int i = 0; i < ROOMS; i++) {
            count[RedisConnections.shard("sb:{room-" + i + "}:log", 3)]++;
        }
        for (int c : count) {
            assertTrue(Math.abs(c - ROOMS / 3) < ROOMS / 3 / 10, "within 10 % of a third: " + java.util.Arrays.toString(count));
        }
    }

    @Test
    void aServerAddedAtTheEndTakesAboutItsShareAndNothingElseMoves() {
        int moved = 0;
        for (int i = 0; i < ROOMS; i++) {
            String key = "sb:{room-" + i + "}:log";
            int before = RedisConnections.shard(key, 3);
            int after = RedisConnections.shard(key, 4);
            if (before != after) {
                assertEquals(3, after, key + " moved between old servers");
                moved++;
            }
        }
        assertTrue(Math.abs(moved - ROOMS / 4) < ROOMS / 4 / 10, "about a quarter moved: " + moved);
    }

    @Test
    void oneServerHoldsEverything() {
        assertEquals(0, RedisConnections.shard("anything", 1));
    }
}
