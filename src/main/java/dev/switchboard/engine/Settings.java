package dev.switchboard.engine;

import java.time.Duration;
import org.eclipse.microprofile.config.Config;

/**
 * Switchboard's settings, read once from MicroProfile Config (system properties, environment variables such as
 * {@code SWITCHBOARD_MAX_MESSAGE_BYTES}, or {@code META-INF/microprofile-config.properties}). The README lists them.
 *
 * @param maxMessageBytes     largest inbound message; larger ones close the connection with 1009
 * @param queueMessages       bound of a connection's outbound queue, in messages; overflow closes it with 4008
 * @param queueBytes          bound of a connection's outbound queue, in characters of queued text
 * @param sendTimeout         longest a single send may take before the connection is closed as a slow consumer
 * @param heartbeat           interval the client is told to ping at (and the server's own ping interval)
 * @param historySize         messages kept per room for recovery
 * @param historyTtl          longest a message is kept for recovery
 * @param writerThreads       threads that drain outbound queues (never blocked by a slow client)
 */
public record Settings(int maxMessageBytes, int queueMessages, long queueBytes, Duration sendTimeout,
                       Duration heartbeat, int historySize, Duration historyTtl, int writerThreads) {

    public static final String PREFIX = "switchboard.";

    /** The defaults, as documented in the README. */
    public static Settings defaults() {
        return new Settings(64 * 1024, 10_000, 8L * 1024 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(25),
                1000, Duration.ofMinutes(5), Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    /** Reads every setting from {@code config}, falling back to {@link #defaults()}. */
    public static Settings from(Config config) {
        Settings d = defaults();
        return new Settings(
                config.getOptionalValue(PREFIX + "max-message-bytes", Integer.class).orElse(d.maxMessageBytes()),
                config.getOptionalValue(PREFIX + "queue.max-messages", Integer.class).orElse(d.queueMessages()),
                config.getOptionalValue(PREFIX + "queue.max-bytes", Long.class).orElse(d.queueBytes()),
                Duration.ofMillis(config.getOptionalValue(PREFIX + "send-timeout-ms", Long.class)
                        .orElse(d.sendTimeout().toMillis())),
                Duration.ofMillis(config.getOptionalValue(PREFIX + "heartbeat-ms", Long.class)
                        .orElse(d.heartbeat().toMillis())),
                config.getOptionalValue(PREFIX + "history.size", Integer.class).orElse(d.historySize()),
                Duration.ofSeconds(config.getOptionalValue(PREFIX + "history.ttl-seconds", Long.class)
                        .orElse(d.historyTtl().toSeconds())),
                config.getOptionalValue(PREFIX + "writer-threads", Integer.class).orElse(d.writerThreads()));
    }
}
