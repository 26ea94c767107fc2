package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Many publishers, each on its own connection and container thread, sending into one room at once: every member
 * receives every message once, offsets without gaps, each publisher's order kept, and no send ever overlaps
 * (overlapping sends on one session throw on every container).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ConcurrencyIT {

    static final int PUBLISHERS = 8;
    static final int EACH = 250;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar("concurrency-it");
    }

    @ArquillianResource
    URL url;

    @Test
    void manyThreadsPublishingToOneSubscriberLoseNothingAndKeepOrder() throws Exception {
        URI ws = Deployments.ws(url);
        List<WsClient> publishers = new ArrayList<>();
        try (WsClient subscriber = WsClient.connect(ws)) {
            long base = subscriber.send(ProtocolIT.msg("join", "s", "room", "crowd")).expect("joined")
                    .getJsonNumber("offset").longValue();
            for (int p = 0; p < PUBLISHERS; p++) {
                WsClient publisher = WsClient.connect(ws);
                publishers.add(publisher);
                publisher.send(ProtocolIT.msg("join", "j", "room", "crowd")).expect("joined");
            }
            assertEquals("sync", subscriber.send(ProtocolIT.msg("ping", "sync")).expect("pong").getString("re"));

            ExecutorService threads = Executors.newFixedThreadPool(PUBLISHERS);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                int sender = p;
                WsClient publisher = publishers.get(p);
                done.add(threads.submit(() -> {
                    assertTrue(start.await(10, TimeUnit.SECONDS));
                    for (int i = 0; i < EACH; i++) {
                        publisher.send(Json.createObjectBuilder().add("type", "publish").add("id", "m" + i)
                                .add("room", "crowd").add("data", Json.createObjectBuilder().add("s", sender).add("n", i)).build());
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            threads.shutdown();

            int[] next = new int[PUBLISHERS];
            Set<Long> offsets = new HashSet<>();
            for (int k = 0; k < PUBLISHERS * EACH; k++) {
                JsonObject m = subscriber.expect("message");
                long offset = m.getJsonNumber("offset").longValue();
                assertEquals(base + k + 1, offset, "offsets arrive in order, without gaps");
                assertTrue(offsets.add(offset), "duplicate offset " + offset);
                JsonObject data = m.getJsonObject("data");
                int s = data.getInt("s");
                assertEquals(next[s]++, data.getInt("n"), "order of publisher " + s);
            }
            for (WsClient publisher : publishers) {
                for (int i = 0; i < EACH; i++) {
                    assertEquals("m" + i, publisher.skipTo("ack").getString("re"), "acks in order");
                }
                assertTrue(publisher.isOpen(), "publisher closed: " + publisher.closeInfo());
            }
            assertEquals("end", subscriber.send(ProtocolIT.msg("ping", "end")).expect("pong").getString("re"));
        } finally {
            publishers.forEach(WsClient::close);
        }
    }
}
