package dev.switchboard.telemetry;

import dev.switchboard.engine.NodeState;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/**
 * The node's metrics as Prometheus sees them ({@code GET /api/metrics}): one registry per deployment (not the JVM-wide
 * default). Every series is read at scrape time from what the engine and the node's metrics already hold — the
 * {@link NodeState} snapshot (one walk of the connections, shared by the series of one scrape) and {@link NodeMetrics}
 * (counters; latencies from its cumulative HdrHistograms, bucketed here) — so nothing on a hot path knows Prometheus
 * and nothing is recorded twice. Every name is documented in README "Operations".
 */
public final class PrometheusExport {

    /** Bucket bounds (s) of the send and fan-out histograms: 50 µs to 10 s. */
    private static final double[] LATENCY_BOUNDS = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
        0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    /** Bucket bounds (s) of the store command histogram: 100 µs to 5 s. */
    private static final double[] STORE_BOUNDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
        0.1, 0.25, 0.5, 1, 2.5, 5};
    /** How long one snapshot serves the series of a scrape. */
    private static final long SNAPSHOT_NANOS = 100_000_000L;

    private final NodeState state;
    private final NodeMetrics metrics;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private NodeState.Snapshot snapshot;
    private long snapshotAt;

    public PrometheusExport(NodeState state, NodeMetrics metrics) {
        this.state = state;
        this.metrics = metrics;
        register();
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** The state for the series of one scrape: one walk of the connections, not one per series. */
    private synchronized NodeState.Snapshot now() {
        long at = System.nanoTime();
        if (snapshot == null || at - snapshotAt > SNAPSHOT_NANOS) {
            snapshot = state.snapshot();
            snapshotAt = at;
        }
        return snapshot;
    }

    private void register() {
        GaugeWithCallback.builder().name("switchboard_connections")
                .help("Open connections on this node, by endpoint: ws (/ws), room (/ws/rooms/{room}), monitor (/ws/monitor), stream (/sse)")
                .labelNames("endpoint").callback(cb -> now().connectionsByEndpoint().forEach((e, n) -> cb.call(n, e)))
                .register(registry);
        gauge("switchboard_rooms", "Rooms held on this node", s -> s.rooms());
        counter("switchboard_messages_received",
                "Messages received: socket frames of the protocol and publications through the API",
                () -> metrics.counters().messagesIn());
        counter("switchboard_messages_sent", "Frames sent to clients (each batch counts its messages)", () -> now().sent());
        counter("switchboard_publications", "Publications accepted into rooms", () -> metrics.counters().publications());
        counter("switchboard_publications_duplicate",
                "Publishes answered with an earlier publication (same idempotency key within the window)",
                () -> metrics.counters().duplicatePublishes());
        counter("switchboard_acks", "ack replies sent (publish and send)", () -> metrics.counters().acks());
        CounterWithCallback.builder().name("switchboard_errors")
                .help("error replies sent, by protocol error code (rate_limited: messages refused by the rate limit)")
                .labelNames("code").callback(cb -> metrics.errors().forEach((code, n) -> cb.call(n, code)))
                .register(registry);
        CounterWithCallback.builder().name("switchboard_closes")
                .help("Connections closed, by the close code the container reported")
                .labelNames("code").callback(cb -> metrics.closes().forEach((code, n) -> cb.call(n, code.toString())))
                .register(registry);
        counter("switchboard_publications_dropped",
                "Publications dropped for members behind (drop-oldest) or replaced by a newer one (conflate)",
                () -> now().dropped());
        counter("switchboard_slow_consumer_closes",
                "Connections closed with 4008: queue over its bound (disconnect policy), send timed out, or not reading",
                () -> metrics.counters().slowConsumerCloses());
        counter("switchboard_heartbeat_closes", "Connections closed with 4000: heartbeat unanswered",
                () -> metrics.counters().heartbeatCloses());
        GaugeWithCallback.builder().name("switchboard_queued_messages")
                .help("Messages queued for sending: in all (scope=node) and on the deepest queue (scope=deepest)")
                .labelNames("scope").callback(cb -> {
                    NodeState.Snapshot s = now();
                    cb.call(s.queuedMessages(), "node");
                    cb.call(s.deepestQueue(), "deepest");
                }).register(registry);
        gauge("switchboard_queue_limit_messages", "The bound of one connection's outbound queue, in messages",
                s -> s.queueLimitMessages());
        gauge("switchboard_queued_bytes", "Characters queued for sending on this node, in all", s -> s.queuedBytes());
        gauge("switchboard_queued_max_bytes", "The node's bound on queued characters (0: none)", s -> s.queueMaxBytes());
        counter("switchboard_queue_budget_refusals", "Messages refused because the node's queue budget was spent",
                () -> now().queueBudgetRefusals());
        histogram("switchboard_send_duration_seconds", "Time from the start of a send to the container's completion",
                LATENCY_BOUNDS, metrics::sendTimes);
        histogram("switchboard_fanout_duration_seconds",
                "Time to queue one publication for every member of its room on this node", LATENCY_BOUNDS,
                metrics::fanOutTimes);
        gauge("switchboard_history_bytes", "History held on this node (estimated bytes)", s -> s.historyBytes());
        gauge("switchboard_history_max_bytes", "The node's bound on history (bytes)", s -> s.historyMaxBytes());
        counter("switchboard_history_evicted", "Publications evicted from history for lack of room on this node",
                () -> now().historyEvicted());
        GaugeWithCallback.builder().name("switchboard_cluster_reachable")
                .help("1 when the cluster's store answered the latest heartbeat (always 1 for the one-node engine)")
                .labelNames("engine", "node").callback(cb -> {
                    NodeState.Snapshot s = now();
                    cb.call(s.clusterReachable() ? 1 : 0, s.cluster(), s.node());
                }).register(registry);
        gauge("switchboard_cluster_nodes", "Live nodes as of the latest heartbeat, this one included", s -> s.nodes());
        counter("switchboard_cluster_failures",
                "The cluster's best-effort commands that failed (each logged; presence and users written again at the next heartbeat)",
                () -> now().clusterFailures());
        gauge("switchboard_draining", "1 while the node drains (an operator's drain or shutdown): not ready",
                s -> s.draining() ? 1 : 0);
        if ("redis".equals(state.snapshot().cluster())) {
            histogram("switchboard_redis_command_duration_seconds", "Time from sending a Redis command to its answer or failure",
                    STORE_BOUNDS, metrics::storeCommandTimes);
            CounterWithCallback.builder().name("switchboard_redis_command_failures")
                    .help("Redis commands that failed, by mode: blocking (the caller saw StoreUnavailable) or async "
                            + "(best effort: logged; presence and users written again at the next heartbeat)")
                    .labelNames("mode").callback(cb -> {
                        NodeMetrics.Counters c = metrics.counters();
                        cb.call(c.storeBlockingFailures(), "blocking");
                        cb.call(c.storeAsyncFailures(), "async");
                    }).register(registry);
        }
    }

    private void counter(String name, String help, DoubleSupplier value) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    private void gauge(String name, String help, ToDoubleFunction<NodeState.Snapshot> value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.applyAsDouble(now())))
                .register(registry);
    }

    /**
     * A classic histogram read from a cumulative HdrHistogram (µs) at scrape time: each bucket counts the recorded
     * values up to its bound (HdrHistogram's two significant digits: within 1 % of the bound); the sum is its mean
     * times its count (the same precision).
     */
    private void histogram(String name, String help, double[] bounds, Supplier<Histogram> source) {
        registry.register(new Collector() {
            @Override
            public HistogramSnapshot collect() {
                Histogram h = source.get();
                double[] upper = new double[bounds.length + 1];
                long[] counts = new long[bounds.length + 1];
                long below = 0;
                for (int i = 0; i < bounds.length; i++) {
                    upper[i] = bounds[i];
                    long upTo = h.getCountBetweenValues(0, (long) (bounds[i] * 1e6));
                    counts[i] = upTo - below;
                    below = upTo;
                }
                upper[bounds.length] = Double.POSITIVE_INFINITY;
                counts[bounds.length] = h.getTotalCount() - below;
                double sum = h.getTotalCount() == 0 ? 0 : h.getMean() * h.getTotalCount() / 1e6;
                return new HistogramSnapshot(new MetricMetadata(name, help),
                        List.of(new HistogramSnapshot.HistogramDataPointSnapshot(ClassicHistogramBuckets.of(upper, counts),
                                sum, Labels.EMPTY, Exemplars.EMPTY, 0L)));
            }

            @Override
            public String getPrometheusName() {
                return name;
            }
        });
    }
}
