package dev.switchboard.cdi;

import dev.switchboard.Switchboard;
import dev.switchboard.engine.Incidents;
import dev.switchboard.protocol.RoomNames;
import dev.switchboard.protocol.TagFilter;
import dev.switchboard.protocol.Tags;
import jakarta.json.JsonValue;
import java.util.Map;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The {@link Switchboard} the application injects: publications made inside an active JTA transaction go out after
 * it commits, in the order they were made, and never when it rolls back ({@link TransactionSynchronizationRegistry},
 * one synchronization per transaction); outside a transaction, at once. With the durable outbox
 * ({@link DurableOutbox}) each is also written to the application's datasource in the transaction, so that a node dying
 * between the commit and the publication loses nothing. Everything else is the engine's own.
 */
final class AfterCommit implements Switchboard {

    /** The key of a transaction's pending publications in the registry. */
    private static final Object PENDING = AfterCommit.class;

    private final Switchboard engine;
    private final TransactionSynchronizationRegistry transactions;
    private final DurableOutbox outbox;

    /**
     * {@code transactions}: null where the container has no JTA (publications then always go at once);
     * {@code outbox}: null without {@code switchboard.outbox.datasource}.
     */
    AfterCommit(Switchboard engine, TransactionSynchronizationRegistry transactions, DurableOutbox outbox) {
        this.engine = engine;
        this.transactions = transactions;
        this.outbox = outbox;
    }

    /** {@code row}: its id in the outbox, or null without one. */
    private record Pending(String room, JsonValue data, Map<String, String> tags, String key, String row) {
    }

    /** Stops the outbox's sweep (undeploy). */
    void stop() {
        if (outbox != null) {
            outbox.stop();
        }
    }

    /**
     * Inside a transaction: checked now (a bad room name throws here, in the transaction), published after the commit;
     * answers a pending {@link Publication} (epoch null, offset −1: the offset is known only after the commit).
     */
    @Override
    public Publication publish(String room, JsonValue data, Map<String, String> tags, String idempotencyKey) {
        if (transactions == null || transactions.getTransactionStatus() != Status.STATUS_ACTIVE) {
            return engine.publish(room, data, tags, idempotencyKey);
        }
        if (!RoomNames.isValid(room)) {
            throw new IllegalArgumentException("'" + room + "' is not a room name: " + RoomNames.RULE);
        }
        Map<String, String> checked = Tags.of(tags); // a bad tag throws here, in the transaction
        @SuppressWarnings("unchecked")
        List<Pending> pending = (List<Pending>) transactions.getResource(PENDING);
        if (pending == null) {
            List<Pending> fresh = new ArrayList<>();
            transactions.putResource(PENDING, fresh);
            transactions.registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    if (status == Status.STATUS_COMMITTED) {
                        publishAll(fresh);
                    }
                }
            });
            pending = fresh;
        }
        JsonValue json = data == null ? JsonValue.NULL : data;
        // in the transaction: a failure to write the row is the transaction's (it throws here and the application's
        // transaction rolls back), and a rollback takes the row with it
        String row = outbox == null ? null : outbox.write(room, json, checked, idempotencyKey);
        pending.add(new Pending(room, json, checked, idempotencyKey, row));
        return new Publication(room, null, -1);
    }

    private void publishAll(List<Pending> committed) {
        List<String> delivered = new ArrayList<>();
        for (Pending p : committed) {
            try {
                engine.publish(p.room(), p.data(), p.tags(), p.row() == null ? p.key() : DurableOutbox.keyOf(p.row(), p.key()));
                if (p.row() != null) {
                    delivered.add(p.row());
                }
            } catch (RuntimeException e) { // committed already: nothing to roll back
                Incidents.record("publishing to " + p.room() + " after a commit (" + (p.row() == null
                        ? "the publication is lost)" : "kept in the outbox: a node's sweep publishes it)"), e);
            }
        }
        if (outbox != null) {
            outbox.delivered(delivered);
        }
    }

    @Override
    public int sendToUser(String user, JsonValue data) {
        return engine.sendToUser(user, data);
    }

    @Override
    public CompletionStage<JsonValue> request(String connection, String method, JsonValue data, Duration timeout) {
        return engine.request(connection, method, data, timeout);
    }

    @Override
    public Set<String> rooms() {
        return engine.rooms();
    }

    @Override
    public List<Member> presence(String room) {
        return engine.presence(room);
    }

    @Override
    public HistoryPage history(String room, int limit, String sinceEpoch, Long sinceOffset, boolean newestFirst,
                               TagFilter filter) {
        return engine.history(room, limit, sinceEpoch, sinceOffset, newestFirst, filter);
    }

    @Override
    public Publication sendToUserStream(String user, JsonValue data) {
        return publish(dev.switchboard.security.PersonalStreams.of(user), data); // in a transaction: after the commit
    }

    @Override
    public Occupancy occupancy(String room) {
        return engine.occupancy(room);
    }

    @Override
    public int connectionCount() {
        return engine.connectionCount();
    }

    @Override
    public int disconnect(String user, int closeCode, String reason) {
        return engine.disconnect(user, closeCode, reason);
    }
}
