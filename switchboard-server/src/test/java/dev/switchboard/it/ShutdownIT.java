package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import dev.switchboard.client.Events.Closed;
import dev.switchboard.client.Events.Publication;
import dev.switchboard.test.TestClient;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Undeploying the application drains what was accepted, then closes every connection with 1001 (going away): heard
 * by 50 Java clients (which then try to come back, as 1001 allows, and find the application gone). The last
 * acknowledged publication was missed in 3 of 7 CI runs (raw sockets too) until the drain moved to the undeploy's
 * first hook: Undertow closes every session itself in its own listener's contextDestroyed (see HandshakeFilter).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShutdownIT {

    static final String NAME = "shutdown-it";

    @Deployment(name = NAME, testable = false, managed = false)
    static WebArchive deployment() {
        return Deployments.builtWar(NAME);
    }

    @ArquillianResource
    Deployer deployer;

    /** Deploys first: the URL of an unmanaged deployment can only be injected after it is deployed. */
    @Test
    @Order(1)
    void deploy() {
        deployer.deploy(NAME);
    }

    /**
     * Undeploy while a publisher publishes over HTTP without pause: every publication that was acknowledged (202)
     * reaches every member before the member's 1001 — the drain lets what was accepted go out first — and every
     * connection gets 1001.
     */
    @Test
    @Order(2)
    void undeployWithPublicationsInFlightDeliversEveryAcknowledgedOneThenCloses1001(
            @ArquillianResource @OperateOnDeployment(NAME) URL url) throws Exception {
        List<TestClient> clients = new ArrayList<>();
        java.util.Set<Long> acked = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean publishing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.CountDownLatch underWay = new java.util.concurrent.CountDownLatch(200);
        Thread publisher = new Thread(() -> {
            java.net.http.HttpClient http = Quirks.http();
            java.net.URI target = Deployments.base(url).resolve("api/rooms/shutdown/messages");
            for (int i = 0; publishing.get(); i++) {
                try {
                    java.net.http.HttpResponse<String> r = http.send(Deployments.withKey(java.net.http.HttpRequest.newBuilder(target))
                            .header("Content-Type", "application/json").timeout(java.time.Duration.ofSeconds(5))
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"i\":" + i + "}")).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 202) {
                        acked.add(jakarta.json.Json.createReader(new java.io.StringReader(r.body())).readObject()
                                .getJsonNumber("offset").longValue());
                        underWay.countDown();
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    // the application is going away: not acknowledged
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "shutdown-publisher");
        try {
            for (int i = 0; i < 50; i++) {
                TestClient c = TestClient.connect(Deployments.ws(url).resolve("ws"));
                clients.add(c);
                c.join("shutdown");
            }
            publisher.start();
            assertTrue(underWay.await(20, java.util.concurrent.TimeUnit.SECONDS),
                    "publications acknowledged before the undeploy: " + acked.size());
            deployer.undeploy(NAME);
            publishing.set(false);
            publisher.join(10_000);
            for (TestClient c : clients) {
                Closed close = c.awaitClose();
                assertEquals(1001, close.code(), close.toString());
                // everything the client heard before the close, in the order it heard it
                java.util.Set<Long> received = new java.util.HashSet<>();
                for (Object event : c.received()) {
                    if (event instanceof Closed) {
                        break;
                    }
                    if (event instanceof Publication p) {
                        received.add(p.offset());
                    }
                }
                java.util.Set<Long> missing = new java.util.TreeSet<>(acked);
                missing.removeAll(received);
                assertTrue(missing.isEmpty(), c.user() + " missed acknowledged publications " + missing + " of " + acked.size());
            }
        } finally {
            publishing.set(false);
            clients.forEach(TestClient::close);
        }
    }
}
