package dev.switchboard.telemetry;

import dev.switchboard.cluster.StoreTelemetry;
import dev.switchboard.engine.Telemetry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The node's own record of what its engine and its store link said happened ({@link Telemetry},
 * {@link StoreTelemetry}): counters, and the latency of sends, fan-outs and store commands, each recorded once, as it
 * happens, into a wait-free HdrHistogram {@link Recorder}. Once per sweep the recorders are rolled: the last interval
 * is what the stats view reports (send p50/p99/max), and it is added to a cumulative histogram that the Prometheus
 * export reads at scrape time — so a series lags at most one sweep (about a second). Thread-safe.
 */
public final class NodeMetrics implements Telemetry, StoreTelemetry {

    /** Durations are recorded up to this (µs); longer ones count as this. */
    static final long MAX_MICROS = 60_000_000L;

    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder publications = new LongAdder();
    private final LongAdder duplicatePublishes = new LongAdder();
    private final LongAdder acks = new LongAdder();
    private final LongAdder slowConsumers = new LongAdder();
    private final LongAdder heartbeatCloses = new LongAdder();
    private final LongAdder storeBlockingFailures = new LongAdder();
    private final LongAdder storeAsyncFailures = new LongAdder();
    /** {@code error} replies by code; the codes are the protocol's (a fixed, small set). */
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    /** Connections closed, by close code (a small set: CloseCodes and the container's). */
    private final Map<Integer, LongAdder> closes = new ConcurrentHashMap<>();
    private final Latency sends = new Latency();
    private final Latency fanOuts = new Latency();
    private final Latency storeCommands = new Latency();
    private volatile long writersRanNanos = System.nanoTime();
    private volatile long sweptNanos = System.nanoTime();

    /** The counters now, for the stats view and the scrape. */
    public record Counters(long messagesIn, long publications, long duplicatePublishes, long acks, long slowConsumerCloses,
                           long heartbeatCloses, long storeBlockingFailures, long storeAsyncFailures) {
    }

    // ------------------------------------------------------------------ the engine's events

    @Override
    public void messageReceived() {
        messagesIn.increment();
    }

    @Override
    public void published() {
        publications.increment();
    }

    @Override
    public void duplicatePublished() {
        duplicatePublishes.increment();
    }

    @Override
    public void acked() {
        acks.increment();
    }

    @Override
    public void errorAnswered(String code) {
        errors.computeIfAbsent(code == null ? "unknown" : code, c -> new LongAdder()).increment();
    }

    @Override
    public void connectionClosed(int code) {
        closes.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    @Override
    public void slowConsumerClosed() {
        slowConsumers.increment();
    }

    @Override
    public void heartbeatClosed() {
        heartbeatCloses.increment();
    }

    @Override
    public void sendCompleted(long nanos) {
        sends.record(nanos);
    }

    @Override
    public void fannedOut(int members, long nanos) {
        fanOuts.record(nanos);
    }

    @Override
    public void writersRan() {
        writersRanNanos = System.nanoTime();
    }

    @Override
    public void swept() {
        sweptNanos = System.nanoTime();
        sends.roll();
        fanOuts.roll();
        storeCommands.roll();
    }

    // ------------------------------------------------------------------ the store link's events

    @Override
    public void commandCompleted(long nanos) {
        storeCommands.record(nanos);
    }

    @Override
    public void commandFailed(boolean blocking) {
        (blocking ? storeBlockingFailures : storeAsyncFailures).increment();
    }

    // ------------------------------------------------------------------ what the adapters read

    public Counters counters() {
        return new Counters(messagesIn.sum(), publications.sum(), duplicatePublishes.sum(), acks.sum(),
                slowConsumers.sum(), heartbeatCloses.sum(), storeBlockingFailures.sum(), storeAsyncFailures.sum());
    }

    /** Error replies so far, by code. */
    public Map<String, Long> errors() {
        return sums(errors);
    }

    /** Closes so far, by close code. */
    public Map<Integer, Long> closes() {
        return sums(closes);
    }

    /** Sends completed in the last sweep interval, in µs. */
    public Histogram lastSendTimes() {
        return sends.last;
    }

    /** Every send since start (up to the last sweep), in µs. */
    public Histogram sendTimes() {
        return sends.cumulative();
    }

    /** Every fan-out since start (up to the last sweep), in µs. */
    public Histogram fanOutTimes() {
        return fanOuts.cumulative();
    }

    /** Every store command since start (up to the last sweep), in µs. */
    public Histogram storeCommandTimes() {
        return storeCommands.cumulative();
    }

    /** How long ago the writers last ran their probe. */
    public long writersRanNanosAgo() {
        return System.nanoTime() - writersRanNanos;
    }

    /** How long ago the liveness sweep last ran. */
    public long sweptNanosAgo() {
        return System.nanoTime() - sweptNanos;
    }

    private static <K> Map<K, Long> sums(Map<K, LongAdder> adders) {
        Map<K, Long> sums = new java.util.HashMap<>();
        adders.forEach((k, v) -> sums.put(k, v.sum()));
        return Map.copyOf(sums);
    }

    /** One latency: recorded wait-free; its last interval and its whole history, rolled once per sweep. */
    private static final class Latency {
        private final Recorder recorder = new Recorder(MAX_MICROS, 2);
        private final Histogram total = new Histogram(MAX_MICROS, 2);
        /** The last interval: a new instance each roll, so readers may keep the one they hold. */
        private volatile Histogram last = new Histogram(MAX_MICROS, 2);

        void record(long nanos) {
            recorder.recordValue(Math.min(MAX_MICROS, Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos))));
        }

        void roll() {
            Histogram interval = recorder.getIntervalHistogram();
            synchronized (total) {
                total.add(interval);
            }
            last = interval;
        }

        Histogram cumulative() {
            synchronized (total) {
                return total.copy();
            }
        }
    }
}
