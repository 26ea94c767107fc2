package dev.switchboard.telemetry;

import dev.switchboard.engine.NodeState;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import org.HdrHistogram.Histogram;

/** The stats view of this node ({@code GET /api/stats}, the stats page): its state and what its metrics counted. */
public final class StatsView {

    private final NodeState state;
    private final NodeMetrics metrics;

    public StatsView(NodeState state, NodeMetrics metrics) {
        this.state = state;
        this.metrics = metrics;
    }

    /**
     * Operational counters of this node: connections and rooms now; messages received, publications accepted,
     * frames sent, publications dropped or conflated by slow-consumer policies, connections closed as slow
     * consumers and for missed heartbeats since start; messages queued now, in all and on the deepest queue; sends
     * completed in the last sweep interval (about a second) with their duration's median, 99th percentile and maximum
     * in µs (from the start of the send to the container's completion); the cluster engine ({@code memory} or
     * {@code redis}), whether its store is reachable, how many nodes are live, this node's id, and the cluster's
     * best-effort commands that failed since start; the history held on this node in estimated bytes, its bound, the
     * publications evicted from it for lack of room; publishes answered as retries of an earlier one (same key); the
     * JVM's heap in use now and its maximum, in bytes (right after a full GC, e.g. {@code jcmd <pid> GC.run}, the
     * first is the live set).
     */
    public record Stats(int connections, int rooms, long messagesIn, long publications, long messagesOut,
                        long dropped, long slowConsumerCloses, long heartbeatCloses, long queuedMessages,
                        int maxQueuedMessages, long sends, long sendP50Micros, long sendP99Micros, long sendMaxMicros,
                        String cluster, boolean clusterReachable, int nodes, String node, long clusterFailures,
                        long historyBytes, long historyMaxBytes, long historyEvicted, long duplicatePublishes,
                        long heapUsedBytes, long heapMaxBytes, long queuedBytes, long queueMaxBytes,
                        long queueBudgetRefusals) {
    }

    /** A consistent-enough snapshot, never null. */
    public Stats stats() {
        NodeState.Snapshot s = state.snapshot();
        NodeMetrics.Counters c = metrics.counters();
        Histogram send = metrics.lastSendTimes();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new Stats(s.connections(), s.rooms(), c.messagesIn(), c.publications(), s.sent(), s.dropped(),
                c.slowConsumerCloses(), c.heartbeatCloses(), s.queuedMessages(), s.deepestQueue(), send.getTotalCount(),
                send.getValueAtPercentile(50), send.getValueAtPercentile(99), send.getMaxValue(), s.cluster(),
                s.clusterReachable(), s.nodes(), s.node(), s.clusterFailures(), s.historyBytes(), s.historyMaxBytes(),
                s.historyEvicted(), c.duplicatePublishes(), heap.getUsed(), heap.getMax(), s.queuedBytes(),
                s.queueMaxBytes(), s.queueBudgetRefusals());
    }
}
