package dev.switchboard.engine;

import dev.switchboard.config.RoomPolicy;
import dev.switchboard.config.Settings;
import dev.switchboard.config.SlowConsumerPolicy;
import dev.switchboard.protocol.Codec;
import jakarta.json.Json;
import jakarta.json.JsonValue;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * What tag filters cost the fan-out: one room of 10 000 members on one engine, bursts of publications, every frame
 * counted as the writers hand it to the transport (which completes at once: the engine's cost, not a network's).
 * Variants: {@code plain} (no tags, nobody filters: the code path before filters existed), {@code tags} (tagged
 * publications, nobody filters), {@code half} (half the members filter {@code region=eu}; publications alternate eu
 * and us), {@code all} (every member filters). Only {@code plain} uses nothing but what existed before tags, so the
 * same file runs on the commit before them for the before/after. Not a test; run on demand (test sources):
 * {@code mvn -B -q -pl switchboard test-compile exec:java -Dexec.mainClass=dev.switchboard.engine.TagFilterBench
 * -Dexec.classpathScope=test -Dexec.args="plain tags half all"}.
 */
public final class TagFilterBench {

    private static final int MEMBERS = Integer.getInteger("bench.members", 10_000);
    private static final int BURST = Integer.getInteger("bench.burst", 100);
    private static final int SECONDS = Integer.getInteger("bench.seconds", 5);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

    private TagFilterBench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> variants = args.length == 0 ? List.of("plain", "tags", "half", "all") : List.of(args);
        List<String> rows = new ArrayList<>();
        rows.add("| round | variant | publications/s | deliveries/s | publish call µs (fan-out of one) | ns per member |");
        rows.add("|---|---|---|---|---|---|");
        for (int round = 1; round <= ROUNDS; round++) { // alternated: the machine drifts between runs
            for (String variant : variants) {
                String row = "| " + round + " | " + variant + " " + run(variant);
                System.out.println(row);
                rows.add(row);
            }
        }
        System.out.println(String.join("\n", rows));
        System.exit(0);
    }

    private static String run(String variant) throws Exception {
        EngineFixture fixture = new EngineFixture();
        Settings settings = EngineFixture.settings().queue(10_000)
                .room(new RoomPolicy(100, Duration.ofMinutes(5), SlowConsumerPolicy.DISCONNECT, 0, 1)).build(); // presence: not at this size
        Hub hub = new Hub(settings, fixture.writers, fixture.timers, e -> { }, List.of());
        LongAdder sent = new LongAdder(); // message frames
        LongAdder joined = new LongAdder();
        Transport counting = new Transport() {
            @Override
            public void sendText(String text, Consumer<Throwable> done) {
                if (text.startsWith("{\"type\":\"message\"")) {
                    sent.increment();
                } else if (text.startsWith("{\"type\":\"joined\"")) {
                    joined.increment();
                }
                done.accept(null);
            }

            @Override
            public void sendBinary(ByteBuffer data, Consumer<Throwable> done) {
                sent.increment();
                done.accept(null);
            }

            @Override
            public void ping(ByteBuffer payload) {
            }

            @Override
            public void close(int code, String reason) {
            }
        };
        try {
            for (int i = 0; i < MEMBERS; i++) {
                Connection c = hub.open(counting, "m" + i, "/ws", false);
                boolean filters = variant.equals("all") || (variant.equals("half") && i % 2 == 0);
                if (filters) { // decoded from the wire: compiles on the commit before filters too
                    hub.dispatch(c, Codec.decode("{\"type\":\"join\",\"id\":\"j\",\"room\":\"bench\",\"filter\":{\"region\":\"eu\"}}"));
                } else if (!hub.join(c, "j", "bench", null, null)) {
                    throw new IllegalStateException("join refused");
                }
            }
            await(joined, MEMBERS); // every joined frame
            Method tagged = variant.equals("plain") ? null
                    : Hub.class.getMethod("publish", String.class, JsonValue.class, Map.class, String.class);
            long[] counted = {0};
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2); // warm-up
            while (System.nanoTime() < until) {
                burst(hub, tagged, variant, sent, counted, new long[1]);
            }
            long published = 0;
            long deliveries = 0;
            long[] publishNanos = new long[1];
            long started = System.nanoTime();
            until = started + TimeUnit.SECONDS.toNanos(SECONDS);
            while (System.nanoTime() < until) {
                deliveries += burst(hub, tagged, variant, sent, counted, publishNanos);
                published += BURST;
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            double perPublishMicros = publishNanos[0] / 1e3 / published;
            return String.format("| %,.0f | %,.0f | %.1f | %.1f |", published / seconds, deliveries / seconds,
                    perPublishMicros, perPublishMicros * 1000 / MEMBERS);
        } finally {
            hub.shutdown();
            fixture.close();
        }
    }

    /** Publishes one burst and waits until every delivery it makes was handed to the transport; how many. */
    private static long burst(Hub hub, Method tagged, String variant, LongAdder sent, long[] counted, long[] publishNanos)
            throws Exception {
        long expected = 0;
        for (int i = 0; i < BURST; i++) {
            boolean eu = i % 2 == 0;
            JsonValue data = Json.createObjectBuilder().add("symbol", "EURUSD").add("price", 1.0842 + i)
                    .add("region", eu ? "eu" : "us").add("seq", i).build();
            long t0 = System.nanoTime();
            if (tagged == null) {
                hub.publish("bench", data);
            } else {
                tagged.invoke(hub, "bench", data, Map.of("region", eu ? "eu" : "us"), null);
            }
            publishNanos[0] += System.nanoTime() - t0;
            expected += switch (variant) {
                case "half" -> MEMBERS / 2 + (eu ? MEMBERS / 2 : 0);
                case "all" -> eu ? MEMBERS : 0;
                default -> MEMBERS;
            };
        }
        counted[0] += expected;
        await(sent, counted[0]);
        return expected;
    }

    private static void await(LongAdder sent, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (sent.sum() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("delivered " + sent.sum() + " of " + count + " within 60 s");
            }
            Thread.onSpinWait();
        }
        if (sent.sum() != count) {
            throw new IllegalStateException("delivered " + sent.sum() + ", expected exactly " + count);
        }
    }
}
