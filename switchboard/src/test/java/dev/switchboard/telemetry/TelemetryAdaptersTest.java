package dev.switchboard.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.engine.NodeState;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The adapters that turn the engine's events into what operators read: the stats view, the Prometheus scrape (its
 * histograms bucketed from the node's HdrHistograms) and the health checks.
 */
class TelemetryAdaptersTest {

    /** A node's state as the engine would report it; {@link #draining} and {@link #reachable} change it. */
    private static final class FixedState implements NodeState {
        volatile boolean draining;
        volatile boolean reachable = true;
        volatile String cluster = "memory";

        @Override
        public Snapshot snapshot() {
            return new Snapshot(Map.of("ws", 3, "room", 1, "monitor", 0), 4, 2, 7, 5, 1000, 120, 3, 700, 0, 0,
                    4096, 1 << 20, 0, cluster, reachable, 1, "n1", 0, draining);
        }
    }

    private final FixedState state = new FixedState();
    private final NodeMetrics metrics = new NodeMetrics();

    @Test
    void theStatsViewReportsTheLastIntervalsSendsAndTheCounters() {
        for (int i = 0; i < 99; i++) {
            metrics.sendCompleted(TimeUnit.MICROSECONDS.toNanos(100));
        }
        metrics.sendCompleted(TimeUnit.MILLISECONDS.toNanos(20));
        metrics.messageReceived();
        metrics.published();
        metrics.slowConsumerClosed();
        assertEquals(0, new StatsView(state, metrics).stats().sends(), "nothing until the sweep rolls the interval");
        metrics.swept();
        StatsView.Stats stats = new StatsView(state, metrics).stats();
        assertEquals(100, stats.sends());
        assertEquals(100, stats.sendP50Micros(), 1);
        assertEquals(20_000, stats.sendMaxMicros(), 200);
        assertEquals(1, stats.messagesIn());
        assertEquals(1, stats.publications());
        assertEquals(1, stats.slowConsumerCloses());
        assertEquals(4, stats.connections());
        assertEquals(120, stats.messagesOut());
        metrics.swept();
        assertEquals(0, new StatsView(state, metrics).stats().sends(), "the next interval had none");
    }

    @Test
    void theScrapeBucketsEverySendSinceStartAndNamesEverySeries() throws IOException {
        metrics.sendCompleted(TimeUnit.MICROSECONDS.toNanos(80)); // le 0.0001
        metrics.sendCompleted(TimeUnit.MICROSECONDS.toNanos(90)); // le 0.0001
        metrics.swept();
        metrics.sendCompleted(TimeUnit.MILLISECONDS.toNanos(3)); // le 0.005, a later interval
        metrics.fannedOut(10, TimeUnit.MICROSECONDS.toNanos(40));
        metrics.errorAnswered("forbidden");
        metrics.connectionClosed(4008);
        metrics.swept();
        String text = scrape(new PrometheusExport(state, metrics));
        assertTrue(text.contains("switchboard_send_duration_seconds_bucket{le=\"5.0E-5\"} 0"), text);
        assertTrue(text.contains("switchboard_send_duration_seconds_bucket{le=\"1.0E-4\"} 2"), text);
        assertTrue(text.contains("switchboard_send_duration_seconds_bucket{le=\"0.0025\"} 2"), text);
        assertTrue(text.contains("switchboard_send_duration_seconds_bucket{le=\"0.005\"} 3"), text);
        assertTrue(text.contains("switchboard_send_duration_seconds_bucket{le=\"+Inf\"} 3"), text);
        assertTrue(text.contains("switchboard_send_duration_seconds_count 3"), text);
        assertTrue(text.contains("switchboard_fanout_duration_seconds_bucket{le=\"5.0E-5\"} 1"), text);
        assertTrue(text.contains("switchboard_errors_total{code=\"forbidden\"} 1.0"), text);
        assertTrue(text.contains("switchboard_closes_total{code=\"4008\"} 1.0"), text);
        assertTrue(text.contains("switchboard_connections{endpoint=\"ws\"} 3.0"), text);
        assertTrue(text.contains("switchboard_messages_sent_total 120.0"), text);
        assertFalse(text.contains("switchboard_redis_command"), "no Redis series on a one-node engine");
    }

    @Test
    void aRedisNodeExportsItsStoreCommands() throws IOException {
        state.cluster = "redis";
        metrics.commandCompleted(TimeUnit.MICROSECONDS.toNanos(300));
        metrics.commandFailed(true);
        metrics.swept();
        String text = scrape(new PrometheusExport(state, metrics));
        assertTrue(text.contains("switchboard_redis_command_duration_seconds_bucket{le=\"5.0E-4\"} 1"), text);
        assertTrue(text.contains("switchboard_redis_command_failures_total{mode=\"blocking\"} 1.0"), text);
    }

    @Test
    void healthFollowsTheSweepTheWritersAndTheState() {
        HealthChecks health = new HealthChecks(state, metrics, Duration.ofSeconds(1));
        assertTrue(health.liveness().stream().allMatch(HealthChecks.Check::up), health.liveness().toString());
        assertTrue(health.readiness().stream().allMatch(HealthChecks.Check::up));
        state.draining = true;
        assertFalse(health.readiness().get(0).up(), "draining: not ready");
        state.draining = false;
        state.cluster = "redis";
        state.reachable = false;
        assertEquals(2, health.readiness().size());
        assertFalse(health.readiness().get(1).up(), "Redis unreachable: not ready");
    }

    private static String scrape(PrometheusExport export) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, export.registry().scrape());
        return out.toString(StandardCharsets.UTF_8);
    }
}
