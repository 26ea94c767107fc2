package dev.switchboard.engine;

import io.prometheus.metrics.core.metrics.Histogram;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * This node's counters and latency histograms, handed to the parts that count. Thread-safe; every record is a few
 * uncontended atomic adds (no lock, no allocation after the first error of a code).
 */
final class Metrics {

    /** Send durations are recorded up to this (µs); longer ones count as this. */
    static final long SEND_TIME_MAX_MICROS = 60_000_000L;
    /** Bucket bounds (s) of the send and fan-out histograms: 50 µs to 10 s. */
    private static final double[] LATENCY_BOUNDS = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
        0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    final LongAdder messagesIn = new LongAdder();
    final LongAdder publications = new LongAdder();
    /** Publishes answered with an earlier publication: the same idempotency key within the window. */
    final LongAdder duplicatePublishes = new LongAdder();
    final LongAdder slowConsumers = new LongAdder();
    final LongAdder heartbeatCloses = new LongAdder();
    final LongAdder sentByClosed = new LongAdder();
    final LongAdder droppedByClosed = new LongAdder();
    final LongAdder acks = new LongAdder();
    /** {@code error} replies by code; the codes are the protocol's (a fixed, small set). */
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    /** Connections closed by this node, by close code (a small set: CloseCodes and the container's). */
    private final Map<Integer, LongAdder> closes = new ConcurrentHashMap<>();
    /** How long sends take (µs), from start to the container's completion; read once per sweep. */
    private final Recorder sendTimes = new Recorder(SEND_TIME_MAX_MICROS, 2);
    private volatile org.HdrHistogram.Histogram lastSendTimes = new org.HdrHistogram.Histogram(SEND_TIME_MAX_MICROS, 2);
    /** The same sends, for Prometheus (cumulative). */
    final Histogram sendSeconds = Histogram.builder().name("switchboard_send_duration_seconds")
            .help("Time from the start of a send to the container's completion").classicOnly().withoutExemplars()
            .classicUpperBounds(LATENCY_BOUNDS).build();
    /** How long a publication takes to be queued for every member of its room on this node. */
    final Histogram fanOutSeconds = Histogram.builder().name("switchboard_fanout_duration_seconds")
            .help("Time to queue one publication for every member of its room on this node").classicOnly().withoutExemplars()
            .classicUpperBounds(LATENCY_BOUNDS).build();
    /** When the writers last ran a probe task (System.nanoTime); liveness reads it. */
    volatile long writersRanNanos = System.nanoTime();
    /** When the liveness sweep last ran (System.nanoTime). */
    volatile long sweptNanos = System.nanoTime();

    /** A send that started at {@code startedNanos} (0: unknown, not recorded) completed at {@code nowNanos}. */
    void sendTook(long startedNanos, long nowNanos) {
        if (startedNanos != 0) {
            long micros = Math.min(SEND_TIME_MAX_MICROS, Math.max(0, (nowNanos - startedNanos) / 1000));
            sendTimes.recordValue(micros);
            sendSeconds.observe(micros / 1e6);
        }
    }

    void fanOutTook(long nanos) {
        fanOutSeconds.observe(nanos / 1e9);
    }

    void error(String code) {
        errors.computeIfAbsent(code == null ? "unknown" : code, c -> new LongAdder()).increment();
    }

    void closed(int code) {
        closes.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    /** Error replies so far, by code. */
    Map<String, LongAdder> errors() {
        return errors;
    }

    /** Closes so far, by close code. */
    Map<Integer, LongAdder> closes() {
        return closes;
    }

    /** Starts a new interval of send times; the last one is what {@link #sendTimes()} reports. */
    void rollSendTimes() {
        lastSendTimes = sendTimes.getIntervalHistogram(); // a new one each time: readers may still hold the last
    }

    org.HdrHistogram.Histogram sendTimes() {
        return lastSendTimes;
    }
}
