package dev.switchboard.engine;

import java.util.function.Consumer;

/**
 * What a connection's writer sends with its next text send: the message alone; on a {@code switchboard.v1.batch}
 * connection, the messages queued behind it joined into one frame, one per line; or, on a transport that
 * {@linkplain Transport#takesSendsAhead takes sends ahead}, the messages queued behind it handed to the container frame
 * after frame without waiting (it writes them together), the last one left for the writer to send and wait for. Writer
 * only, but for {@link #batching}, which the dispatcher sets once the subprotocol is known.
 */
final class NextSend {

    /** Largest batched frame, in characters: a batch only takes what is already queued, up to this. */
    static final int MAX_BATCH_CHARS = 64 * 1024;
    /** Most messages one send carries ahead (and at most {@link #MAX_BATCH_CHARS} of them). */
    static final int MAX_AHEAD = 64;

    private final Transport transport;
    private final boolean ahead;
    private volatile boolean batching;
    /**
     * What the last batch took (reused: composing allocates a batch's text, nothing else); made by the first send that
     * carries more than one message: an idle connection holds none.
     */
    private OutboundQueue.Batch batch;
    private int messages;

    NextSend(Transport transport) {
        this.transport = transport;
        this.ahead = transport.takesSendsAhead();
    }

    /** Whether the transport takes sends ahead (see {@link Transport#takesSendsAhead}). */
    boolean ahead() {
        return ahead;
    }

    void batching(boolean on) {
        batching = on;
    }

    /**
     * The text of the send that carries {@code first} and, when there are any, messages queued behind it; the sends
     * handed ahead complete with {@code onSentAhead}. Then {@link #messages} and {@link #carry}.
     */
    String compose(String first, OutboundQueue queue, Consumer<Throwable> onSentAhead) {
        messages = 1;
        if (batch != null) {
            batch.carry = null;
        }
        if (queue.isEmpty() || !(batching || ahead)) {
            return first;
        }
        if (batch == null) {
            batch = new OutboundQueue.Batch();
        }
        if (batching) {
            String text = queue.batch(first, MAX_BATCH_CHARS, batch);
            messages = batch.messages;
            return text;
        }
        String text = first;
        String next;
        for (int chars = text.length(); messages < MAX_AHEAD && chars < MAX_BATCH_CHARS
                && (next = queue.nextText(batch)) != null; messages++, chars += next.length()) {
            transport.sendText(text, onSentAhead);
            text = next;
        }
        return text;
    }

    /** How many messages the composed send carries, those handed ahead included. */
    int messages() {
        return messages;
    }

    /** A binary or close item composing took from the queue and did not send: it goes next, on its own; or null. */
    Outbound carry() {
        return batch == null ? null : batch.carry;
    }
}
