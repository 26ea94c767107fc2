package dev.switchboard.engine;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** One item of a connection's outbound queue ({@link Outbox}): what it is decides how a full queue treats it. */
sealed interface Outbound {

    /** Its weight against the queue's byte bound (characters of text, bytes of binary). */
    long size();

    /**
     * How many queues hold this very instance now, for the node's {@link QueueBudget}, which counts a frame shared by
     * many queues (a broadcast) once; null for an item that is never shared (its size is counted per queue).
     */
    default AtomicInteger holders() {
        return null;
    }

    /** A reply, a control frame, or a publication of a {@code disconnect} room: never dropped. */
    record Text(String text, AtomicInteger holders) implements Outbound {
        Text(String text) {
            this(text, new AtomicInteger());
        }

        @Override
        public long size() {
            return text.length();
        }
    }

    /** A publication of a {@code drop-oldest} room: may be dropped to make room. */
    record Droppable(String text, AtomicInteger holders) implements Outbound {
        Droppable(String text) {
            this(text, new AtomicInteger());
        }

        @Override
        public long size() {
            return text.length();
        }
    }

    /**
     * The latest unsent publication of a {@code conflate} room: the writer takes it, a publisher may replace it while
     * it waits (the slot is emptied, to {@code null}, when taken or dropped).
     */
    record Latest(String room, AtomicReference<String> text) implements Outbound {
        Latest(String room, String text) {
            this(room, new AtomicReference<>(text));
        }

        @Override
        public long size() {
            String t = text.get();
            return t == null ? 0 : t.length();
        }
    }

    /** A binary frame of a plain room; the buffer is shared between recipients and never consumed. */
    record Binary(ByteBuffer data, AtomicInteger holders) implements Outbound {
        Binary(ByteBuffer data) {
            this(data, new AtomicInteger());
        }

        @Override
        public long size() {
            return data.remaining();
        }
    }

    /** Close after what was queued before it has gone out. */
    record Close(int code, String reason) implements Outbound {
        @Override
        public long size() {
            return 0;
        }
    }
}
