package dev.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code switchboard.redis.*}: one Redis, a Redis Cluster, or several Redis servers — one of them, never two. */
class RedisSettingsTest {

    private static Settings.Redis redis(Map<String, String> values) {
        return Settings.from(new MapConfig(values)).redis();
    }

    @Test
    void noneSetIsOneNodeWithoutRedis() {
        assertNull(redis(Map.of()));
    }

    @Test
    void severalServersAreReadInTheirOrderBlanksDropped() {
        Settings.Redis r = redis(Map.of("switchboard.redis.shards", " redis://a:6379, ,redis://b:6380 ,redis://c:6381"));
        assertEquals(List.of("redis://a:6379", "redis://b:6380", "redis://c:6381"), r.shards());
        assertTrue(r.clusterNodes().isEmpty());
        assertEquals("", r.url());
    }

    @Test
    void twoOfUrlClusterAndServersAreRefusedWithTheSettingsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> redis(Map.of(
                "switchboard.redis.url", "redis://a:6379", "switchboard.redis.shards", "redis://b:6379,redis://c:6379")));
        assertTrue(e.getMessage().contains("switchboard.redis.shards") && e.getMessage().contains("switchboard.redis.url"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> redis(Map.of(
                "switchboard.redis.cluster-nodes", "a:7000", "switchboard.redis.shards", "redis://b:6379")));
        assertThrows(IllegalArgumentException.class, () -> redis(Map.of(
                "switchboard.redis.cluster-nodes", "a:7000", "switchboard.redis.url", "redis://b:6379")));
    }
}
