package dev.switchboard.engine;

import dev.switchboard.Switchboard;
import dev.switchboard.Switchboard.HistoryEntry;
import dev.switchboard.Switchboard.HistoryPage;
import dev.switchboard.cluster.LogStore;
import dev.switchboard.cluster.StoreUnavailable;
import dev.switchboard.config.RoomPolicy;
import dev.switchboard.config.Settings;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.TagFilter;
import dev.switchboard.protocol.Tags;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Pages of a room's history, read on demand ({@code history} on the socket, {@code GET /api/rooms/history},
 * {@link Switchboard#history}): from this node's log for a room of this node alone (or one going on alone while the
 * store is away), from the shared log store for a room of the cluster — whether or not this node has the room. Holds no
 * state of its own.
 */
final class RoomHistory {

    /** Most entries of the shared log one page reads past (expired, or not accepted by the filter). */
    private static final int SCAN = 10_000;

    private final Settings settings;
    private final Rooms rooms;
    /** The shared log; null on a single node. */
    private final LogStore store;

    RoomHistory(Settings settings, Rooms rooms, LogStore store) {
        this.settings = settings;
        this.rooms = rooms;
        this.store = store;
    }

    /** See {@link Switchboard#history}. */
    HistoryPage page(String name, int limit, String sinceEpoch, Long sinceOffset, boolean newestFirst, TagFilter filter,
                     long nowMillis) {
        if (!dev.switchboard.protocol.RoomNames.isValid(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a room name: " + dev.switchboard.protocol.RoomNames.RULE);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("a history page holds at least 1 publication, not " + limit);
        }
        RoomPolicy policy = settings.policyFor(name);
        int bounded = Math.min(limit, Math.max(1, policy.historyPageMax()));
        Room room = rooms.get(name);
        if (store != null && (room == null || !room.isLocal())) {
            try {
                return fromStore(name, policy, bounded, sinceEpoch, sinceOffset, newestFirst, filter, nowMillis);
            } catch (StoreUnavailable e) {
                if (room == null) {
                    throw new Switchboard.Refused(ErrorCode.UNAVAILABLE, "the history of '" + name
                            + "' cannot be read now: " + e.getMessage());
                }
                // the room goes on here alone meanwhile: its window is what there is
            }
        }
        Room here = room != null ? room : rooms.getOrCreate(name);
        if (here == null) {
            throw new Switchboard.Refused(ErrorCode.NODE_FULL, "this node holds as many rooms as it may "
                    + "(switchboard.max-rooms): '" + name + "' is not one of them");
        }
        return here.locked(() -> fromWindow(name, here.log().window, bounded, sinceEpoch, sinceOffset, newestFirst, filter,
                nowMillis));
    }

    private static HistoryPage fromWindow(String name, History window, int limit, String sinceEpoch, Long sinceOffset,
                                          boolean newestFirst, TagFilter filter, long nowMillis) {
        boolean continues = sinceOffset != null && window.epoch().equals(sinceEpoch) && sinceOffset <= window.offset();
        long after = continues ? sinceOffset : 0;
        Boolean recovered = sinceOffset == null ? null : continues && window.oldestHeld(nowMillis) <= sinceOffset + 1;
        List<HistoryEntry> entries = new ArrayList<>();
        for (History.Entry e : window.page(after, limit, newestFirst, filter, nowMillis)) {
            JsonObject f = Codec.json().createReader(new StringReader(e.frame())).readObject();
            entries.add(new HistoryEntry(e.offset(), e.timestampMillis(), !f.containsKey("from") || f.isNull("from")
                    ? null : f.getString("from"), f.get("data"), Tags.ofObject(f)));
        }
        return new HistoryPage(name, window.epoch(), window.offset(), recovered, entries);
    }

    private HistoryPage fromStore(String name, RoomPolicy policy, int limit, String sinceEpoch, Long sinceOffset,
                                  boolean newestFirst, TagFilter filter, long nowMillis) throws StoreUnavailable {
        LogStore.Position at = store.position(name);
        boolean continues = sinceOffset != null && at.epoch().equals(sinceEpoch) && sinceOffset <= at.offset();
        long after = continues ? sinceOffset : 0;
        long oldest = nowMillis - policy.historyTtl().toMillis();
        List<HistoryEntry> entries = new ArrayList<>();
        // read on past what is not on the page: older than the room's history is kept (expired, not yet trimmed),
        // or not accepted by the filter; at most SCAN entries, so that a filter nothing matches costs a bound
        long lo = after;
        long hi = at.offset();
        for (int scanned = 0; entries.size() < limit && lo < hi && scanned < SCAN; ) {
            List<LogStore.Entry> read = store.page(name, lo, hi, limit - entries.size(), newestFirst);
            boolean skipped = false;
            for (LogStore.Entry e : read) {
                HistoryEntry entry = entry(e);
                if (entry.ts() >= oldest && (filter == null || filter.matches(entry.tags()))) {
                    entries.add(entry);
                } else {
                    skipped = true;
                }
                if (newestFirst) {
                    hi = e.offset() - 1;
                } else {
                    lo = e.offset();
                }
            }
            scanned += read.size();
            if (!skipped || read.isEmpty() || (newestFirst && filter == null)) {
                break; // newest first, expired ones only follow
            }
        }
        Boolean recovered = null;
        if (sinceOffset != null) {
            recovered = continues && (sinceOffset == at.offset() || firstHeld(name, after, at.offset(), oldest, entries,
                    newestFirst) == sinceOffset + 1);
        }
        return new HistoryPage(name, at.epoch(), at.offset(), recovered, entries);
    }

    /** The offset of the oldest publication held after {@code after}: from the page when it is oldest first. */
    private long firstHeld(String name, long after, long upTo, long oldest, List<HistoryEntry> page, boolean newestFirst)
            throws StoreUnavailable {
        List<HistoryEntry> first = page;
        if (newestFirst) {
            first = store.page(name, after, upTo, 1, false).stream().map(RoomHistory::entry).toList();
        }
        return first.isEmpty() || first.get(0).ts() < oldest ? -1 : first.get(0).offset();
    }

    private static HistoryEntry entry(LogStore.Entry e) {
        JsonObject p = Codec.json().createReader(new StringReader(e.payload())).readObject();
        String from = p.containsKey("from") && !p.isNull("from") ? p.getString("from") : null;
        return new HistoryEntry(e.offset(), p.getJsonNumber("ts").longValue(), from, p.get("data"), Tags.ofObject(p));
    }
}
