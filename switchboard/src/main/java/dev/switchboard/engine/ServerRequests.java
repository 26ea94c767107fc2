package dev.switchboard.engine;

import dev.switchboard.RequestHandler.RequestFailure;
import dev.switchboard.protocol.ClientMessage;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.ServerMessage;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Server-to-client requests: ids, timeouts, and their completion by the client's {@code reply}. Thread-safe. */
final class ServerRequests {

    /** A request awaiting its answer. */
    record Pending(CompletableFuture<JsonValue> answer, ScheduledFuture<?> timeout) {
    }

    private final AtomicLong ids = new AtomicLong();
    private final ScheduledExecutorService scheduler;

    ServerRequests(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    CompletionStage<JsonValue> ask(Connection connection, String method, JsonValue data, Duration timeout) {
        CompletableFuture<JsonValue> answer = new CompletableFuture<>();
        if (connection == null || connection.isClosing()) {
            answer.completeExceptionally(new RequestFailure("unknown_connection", "no such open connection"));
            return answer;
        }
        String id = "s" + ids.incrementAndGet();
        ScheduledFuture<?> timer = scheduler.schedule(() -> {
            Pending p = connection.removePending(id);
            if (p != null) {
                p.answer().completeExceptionally(new RequestFailure("timeout", "no reply to '" + method + "' within " + timeout));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        connection.pending().put(id, new Pending(answer, timer));
        if (!connection.enqueue(Codec.encode(new ServerMessage.Request(id, method, data == null ? JsonValue.NULL : data)))) {
            fail(connection, id, "disconnected");
        }
        return answer;
    }

    /** The client answered; an answer to an unknown or expired request is ignored (it may have timed out). */
    void answered(Connection connection, ClientMessage.Reply reply) {
        Pending p = connection.removePending(reply.re());
        if (p == null) {
            return;
        }
        p.timeout().cancel(false);
        if (reply.error() != null) {
            p.answer().completeExceptionally(new RequestFailure(reply.error(),
                    reply.message() == null ? "the client refused" : reply.message()));
        } else {
            p.answer().complete(reply.data() == null ? JsonValue.NULL : reply.data());
        }
    }

    /** The connection closed: every request still waiting fails with {@code disconnected}. */
    void closed(Connection connection) {
        for (String id : connection.pendingIds()) {
            fail(connection, id, "disconnected");
        }
    }

    private static void fail(Connection connection, String id, String code) {
        Pending p = connection.removePending(id);
        if (p != null) {
            p.timeout().cancel(false);
            p.answer().completeExceptionally(new RequestFailure(code, "the connection closed before it answered"));
        }
    }
}
