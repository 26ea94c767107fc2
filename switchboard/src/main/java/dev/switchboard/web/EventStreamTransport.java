package dev.switchboard.web;

import dev.switchboard.engine.Transport;
import dev.switchboard.protocol.Codec;
import jakarta.json.JsonObject;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A {@link Transport} over a Server-Sent Events response ({@code GET /sse}, docs/PROTOCOL.md "Server-Sent Events"): a
 * frame is one event ({@code data:} the frame as on the socket; {@code id:} the stream's {@link StreamPositions} after
 * a {@code message}, or a {@code joined} that starts a room afresh), a heartbeat ping a comment line, a close an
 * {@code event: close} with the code, then the response ends.
 *
 * <p>Writes are non-blocking (the Servlet {@link WriteListener}): a send completes once the container took its bytes
 * and could take more, else when it can again ({@link #onWritePossible}). A slow reader holds up its own queue — its
 * connection's slow-consumer policy applies as on the socket — never one of the engine's writer threads. Completions
 * run outside this transport's lock (a completion may start the next send on the same thread).
 */
final class EventStreamTransport implements Transport, WriteListener, AsyncListener {

    private static final Logger LOG = Logger.getLogger(EventStreamTransport.class.getName());
    private static final byte[] HEARTBEAT = ": heartbeat\n\n".getBytes(StandardCharsets.UTF_8);

    private record Pending(byte[] bytes, Consumer<Throwable> done) {
    }

    private final AsyncContext async;
    private final ServletOutputStream out;
    /** The rooms' positions, read and written by the connection's single writer only. */
    private final StreamPositions positions = new StreamPositions();
    private final AtomicBoolean ended = new AtomicBoolean();
    /** The connection's pong (a heartbeat comment that went out answers the ping it stood for). */
    private volatile Consumer<ByteBuffer> pinged = payload -> { };
    /** The connection's end: code and reason, once. */
    private volatile BiConsumer<Integer, String> closed = (code, reason) -> { };

    // under this transport's lock
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private Pending writing;
    private boolean flushed;
    private boolean failed;

    EventStreamTransport(AsyncContext async, ServletOutputStream out, java.util.Map<String, StreamPositions.Position> from) {
        this.async = async;
        this.out = out;
        from.forEach((room, p) -> positions.at(room, p.epoch(), p.offset()));
    }

    /** Connects the transport to its connection: pongs and the end go to {@code pinged} and {@code closed}. */
    void attach(Consumer<ByteBuffer> pinged, BiConsumer<Integer, String> closed) {
        this.pinged = pinged;
        this.closed = closed;
    }

    @Override
    public void sendText(String text, Consumer<Throwable> done) {
        StringBuilder event = new StringBuilder(text.length() + 64);
        String id = positionAfter(text);
        if (id != null) {
            event.append("id: ").append(id).append('\n');
        }
        for (String line : text.split("\n", -1)) { // a batch never comes here; a frame is one line of JSON
            event.append("data: ").append(line).append('\n');
        }
        enqueue(new Pending(event.append('\n').toString().getBytes(StandardCharsets.UTF_8), done));
    }

    @Override
    public void sendBinary(ByteBuffer data, Consumer<Throwable> done) {
        done.accept(null); // binary frames are for plain room connections: a stream never gets one
    }

    @Override
    public void ping(ByteBuffer payload) {
        ByteBuffer token = payload.duplicate();
        enqueue(new Pending(HEARTBEAT, failure -> {
            if (failure == null) {
                pinged.accept(token);
            }
        }));
    }

    @Override
    public void close(int code, String reason) {
        String frame = Codec.json().createObjectBuilder().add("type", "close").add("code", code)
                .add("reason", reason == null ? "" : reason).build().toString();
        byte[] bytes = ("event: close\ndata: " + frame + "\n\n").getBytes(StandardCharsets.UTF_8);
        enqueue(new Pending(bytes, failure -> end(code, reason)));
    }

    /** The stream's positions after {@code frame}: changed by a {@code message}, or a {@code joined} without recovery. */
    private String positionAfter(String frame) {
        boolean message = frame.startsWith("{\"type\":\"message\"");
        if (!message && !frame.startsWith("{\"type\":\"joined\"")) {
            return null;
        }
        JsonObject f = Codec.json().createReader(new StringReader(frame)).readObject();
        if (!message && f.getBoolean("recovered", false)) {
            return null; // the missed publications follow and move it
        }
        positions.at(f.getString("room"), f.getString("epoch"), f.getJsonNumber("offset").longValue());
        return positions.format();
    }

    private void enqueue(Pending pending) {
        List<Runnable> completions = new ArrayList<>(2);
        synchronized (this) {
            if (failed) {
                completions.add(() -> pending.done().accept(new IOException("the event stream ended")));
            } else {
                queue.add(pending);
                drainLocked(completions);
            }
        }
        completions.forEach(Runnable::run);
    }

    /** Under the lock: writes while the container takes more; what completed is run by the caller, off the lock. */
    private void drainLocked(List<Runnable> completions) {
        try {
            while (true) {
                if (writing != null) {
                    if (!out.isReady()) {
                        return; // onWritePossible comes
                    }
                    if (!flushed) {
                        flushed = true;
                        out.flush();
                        if (!out.isReady()) {
                            return;
                        }
                    }
                    Consumer<Throwable> done = writing.done();
                    completions.add(() -> done.accept(null));
                    writing = null;
                }
                if (queue.isEmpty() || !out.isReady()) {
                    return;
                }
                writing = queue.poll();
                flushed = false;
                out.write(writing.bytes());
            }
        } catch (IOException | RuntimeException e) { // the peer went away (IllegalStateException: the response ended)
            failLocked(e, completions);
        }
    }

    private void failLocked(Throwable failure, List<Runnable> completions) {
        if (failed) {
            return;
        }
        failed = true;
        if (writing != null) {
            Consumer<Throwable> done = writing.done();
            completions.add(() -> done.accept(failure));
            writing = null;
        }
        for (Pending p : queue) {
            completions.add(() -> p.done().accept(failure));
        }
        queue.clear();
        completions.add(() -> end(1006, "event stream ended: " + failure.getMessage()));
    }

    /** Ends the response once; tells the connection. */
    private void end(int code, String reason) {
        if (ended.compareAndSet(false, true)) {
            try {
                async.complete();
            } catch (IllegalStateException alreadyEnded) {
                LOG.log(Level.FINEST, "Event stream already complete", alreadyEnded);
            }
            closed.accept(code, reason);
        }
    }

    // ---------------------------------------------------------------- the container's callbacks

    @Override
    public void onWritePossible() {
        List<Runnable> completions = new ArrayList<>(4);
        synchronized (this) {
            drainLocked(completions);
        }
        completions.forEach(Runnable::run);
    }

    @Override
    public void onError(Throwable failure) {
        failed(failure);
    }

    private void failed(Throwable failure) {
        List<Runnable> completions = new ArrayList<>(4);
        synchronized (this) {
            failLocked(failure, completions);
        }
        completions.forEach(Runnable::run);
        end(1006, "event stream ended"); // when it had failed before
    }

    @Override
    public void onComplete(AsyncEvent event) {
        failed(new IOException("the event stream completed"));
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        failed(new IOException("the event stream timed out"));
    }

    @Override
    public void onError(AsyncEvent event) {
        failed(event.getThrowable() == null ? new IOException("the event stream failed") : event.getThrowable());
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
    }
}
