package dev.switchboard.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Switchboard;
import jakarta.json.Json;
import jakarta.json.JsonValue;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * Publications inside a transaction go out after its commit, in order, and never after a rollback; outside one, at
 * once. The registry here is a memory one that completes as a JTA transaction manager does (interposed
 * synchronizations told after the outcome); the ITs use the servers' own (HelpdeskIT).
 */
class AfterCommitTest {

    /** What the engine was asked to publish. */
    private final List<String> published = new ArrayList<>();

    private final Switchboard engine = new Switchboard() {
        @Override
        public Publication publish(String room, JsonValue data, java.util.Map<String, String> tags, String key) {
            published.add(room + " " + data + (tags == null ? "" : " " + tags) + (key == null ? "" : " " + key));
            return new Publication(room, "e1", published.size());
        }

        @Override
        public int sendToUser(String user, JsonValue data) {
            return 0;
        }

        @Override
        public CompletionStage<JsonValue> request(String connection, String method, JsonValue data, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Set<String> rooms() {
            return Set.of();
        }

        @Override
        public List<Member> presence(String room) {
            return List.of();
        }

        @Override
        public Publication sendToUserStream(String user, JsonValue data) {
            return new Publication("user:" + user, "e", 1);
        }

        @Override
        public Occupancy occupancy(String room) {
            return new Occupancy(room, 0, 0);
        }

        @Override
        public HistoryPage history(String room, int limit, String sinceEpoch, Long sinceOffset, boolean newestFirst,
                                   dev.switchboard.protocol.TagFilter filter) {
            return new HistoryPage(room, "e", 0, null, List.of());
        }

        @Override
        public int connectionCount() {
            return 0;
        }

        @Override
        public int disconnect(String user, int closeCode, String reason) {
            return 0;
        }
    };

    /** One transaction at a time, on the test's thread. */
    private static final class MemoryTransactions implements TransactionSynchronizationRegistry {
        int status = Status.STATUS_NO_TRANSACTION;
        final Map<Object, Object> resources = new HashMap<>();
        final List<Synchronization> synchronizations = new ArrayList<>();

        void begin() {
            status = Status.STATUS_ACTIVE;
        }

        void end(int outcome) {
            synchronizations.forEach(Synchronization::beforeCompletion);
            status = outcome;
            synchronizations.forEach(s -> s.afterCompletion(outcome));
            synchronizations.clear();
            resources.clear();
            status = Status.STATUS_NO_TRANSACTION;
        }

        @Override
        public Object getTransactionKey() {
            return status == Status.STATUS_NO_TRANSACTION ? null : this;
        }

        @Override
        public void putResource(Object key, Object value) {
            resources.put(key, value);
        }

        @Override
        public Object getResource(Object key) {
            return resources.get(key);
        }

        @Override
        public void registerInterposedSynchronization(Synchronization sync) {
            synchronizations.add(sync);
        }

        @Override
        public int getTransactionStatus() {
            return status;
        }

        @Override
        public void setRollbackOnly() {
            status = Status.STATUS_MARKED_ROLLBACK;
        }

        @Override
        public boolean getRollbackOnly() {
            return status == Status.STATUS_MARKED_ROLLBACK;
        }
    }

    private final MemoryTransactions transactions = new MemoryTransactions();
    private final Switchboard switchboard = new AfterCommit(engine, transactions, null);

    @Test
    void outsideATransactionAPublicationGoesAtOnce() {
        Switchboard.Publication p = switchboard.publish("desk", Json.createValue(1));
        assertEquals(List.of("desk 1"), published);
        assertEquals(1, p.offset());
        assertEquals(false, p.pending());
    }

    @Test
    void insideATransactionPublicationsWaitForTheCommitAndGoInOrderOnce() {
        transactions.begin();
        Switchboard.Publication first = switchboard.publish("desk", Json.createValue(1), "ticket-1");
        switchboard.publish("desk", Json.createValue(2));
        switchboard.publish("other", Json.createValue(3));
        assertTrue(first.pending());
        assertEquals(-1, first.offset());
        assertEquals(List.of(), published, "nothing before the commit");
        assertEquals(1, transactions.synchronizations.size(), "one synchronization per transaction keeps the order");
        transactions.end(Status.STATUS_COMMITTED);
        assertEquals(List.of("desk 1 ticket-1", "desk 2", "other 3"), published);
    }

    @Test
    void aRolledBackTransactionPublishesNothingAndTheNextOneStartsClean() {
        transactions.begin();
        switchboard.publish("desk", Json.createValue("never"));
        transactions.end(Status.STATUS_ROLLEDBACK);
        assertEquals(List.of(), published);
        transactions.begin();
        switchboard.publish("desk", Json.createValue("next"));
        transactions.end(Status.STATUS_COMMITTED);
        assertEquals(List.of("desk \"next\""), published);
    }

    @Test
    void aBadRoomNameFailsInsideTheTransactionNotAfterIt() {
        transactions.begin();
        assertThrows(IllegalArgumentException.class, () -> switchboard.publish("not a room!", JsonValue.NULL));
        transactions.end(Status.STATUS_ROLLEDBACK);
    }

    @Test
    void withoutJtaEverythingGoesAtOnce() {
        new AfterCommit(engine, null, null).publish("desk", Json.createValue(1));
        assertEquals(List.of("desk 1"), published);
    }
}
