package dev.switchboard.engine;

import dev.switchboard.cluster.Cluster;
import dev.switchboard.config.Settings;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * The node's metrics as Prometheus sees them ({@code GET /api/metrics}). Counters and gauges are callbacks that read
 * the engine's own counters at scrape time: nothing is counted twice and the hot paths do not know Prometheus; the
 * two latency histograms ({@link Metrics#sendSeconds}, {@link Metrics#fanOutSeconds}) and the store's are recorded as
 * they happen. Every name is documented in README "Operations".
 */
final class PrometheusExport {

    private PrometheusExport() {
    }

    static PrometheusRegistry registry(Settings settings, Metrics metrics, Connections connections, Rooms rooms,
                                       HistoryBudget history, Cluster cluster, BooleanSupplier draining) {
        PrometheusRegistry registry = new PrometheusRegistry();
        GaugeWithCallback.builder().name("switchboard_connections")
                .help("Open connections on this node, by endpoint: ws (/ws), room (/ws/rooms/{room}), monitor (/ws/monitor)")
                .labelNames("endpoint").callback(cb -> connections.totals().byKind().forEach((kind, n) -> cb.call(n,
                        kind == Connection.Kind.SOCKET ? "ws" : kind.name().toLowerCase(Locale.ROOT))))
                .register(registry);
        gauge(registry, "switchboard_rooms", "Rooms held on this node", () -> rooms.names().size());
        counter(registry, "switchboard_messages_received",
                "Messages received: socket frames of the protocol and publications through the API", metrics.messagesIn);
        CounterWithCallback.builder().name("switchboard_messages_sent")
                .help("Frames sent to clients (each batch counts its messages)")
                .callback(cb -> cb.call(connections.totals().sent())).register(registry);
        counter(registry, "switchboard_publications", "Publications accepted into rooms", metrics.publications);
        counter(registry, "switchboard_publications_duplicate",
                "Publishes answered with an earlier publication (same idempotency key within the window)",
                metrics.duplicatePublishes);
        counter(registry, "switchboard_acks", "ack replies sent (publish and send)", metrics.acks);
        CounterWithCallback.builder().name("switchboard_errors")
                .help("error replies sent, by protocol error code (rate_limited: messages refused by the rate limit)")
                .labelNames("code").callback(cb -> metrics.errors().forEach((code, n) -> cb.call(n.sum(), code)))
                .register(registry);
        CounterWithCallback.builder().name("switchboard_closes")
                .help("Connections closed, by the close code the container reported")
                .labelNames("code").callback(cb -> metrics.closes().forEach((code, n) -> cb.call(n.sum(), code.toString())))
                .register(registry);
        CounterWithCallback.builder().name("switchboard_publications_dropped")
                .help("Publications dropped for members behind (drop-oldest) or replaced by a newer one (conflate)")
                .callback(cb -> cb.call(connections.totals().dropped())).register(registry);
        counter(registry, "switchboard_slow_consumer_closes",
                "Connections closed with 4008: queue over its bound (disconnect policy), send timed out, or not reading",
                metrics.slowConsumers);
        counter(registry, "switchboard_heartbeat_closes", "Connections closed with 4000: heartbeat unanswered",
                metrics.heartbeatCloses);
        GaugeWithCallback.builder().name("switchboard_queued_messages")
                .help("Messages queued for sending: in all (scope=node) and on the deepest queue (scope=deepest)")
                .labelNames("scope").callback(cb -> {
                    Connections.Totals now = connections.totals();
                    cb.call(now.queued(), "node");
                    cb.call(now.deepest(), "deepest");
                }).register(registry);
        gauge(registry, "switchboard_queue_limit_messages", "The bound of one connection's outbound queue, in messages",
                settings::queueMessages);
        gauge(registry, "switchboard_queued_bytes", "Characters queued for sending on this node, in all",
                () -> connections.queueBudget().usedSize());
        gauge(registry, "switchboard_queued_max_bytes", "The node's bound on queued characters (0: none)",
                () -> connections.queueBudget().maxSize());
        CounterWithCallback.builder().name("switchboard_queue_budget_refusals")
                .help("Messages refused because the node's queue budget was spent").callback(
                        cb -> cb.call(connections.queueBudget().refusals())).register(registry);
        registry.register(metrics.sendSeconds);
        registry.register(metrics.fanOutSeconds);
        gauge(registry, "switchboard_history_bytes", "History held on this node (estimated bytes)", history::usedBytes);
        gauge(registry, "switchboard_history_max_bytes", "The node's bound on history (bytes)", history::maxBytes);
        CounterWithCallback.builder().name("switchboard_history_evicted")
                .help("Publications evicted from history for lack of room on this node")
                .callback(cb -> cb.call(history.evictedCount())).register(registry);
        GaugeWithCallback.builder().name("switchboard_cluster_reachable")
                .help("1 when the cluster's store answered the latest heartbeat (always 1 for the one-node engine)")
                .labelNames("engine", "node").callback(cb -> cb.call(cluster.reachable() ? 1 : 0,
                        cluster.shared() ? "redis" : "memory", cluster.node())).register(registry);
        gauge(registry, "switchboard_cluster_nodes", "Live nodes as of the latest heartbeat, this one included",
                cluster::nodes);
        CounterWithCallback.builder().name("switchboard_cluster_failures")
                .help("The cluster's best-effort commands that failed (each logged; repaired on resynchronization)")
                .callback(cb -> cb.call(cluster.failures())).register(registry);
        gauge(registry, "switchboard_draining", "1 while the node drains (an operator's drain or shutdown): not ready",
                () -> draining.getAsBoolean() ? 1 : 0);
        cluster.exportMetrics(registry);
        return registry;
    }

    private static void counter(PrometheusRegistry registry, String name, String help, LongAdder value) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.sum())).register(registry);
    }

    private static void gauge(PrometheusRegistry registry, String name, String help, java.util.function.DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }
}
