package dev.switchboard.telemetry;

import dev.switchboard.engine.NodeState;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The node's health as probes ask it ({@code /api/health/…}, and MicroProfile Health where the container has it):
 * liveness from what the engine told {@link NodeMetrics} (its writers and its sweep ran), readiness from its state.
 */
public final class HealthChecks {

    private final NodeState state;
    private final NodeMetrics metrics;
    /** How long the writers' probe and the sweep may be late: max(10 s, 3 sweep intervals). */
    private final long boundNanos;

    /** {@code sweepInterval}: how often the engine sweeps (and probes its writers). */
    public HealthChecks(NodeState state, NodeMetrics metrics, java.time.Duration sweepInterval) {
        this.state = state;
        this.metrics = metrics;
        this.boundNanos = Math.max(TimeUnit.SECONDS.toNanos(10), 3 * sweepInterval.toNanos());
    }

    /** One health check: its name as MicroProfile Health reports it, whether it is UP, and what it saw. */
    public record Check(String name, boolean up, Map<String, Object> data) {
    }

    /**
     * Liveness: the writers ran a probe task and the liveness sweep ran within the last
     * {@code max(10 s, 3 sweep intervals)}. DOWN means stuck threads: restart the node.
     */
    public List<Check> liveness() {
        long writers = metrics.writersRanNanosAgo();
        long swept = metrics.sweptNanosAgo();
        return List.of(
                new Check("switchboard-writers", writers < boundNanos, Map.of("lastRanMsAgo", writers / 1_000_000)),
                new Check("switchboard-sweep", swept < boundNanos, Map.of("lastRanMsAgo", swept / 1_000_000)));
    }

    /**
     * Readiness: the engine takes connections (not draining, for an operator or for shutdown); with a shared cluster,
     * its store answered the latest heartbeat (a node cut from Redis would serve rooms apart from the others).
     */
    public List<Check> readiness() {
        NodeState.Snapshot s = state.snapshot();
        Check engine = new Check("switchboard-engine", !s.draining(),
                Map.of("draining", s.draining(), "connections", s.connections()));
        if (!"redis".equals(s.cluster())) {
            return List.of(engine);
        }
        return List.of(engine, new Check("switchboard-cluster", s.clusterReachable(),
                Map.of("engine", "redis", "reachable", s.clusterReachable(), "nodes", s.nodes(), "node", s.node())));
    }
}
