package dev.switchboard.client;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What keeps one open connection alive, on the event thread: the client's {@code ping} every interval (no answer
 * of any kind for a whole interval: the connection is dead, close it with 4000 and reconnect), and the credentials
 * refreshed over the connection ahead of their expiry (a failed refresh is tried again at half the time left; if they
 * run out all the same the server closes with 4001 and the client reconnects with fresh ones).
 */
final class Liveness {

    private final Scheduler scheduler;
    private final ClientOptions options;
    private Scheduler.Cancellable pingTimer;
    private Scheduler.Cancellable refreshTimer;
    private boolean awaitingPong;
    private long generation;

    Liveness(Scheduler scheduler, ClientOptions options) {
        this.scheduler = scheduler;
        this.options = options;
    }

    /** Anything from the server shows the connection is alive. */
    void heard() {
        awaitingPong = false;
    }

    void startPings(long intervalMs, Consumer<String> ping, Runnable dead) {
        long mine = generation;
        if (intervalMs <= 0) {
            return;
        }
        pingTimer = scheduler.schedule(() -> {
            if (mine != generation) {
                return;
            }
            if (awaitingPong) {
                dead.run();
                return;
            }
            awaitingPong = true;
            ping.accept("ping-" + scheduler.nowMillis());
            startPings(intervalMs, ping, dead);
        }, Duration.ofMillis(intervalMs));
    }

    /**
     * Schedules a refresh ahead of {@code expiresInMs}: {@code refresh} sends the new credential and answers with the
     * server's {@code refreshed} (its {@code expiresInMs} schedules the next one).
     */
    void scheduleRefresh(Long expiresInMs, Function<String, CompletionStage<JsonObject>> refresh,
                         Consumer<Long> refreshed, Consumer<SwitchboardException> failed) {
        cancel(refreshTimer);
        Supplier<? extends CompletionStage<String>> credentials = options.credentials();
        if (expiresInMs == null || credentials == null) {
            return;
        }
        long ahead = (long) Math.min(expiresInMs * options.refreshAheadRatio(), expiresInMs - 1000);
        long left = expiresInMs - Math.max(0, ahead);
        refreshTimer = scheduler.schedule(() -> refresh(left, refresh, refreshed, failed), Duration.ofMillis(Math.max(0, ahead)));
    }

    private void refresh(long leftMs, Function<String, CompletionStage<JsonObject>> refresh, Consumer<Long> refreshed,
                         Consumer<SwitchboardException> failed) {
        long mine = generation;
        long started = scheduler.nowMillis();
        CompletableFuture.completedFuture(null)
                .thenCompose(x -> options.credentials().get())
                .thenCompose(refresh)
                .whenComplete((answer, error) -> scheduler.execute(() -> {
                    if (mine != generation) {
                        return; // the connection it was for is gone; reconnecting asks for credentials anyway
                    }
                    if (error == null) {
                        Long next = answer.getJsonNumber("expiresInMs") == null ? null : answer.getJsonNumber("expiresInMs").longValue();
                        refreshed.accept(next);
                        scheduleRefresh(next, refresh, refreshed, failed);
                        return;
                    }
                    failed.accept(Wire.failure(error));
                    long left = leftMs - (scheduler.nowMillis() - started);
                    if (left > 1000) {
                        refreshTimer = scheduler.schedule(() -> refresh(left / 2, refresh, refreshed, failed), Duration.ofMillis(left / 2));
                    }
                }));
    }

    /** The connection is gone: no more pings or refreshes for it. */
    void stop() {
        generation++;
        cancel(pingTimer);
        cancel(refreshTimer);
        pingTimer = null;
        refreshTimer = null;
        awaitingPong = false;
    }

    private static void cancel(Scheduler.Cancellable timer) {
        if (timer != null) {
            timer.cancel();
        }
    }
}
