package dev.switchboard.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * How a {@link SwitchboardClient} connects, with the JavaScript client's defaults (switchboard-js DEFAULTS):
 * {@code ClientOptions.builder().credentials(…).build()}.
 *
 * @param protocols         offered in order; {@code switchboard.v1.batch} first (several messages per frame)
 * @param connectTimeout    an attempt not open by then is abandoned and retried
 * @param reconnectInitial  the first retry waits a random time up to this (full jitter) …
 * @param reconnectMax      … and the cap doubles per attempt up to this
 * @param reconnectMinUptime the attempt count resets only after a connection stayed up this long
 * @param requestTimeout    publish, send, request, presence and refresh fail with {@code timeout} after this
 * @param offlineQueueSize  publishes and sends made while not open wait here (the oldest fails beyond)
 * @param pingInterval      the client's {@code ping}; zero: the server's {@code welcome.heartbeatMs}
 * @param credentials       {@code bearer.<JWT>} or {@code ticket.<ticket>}, asked before every attempt and again
 *                          ahead of expiry to refresh without reconnecting; null: anonymous
 * @param refreshAheadRatio refresh once this share of the credentials' lifetime has passed (at least 1 s before)
 * @param transport         null: {@link JakartaTransport#standard()}
 * @param codec             null: {@link Codec#standard()}
 * @param scheduler         null: a daemon thread of the client's own
 * @param random            the jitter's source, in [0, 1)
 * @param headers           added to every handshake request: the application's own {@code Authorization}, when its
 *                          mechanism authenticates the socket (README "Use it in your application")
 */
public record ClientOptions(List<String> protocols, Duration connectTimeout, Duration reconnectInitial,
                            Duration reconnectMax, Duration reconnectMinUptime, Duration requestTimeout,
                            int offlineQueueSize, Duration pingInterval,
                            Supplier<? extends CompletionStage<String>> credentials, double refreshAheadRatio,
                            Transport transport, Codec codec, Scheduler scheduler, DoubleSupplier random,
                            Map<String, List<String>> headers) {

    public static final String PROTOCOL = "switchboard.v1";
    public static final String BATCH_PROTOCOL = "switchboard.v1.batch";

    public static Builder builder() {
        return new Builder();
    }

    public static ClientOptions defaults() {
        return builder().build();
    }

    /** Full-jitter exponential backoff: a random delay between 0 and min(max, initial × 2^attempt). */
    long backoffMillis(int attempt) {
        double cap = Math.min(reconnectMax.toMillis(), reconnectInitial.toMillis() * Math.pow(2, Math.min(attempt, 30)));
        return (long) Math.floor(random.getAsDouble() * cap);
    }

    /** Builds {@link ClientOptions}; every setting has the default above. */
    public static final class Builder {
        private List<String> protocols = List.of(BATCH_PROTOCOL, PROTOCOL);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration reconnectInitial = Duration.ofMillis(500);
        private Duration reconnectMax = Duration.ofSeconds(30);
        private Duration reconnectMinUptime = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private int offlineQueueSize = 100;
        private Duration pingInterval = Duration.ZERO;
        private Supplier<? extends CompletionStage<String>> credentials;
        private double refreshAheadRatio = 0.75;
        private Transport transport;
        private Codec codec;
        private Scheduler scheduler;
        private DoubleSupplier random = Math::random;
        private Map<String, List<String>> headers = Map.of();

        public Builder protocols(List<String> protocols) {
            this.protocols = List.copyOf(protocols);
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder reconnectDelays(Duration initial, Duration max) {
            this.reconnectInitial = initial;
            this.reconnectMax = max;
            return this;
        }

        public Builder reconnectMinUptime(Duration reconnectMinUptime) {
            this.reconnectMinUptime = reconnectMinUptime;
            return this;
        }

        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        public Builder offlineQueueSize(int offlineQueueSize) {
            this.offlineQueueSize = offlineQueueSize;
            return this;
        }

        public Builder pingInterval(Duration pingInterval) {
            this.pingInterval = pingInterval;
            return this;
        }

        /** Asked before every attempt (tickets are single-use, tokens expire) and ahead of expiry. */
        public Builder credentials(Supplier<? extends CompletionStage<String>> credentials) {
            this.credentials = credentials;
            return this;
        }

        public Builder refreshAheadRatio(double refreshAheadRatio) {
            this.refreshAheadRatio = refreshAheadRatio;
            return this;
        }

        public Builder transport(Transport transport) {
            this.transport = transport;
            return this;
        }

        /**
         * {@code wss://} trusting what {@code sslContext} trusts (e.g. a private CA) on the standard transport:
         * {@code transport(JakartaTransport.standard().withSslContext(sslContext))}.
         */
        public Builder sslContext(javax.net.ssl.SSLContext sslContext) {
            return transport(JakartaTransport.standard().withSslContext(sslContext));
        }

        public Builder codec(Codec codec) {
            this.codec = codec;
            return this;
        }

        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        public Builder random(DoubleSupplier random) {
            this.random = random;
            return this;
        }

        /** A header on every handshake request, e.g. {@code header("Authorization", "Basic …")}. */
        public Builder header(String name, String value) {
            Map<String, List<String>> all = new java.util.LinkedHashMap<>(headers);
            all.put(name, List.of(value));
            this.headers = Map.copyOf(all);
            return this;
        }

        public ClientOptions build() {
            if (protocols.isEmpty() || offlineQueueSize < 0 || refreshAheadRatio <= 0 || refreshAheadRatio > 1) {
                throw new IllegalArgumentException("protocols must not be empty, offlineQueueSize ≥ 0, refreshAheadRatio in (0, 1]");
            }
            return new ClientOptions(protocols, connectTimeout, reconnectInitial, reconnectMax, reconnectMinUptime,
                    requestTimeout, offlineQueueSize, pingInterval, credentials, refreshAheadRatio, transport, codec,
                    scheduler, random, headers);
        }
    }
}
