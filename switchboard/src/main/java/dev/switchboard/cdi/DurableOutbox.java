package dev.switchboard.cdi;

import dev.switchboard.Switchboard;
import dev.switchboard.engine.Incidents;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.Tags;
import jakarta.json.JsonValue;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The durable outbox ({@code switchboard.outbox.datasource}): what a transaction publishes is written to the
 * application's datasource in that transaction ({@link OutboxTable}), published by the committing node right after
 * the commit and its row removed; a row still there {@code switchboard.outbox.grace-ms} after its commit (the node
 * died, or could not publish) is published by whichever node claims it first, with the row's key, so that a
 * publication that went out before its node died goes out once. "Once" holds within the key window
 * ({@code switchboard.publish.key-window-ms}), which must outlast the grace. Owns one thread, which sweeps every
 * {@code switchboard.outbox.poll-ms} and removes delivered rows.
 */
final class DurableOutbox {

    private static final Logger LOG = Logger.getLogger(DurableOutbox.class.getName());
    /** Rows taken per sweep at most. */
    private static final int SWEEP_ROWS = 100;

    private final OutboxTable table;
    private final Switchboard engine;
    private final String node;
    private final Duration grace;
    private final ScheduledExecutorService thread;

    DurableOutbox(OutboxTable table, Switchboard engine, String node, Duration grace, Duration poll, ThreadFactory threads) {
        this.table = table;
        this.engine = engine;
        this.node = node.length() > 64 ? node.substring(0, 64) : node;
        this.grace = grace;
        this.thread = Executors.newSingleThreadScheduledExecutor(threads);
        thread.scheduleWithFixedDelay(this::sweepQuietly, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The outbox {@code config} asks for, its table created unless it exists and its sweep started; null without
     * {@code switchboard.outbox.datasource} (the JNDI name of a JTA datasource: the one the application's entities
     * live in, so that its transactions need no XA).
     */
    static DurableOutbox configured(org.eclipse.microprofile.config.Config config, Switchboard engine, ThreadFactory threads,
                                    Duration keyWindow) {
        String name = config.getOptionalValue("switchboard.outbox.datasource", String.class).orElse("").trim();
        if (name.isEmpty()) {
            return null;
        }
        String tableName = config.getOptionalValue("switchboard.outbox.table", String.class).orElse("switchboard_outbox");
        Duration grace = Duration.ofMillis(config.getOptionalValue("switchboard.outbox.grace-ms", Long.class).orElse(5000L));
        Duration poll = Duration.ofMillis(config.getOptionalValue("switchboard.outbox.poll-ms", Long.class).orElse(1000L));
        if (grace.toMillis() < 1 || poll.toMillis() < 1 || grace.multipliedBy(2).compareTo(keyWindow) > 0) {
            throw new IllegalArgumentException("switchboard.outbox.grace-ms and poll-ms must be at least 1, and the grace"
                    + " at most half of switchboard.publish.key-window-ms (" + keyWindow.toMillis() + "), got "
                    + grace.toMillis() + " and " + poll.toMillis());
        }
        javax.sql.DataSource dataSource;
        try {
            dataSource = javax.naming.InitialContext.doLookup(name);
        } catch (javax.naming.NamingException | ClassCastException e) {
            throw new IllegalStateException("switchboard.outbox.datasource: no datasource at " + name + ": " + e, e);
        }
        OutboxTable table = new OutboxTable(dataSource, tableName);
        try {
            table.create();
        } catch (SQLException e) {
            throw new IllegalStateException("switchboard.outbox.table: " + tableName + " could not be created in "
                    + name + " (create it as the README says): " + e.getMessage(), e);
        }
        LOG.info("Switchboard's durable outbox: table " + tableName + " in " + name + ", swept every " + poll.toMillis()
                + " ms for publications older than " + grace.toMillis() + " ms");
        return new DurableOutbox(table, engine, java.lang.management.ManagementFactory.getRuntimeMXBean().getName()
                + "-" + Long.toString(System.nanoTime(), 36), grace, poll, threads);
    }

    /** The key a row is published with: the application's own, else one made of the row's id. */
    static String keyOf(String id, String key) {
        return key != null ? key : "outbox:" + id;
    }

    /** Writes a publication in the current transaction; its row's id. */
    String write(String room, JsonValue data, java.util.Map<String, String> tags, String key) {
        try {
            return table.insert(room, data.toString(), tags == null ? null : Codec.jsonb().toJson(tags), key,
                    System.currentTimeMillis());
        } catch (SQLException e) {
            throw new IllegalStateException("Switchboard: the publication to " + room + " could not be written to the"
                    + " outbox table " + table.name() + " (switchboard.outbox.datasource): " + e.getMessage(), e);
        }
    }

    /** The rows of publications that went out after their commit: removed on the outbox's thread. */
    void delivered(List<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        try {
            thread.execute(() -> {
                try {
                    table.delete(ids);
                } catch (SQLException e) { // the sweep publishes them again with their keys: nothing goes out twice
                    LOG.log(Level.WARNING, "Outbox rows not removed after delivery (swept later): " + e.getMessage(), e);
                }
            });
        } catch (RejectedExecutionException stopped) {
            LOG.log(Level.FINE, "Outbox stopped: {0} delivered rows are removed by the next node''s sweep", ids.size());
        }
    }

    /**
     * Publishes the rows whose commit is older than the grace and that no node claimed within it: how many went out.
     * Runs on the outbox's thread (and in the tests).
     */
    int sweep() throws SQLException {
        long now = System.currentTimeMillis();
        long stale = now - grace.toMillis();
        List<String> done = new ArrayList<>();
        int failed = 0;
        for (OutboxTable.Row row : table.due(stale, SWEEP_ROWS)) {
            if (!table.claim(row.id(), node, now, stale)) {
                continue; // another node has it
            }
            try {
                engine.publish(row.room(), Codec.parseOrNull(row.data()), row.tags() == null ? null
                        : Tags.ofObject(Codec.parseOrNull(row.tags()).asJsonObject()), keyOf(row.id(), row.key()));
                done.add(row.id());
            } catch (RuntimeException e) { // stays claimed for the grace, then any node tries again
                failed++;
                if (failed == 1) {
                    Incidents.record("publishing an outbox row to " + row.room() + " (kept: tried again after "
                            + grace.toMillis() + " ms)", e);
                }
            }
        }
        table.delete(done);
        if (!done.isEmpty()) {
            LOG.info("Outbox: swept " + done.size() + " publication(s) committed more than " + grace.toMillis()
                    + " ms ago and still there (their node stopped or failed after the commit): published with their"
                    + " keys, so a publication that had gone out before does not go out again");
        }
        return done.size();
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "Outbox sweep failed (tried again in the next one): " + e.getMessage(), e);
        }
    }

    /** How many rows wait. */
    int waiting() throws SQLException {
        return table.size();
    }

    void stop() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(2, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
