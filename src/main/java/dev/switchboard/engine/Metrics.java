package dev.switchboard.engine;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** This node's counters and the send-latency histogram, handed to the parts that count. Thread-safe. */
final class Metrics {

    /** Send durations are recorded up to this (µs); longer ones count as this. */
    static final long SEND_TIME_MAX_MICROS = 60_000_000L;

    final LongAdder messagesIn = new LongAdder();
    final LongAdder publications = new LongAdder();
    /** Publishes answered with an earlier publication: the same idempotency key within the window. */
    final LongAdder duplicatePublishes = new LongAdder();
    final LongAdder slowConsumers = new LongAdder();
    final LongAdder heartbeatCloses = new LongAdder();
    final LongAdder sentByClosed = new LongAdder();
    final LongAdder droppedByClosed = new LongAdder();
    /** How long sends take (µs), from start to the container's completion; read once per sweep. */
    private final Recorder sendTimes = new Recorder(SEND_TIME_MAX_MICROS, 2);
    private volatile Histogram lastSendTimes = new Histogram(SEND_TIME_MAX_MICROS, 2);

    /** A send that started at {@code startedNanos} (0: unknown, not recorded) completed at {@code nowNanos}. */
    void sendTook(long startedNanos, long nowNanos) {
        if (startedNanos != 0) {
            sendTimes.recordValue(Math.min(SEND_TIME_MAX_MICROS, Math.max(0, (nowNanos - startedNanos) / 1000)));
        }
    }

    /** Starts a new interval of send times; the last one is what {@link #sendTimes()} reports. */
    void rollSendTimes() {
        lastSendTimes = sendTimes.getIntervalHistogram(); // a new one each time: readers may still hold the last
    }

    Histogram sendTimes() {
        return lastSendTimes;
    }
}
