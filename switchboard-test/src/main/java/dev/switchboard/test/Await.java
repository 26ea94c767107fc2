package dev.switchboard.test;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Bounded waits that fail with a message saying what was awaited and what happened instead. */
public final class Await {

    /** The kit's default bound; {@code -Dswitchboard.test.wait-seconds} changes it. */
    public static final Duration DEFAULT = Duration.ofSeconds(Long.getLong("switchboard.test.wait-seconds", 10));

    private Await() {
    }

    /** The stage's value within {@code bound}; its failure or the timeout as an {@link AssertionError}. */
    public static <T> T value(CompletionStage<T> stage, Duration bound, Supplier<String> what) {
        try {
            return stage.toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(what.get() + ": nothing within " + bound.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new AssertionError(what.get() + ": failed with " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(what.get() + ": interrupted", e);
        }
    }

    public static <T> T value(CompletionStage<T> stage, Supplier<String> what) {
        return value(stage, DEFAULT, what);
    }

    /** The failure of {@code stage} within the default bound; an {@link AssertionError} when it succeeds instead. */
    public static Throwable failure(CompletionStage<?> stage, Supplier<String> what) {
        try {
            Object value = stage.toCompletableFuture().get(DEFAULT.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError(what.get() + ": expected a failure, got " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError(what.get() + ": no answer within " + DEFAULT.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(what.get() + ": interrupted", e);
        }
    }

    /**
     * The error code the server answered {@code stage} with (e.g. {@code forbidden}); an {@link AssertionError} when it
     * succeeds, times out or fails with something other than a {@link dev.switchboard.client.SwitchboardException}.
     */
    public static String errorCode(CompletionStage<?> stage, Supplier<String> what) {
        return error(stage, what).code();
    }

    /** The server's error answering {@code stage}, with its code, message and details (e.g. {@code invalid}'s fields). */
    public static dev.switchboard.client.SwitchboardException error(CompletionStage<?> stage, Supplier<String> what) {
        Throwable failure = failure(stage, what);
        if (failure instanceof dev.switchboard.client.SwitchboardException e) {
            return e;
        }
        throw new AssertionError(what.get() + ": expected an error with a code, got " + failure, failure);
    }
}
