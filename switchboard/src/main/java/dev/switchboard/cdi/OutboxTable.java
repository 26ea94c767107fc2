package dev.switchboard.cdi;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The durable outbox's table in the application's datasource: one row per publication of a transaction, written in
 * that transaction (the datasource's connection is enlisted in it), removed once the publication went out. A row whose
 * node died before it went out is claimed by one node ({@link #claim}: an update only one writer wins) and published
 * with its key, so that a second delivery within the key window publishes nothing. Plain SQL that H2 and PostgreSQL
 * run as written; on another database, create the table yourself with the same columns (README, Publish on commit).
 */
final class OutboxTable {

    /** A table name, optionally with its schema: nothing else reaches the SQL. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");

    /** A publication waiting in the outbox; {@code createdMicros}: when it was written, epoch microseconds. */
    /** {@code tags}: the publication's tags as a JSON object, or null. */
    record Row(String id, String room, String data, String tags, String key, long createdMicros) {
    }

    /** The last {@code created_us} this node wrote: each row's is later, so that a sweep keeps a node's order. */
    private final java.util.concurrent.atomic.AtomicLong lastCreated = new java.util.concurrent.atomic.AtomicLong();

    private final DataSource dataSource;
    private final String table;

    OutboxTable(DataSource dataSource, String table) {
        if (!NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("switchboard.outbox.table: '" + table + "' is not a table name ("
                    + NAME.pattern() + ")");
        }
        this.dataSource = dataSource;
        this.table = table;
    }

    String name() {
        return table;
    }

    /** Creates the table unless it exists (outside a transaction: at startup). */
    void create() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE IF NOT EXISTS " + table + " ("
                    + "id VARCHAR(36) NOT NULL PRIMARY KEY, "
                    + "room VARCHAR(255) NOT NULL, "
                    + "data VARCHAR(1000000) NOT NULL, "
                    + "tags VARCHAR(4000), "
                    + "publish_key VARCHAR(128), "
                    + "created_us BIGINT NOT NULL, "
                    + "claimed_us BIGINT NOT NULL, "
                    + "claimed_by VARCHAR(64))");
        }
    }

    /** Writes a publication in the caller's transaction; its id (also its key when it has none of its own). */
    String insert(String room, String data, String tags, String key, long nowMillis) throws SQLException {
        String id = UUID.randomUUID().toString();
        long created = lastCreated.updateAndGet(last -> Math.max(last + 1, nowMillis * 1000));
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO " + table
                     + " (id, room, data, tags, publish_key, created_us, claimed_us, claimed_by) VALUES (?, ?, ?, ?, ?, ?, 0, NULL)")) {
            s.setString(1, id);
            s.setString(2, room);
            s.setString(3, data);
            s.setString(4, tags);
            s.setString(5, key);
            s.setLong(6, created);
            s.executeUpdate();
        }
        return id;
    }

    /** At most {@code max} rows written before {@code beforeMillis} and not claimed since, oldest first. */
    List<Row> due(long beforeMillis, int max) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT id, room, data, tags, publish_key, created_us FROM " + table
                     + " WHERE created_us < ? AND claimed_us < ? ORDER BY created_us")) {
            s.setMaxRows(max);
            s.setLong(1, beforeMillis * 1000);
            s.setLong(2, beforeMillis * 1000);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(new Row(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
                            r.getLong(6)));
                }
            }
        }
        return rows;
    }

    /**
     * Claims {@code id} for {@code node} unless another node claimed it at or after {@code staleBeforeMillis}: true for
     * exactly one of the nodes that try at once (a single conditional update).
     */
    boolean claim(String id, String node, long nowMillis, long staleBeforeMillis) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE " + table
                     + " SET claimed_us = ?, claimed_by = ? WHERE id = ? AND claimed_us < ?")) {
            s.setLong(1, nowMillis * 1000);
            s.setString(2, node);
            s.setString(3, id);
            s.setLong(4, staleBeforeMillis * 1000);
            return s.executeUpdate() == 1;
        }
    }

    /** Removes the rows of publications that went out. */
    void delete(List<String> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
            for (String id : ids) {
                s.setString(1, id);
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /** How many rows wait (for the health of the outbox and the tests). */
    int size() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            r.next();
            return r.getInt(1);
        }
    }
}
