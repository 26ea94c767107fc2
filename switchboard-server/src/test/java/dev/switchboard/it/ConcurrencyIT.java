package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.client.Events.Ack;
import dev.switchboard.client.Events.Publication;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.test.Await;
import dev.switchboard.test.TestClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
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
 * Many publishers, each on its own connection (Java clients, each publishing from a thread of its own), sending into
 * one room at once: every member receives every message once, offsets without gaps, each publisher's order kept, its
 * acks in order, and no send ever overlaps (overlapping sends on one session throw on every container).
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
        URI ws = Deployments.ws(url).resolve("ws");
        List<SwitchboardClient> publishers = new ArrayList<>();
        try (TestClient subscriber = TestClient.connect(ws)) {
            long base = subscriber.join("crowd").offset();
            for (int p = 0; p < PUBLISHERS; p++) {
                SwitchboardClient publisher = SwitchboardClient.connect(ws);
                publishers.add(publisher);
                Await.value(publisher.join("crowd").ready(), () -> "a publisher joined");
            }

            ExecutorService threads = Executors.newFixedThreadPool(PUBLISHERS);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<CompletionStage<Ack>>>> sent = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                int sender = p;
                SwitchboardClient publisher = publishers.get(p);
                sent.add(threads.submit(() -> {
                    assertTrue(start.await(10, TimeUnit.SECONDS));
                    List<CompletionStage<Ack>> acks = new ArrayList<>();
                    for (int i = 0; i < EACH; i++) {
                        acks.add(publisher.publish("crowd", Json.createObjectBuilder().add("s", sender).add("n", i).build()));
                    }
                    return acks;
                }));
            }
            start.countDown();
            for (int p = 0; p < PUBLISHERS; p++) {
                long previous = -1;
                for (CompletionStage<Ack> ack : sent.get(p).get(60, TimeUnit.SECONDS)) {
                    long offset = Await.value(ack, () -> "an ack").offset();
                    assertTrue(offset > previous, "a publisher's acks follow its order: " + previous + " then " + offset);
                    previous = offset;
                }
            }
            threads.shutdown();

            int[] next = new int[PUBLISHERS];
            Set<Long> offsets = new HashSet<>();
            List<Publication> all = subscriber.awaitMessages("crowd", PUBLISHERS * EACH);
            for (int k = 0; k < all.size(); k++) {
                Publication m = all.get(k);
                assertEquals(base + k + 1, m.offset(), "offsets arrive in order, without gaps");
                assertTrue(offsets.add(m.offset()), "duplicate offset " + m.offset());
                JsonObject data = m.data().asJsonObject();
                int s = data.getInt("s");
                assertEquals(next[s]++, data.getInt("n"), "order of publisher " + s);
            }
            for (SwitchboardClient publisher : publishers) {
                assertEquals(SwitchboardClient.State.OPEN, publisher.state(), "no publisher was closed");
            }
        } finally {
            publishers.forEach(SwitchboardClient::close);
        }
    }
}
