package dev.switchboard.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client on its real event thread: a call made after it closed for good answers at once. */
class ThreadSchedulerTest {

    @Test
    void aCallOnAClosedClientFailsWithClosedInsteadOfNeverAnswering() throws Exception {
        FakeTransport transport = new FakeTransport();
        SwitchboardClient client = SwitchboardClient.connect(URI.create("ws://x/ws"), ClientOptions.builder().transport(transport).build());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (transport.attempts.isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(1, transport.attempts.size(), "the client made its attempt");
        transport.last().open();
        assertEquals("guest", client.ready().toCompletableFuture().get(5, TimeUnit.SECONDS).user());
        client.close();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (client.state() != SwitchboardClient.State.CLOSED && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(SwitchboardClient.State.CLOSED, client.state());
        CompletableFuture<?> late = client.publish("room", 1).toCompletableFuture();
        try {
            late.get(2, TimeUnit.SECONDS);
            throw new AssertionError("a publish on a closed client succeeded");
        } catch (ExecutionException e) {
            assertEquals("closed", ((SwitchboardException) e.getCause()).code());
        }
        assertTrue(client.join("room").ready().toCompletableFuture().isCompletedExceptionally(), "a join too");
    }
}
