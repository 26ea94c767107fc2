package dev.switchboard.engine;

import java.util.Map;

/**
 * What this node holds now, as one immutable snapshot taken in one walk of its connections: what the stats view, the
 * health checks and the metrics adapters read besides the engine's {@link Telemetry} events.
 */
public interface NodeState {

    /**
     * @param connectionsByEndpoint open connections by endpoint: {@code ws} ({@code /ws}), {@code room}
     *                              ({@code /ws/rooms/{room}}), {@code monitor} ({@code /ws/monitor})
     * @param queuedMessages        messages queued now on every connection; {@code deepestQueue} on the deepest one
     * @param sent                  frames sent since start (each batch counts its messages); {@code dropped}: publications
     *                              dropped or conflated for members behind
     * @param queuedBytes           characters queued on this node; {@code queueMaxBytes} its bound (0: none);
     *                              {@code queueBudgetRefusals} messages refused because it was spent
     * @param historyBytes          history held on this node (estimated bytes), its bound, publications evicted for lack of room
     * @param cluster               {@code memory} or {@code redis}; whether its store answered the latest heartbeat, live
     *                              nodes, this node's id, best-effort commands that failed since start
     * @param draining              an operator's drain or shutdown
     */
    record Snapshot(Map<String, Integer> connectionsByEndpoint, int connections, int rooms, long queuedMessages,
                    int deepestQueue, int queueLimitMessages, long sent, long dropped, long queuedBytes,
                    long queueMaxBytes, long queueBudgetRefusals, long historyBytes, long historyMaxBytes,
                    long historyEvicted, String cluster, boolean clusterReachable, int nodes, String node,
                    long clusterFailures, boolean draining) {
    }

    Snapshot snapshot();
}
