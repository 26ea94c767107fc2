package dev.switchboard.client;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The client's operations in flight and those waiting for a connection: ids, answers matched by {@code re},
 * timeouts, the bounded offline queue, and which of them go again after a reconnect (publishes with their
 * idempotency key, so that each lands once). Event thread only.
 */
final class Calls {

    /** An operation sent and not yet answered. */
    private record Pending(JsonObject message, CompletableFuture<JsonObject> answer, Scheduler.Cancellable timer) {
    }

    /** An operation waiting for the connection. */
    record Queued(JsonObject message, CompletableFuture<JsonObject> answer) {
    }

    private final Scheduler scheduler;
    private final int offlineLimit;
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private final Deque<Queued> offline = new ArrayDeque<>();
    private long nextId = 1;

    Calls(Scheduler scheduler, int offlineLimit) {
        this.scheduler = scheduler;
        this.offlineLimit = offlineLimit;
    }

    String nextId(String prefix) {
        return prefix + nextId++;
    }

    /** Sends {@code message} with a new id; the answer completes {@code answer}, or {@code timeout} fails it. */
    void call(JsonObject message, CompletableFuture<JsonObject> answer, Duration timeout, Consumer<String> send) {
        String id = nextId("");
        Scheduler.Cancellable timer = scheduler.schedule(() -> {
            if (pending.remove(id) != null) {
                answer.completeExceptionally(new SwitchboardException("timeout",
                        "no answer to " + message.getString("type") + " within " + timeout.toMillis() + " ms"));
            }
        }, timeout);
        pending.put(id, new Pending(message, answer, timer));
        send.accept(Json.createObjectBuilder(message).add("id", id).build().toString());
    }

    /** Waits for the connection; beyond the bound the oldest waiting one fails with {@code offline_queue_full}. */
    /** On the event thread: sent now when {@code link} is open, queued until it opens, failed once it is closed. */
    CompletableFuture<JsonObject> callOrQueue(JsonObject message, Scheduler scheduler, Link link, Duration timeout) {
        CompletableFuture<JsonObject> answer = new CompletableFuture<>();
        scheduler.execute(() -> {
            switch (link.state()) {
                case OPEN -> call(message, answer, timeout, link::send);
                case CLOSED -> answer.completeExceptionally(new SwitchboardException("closed", "the client is closed"));
                default -> queue(message, answer);
            }
        });
        return answer;
    }

    /** On the event thread: sent now when {@code link} is open, else failed with {@code disconnected}. */
    CompletableFuture<JsonObject> callIfOpen(JsonObject message, Scheduler scheduler, Link link, Duration timeout) {
        CompletableFuture<JsonObject> answer = new CompletableFuture<>();
        scheduler.execute(() -> {
            if (link.state() == SwitchboardClient.State.OPEN) {
                call(message, answer, timeout, link::send);
            } else {
                answer.completeExceptionally(new SwitchboardException("disconnected", "not connected"));
            }
        });
        return answer;
    }

    void queue(JsonObject message, CompletableFuture<JsonObject> answer) {
        offline.addLast(new Queued(message, answer));
        if (offline.size() > offlineLimit) {
            offline.removeFirst().answer().completeExceptionally(
                    new SwitchboardException("offline_queue_full", "dropped from the full offline queue"));
        }
    }

    /** What waited for the connection, in order; the queue is empty afterwards. */
    List<Queued> drain() {
        List<Queued> all = new ArrayList<>(offline);
        offline.clear();
        return all;
    }

    /**
     * Completes the operation {@code answer.re} names. Returns false when none waits for it. A publish the server
     * refused with {@code unavailable} (shutting down, nothing taken) waits for the next connection instead.
     */
    boolean settle(JsonObject answer) {
        String re = answer.getString("re", null);
        Pending call = re == null ? null : pending.remove(re);
        if (call == null) {
            return false;
        }
        call.timer().cancel();
        boolean error = "error".equals(answer.getString("type", ""));
        String code = error ? answer.getString("code", "internal") : null;
        if ("unavailable".equals(code) && "publish".equals(call.message().getString("type"))) {
            offline.addLast(new Queued(call.message(), call.answer()));
        } else if (error) {
            call.answer().completeExceptionally(new SwitchboardException(code, answer.getString("message", null),
                    answer.getJsonObject("details")));
        } else {
            call.answer().complete(answer);
        }
        return true;
    }

    /**
     * The connection closed. Publishes in flight go first in the offline queue when the client reconnects (they may
     * or may not have landed; their key makes them land once); every other operation fails with {@code disconnected}.
     */
    void disconnected(int code, boolean reconnects) {
        List<Queued> again = new ArrayList<>();
        for (Pending call : pending.values()) {
            call.timer().cancel();
            if (reconnects && "publish".equals(call.message().getString("type")) && call.message().containsKey("key")) {
                again.add(new Queued(call.message(), call.answer()));
            } else {
                call.answer().completeExceptionally(new SwitchboardException("disconnected",
                        "the connection closed (" + code + ") before the answer"));
            }
        }
        pending.clear();
        for (int i = again.size() - 1; i >= 0; i--) {
            offline.addFirst(again.get(i));
        }
    }

    /** Fails everything in flight or waiting with {@code error}. */
    void failAll(SwitchboardException error) {
        pending.values().forEach(call -> {
            call.timer().cancel();
            call.answer().completeExceptionally(error);
        });
        pending.clear();
        offline.forEach(q -> q.answer().completeExceptionally(error));
        offline.clear();
    }
}
