package dev.switchboard.engine;

import dev.switchboard.config.SlowConsumerPolicy;
import dev.switchboard.protocol.TagFilter;
import java.util.Arrays;
import java.util.Map;

/**
 * The members of one room and what each asked to receive (its {@link TagFilter}, or none), and the fan-out of a
 * publication to them. Written only under the room's lock; the member array is copy-on-write, so a reader outside the
 * lock ({@link #all}) walks a plain array that never changes.
 *
 * <p>Fan-out cost: a room where nobody filters walks the array as before — the filters' array is null. Where some
 * members filter, each member costs one array read, and a filtering member a lookup per tag it names. The frame is
 * encoded once for every member either way (a filter selects publications; it never changes one).
 */
final class RoomMembers {

    private static final Connection[] NONE = new Connection[0];

    private volatile Connection[] members = NONE;
    /** Parallel to {@link #members}: each member's filter, null for none; the whole array null when nobody filters. */
    private TagFilter[] filters;

    /** The members now (a copy-on-write array: never modified after it was read). */
    Connection[] all() {
        return members;
    }

    int size() {
        return members.length;
    }

    /** Under the room's lock: adds {@code connection}, which is not a member yet, receiving what {@code filter} accepts. */
    void addLocked(Connection connection, TagFilter filter) {
        Connection[] current = members;
        Connection[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = connection;
        if (filter != null || filters != null) {
            TagFilter[] nextFilters = filters == null ? new TagFilter[next.length] : Arrays.copyOf(filters, next.length);
            nextFilters[current.length] = filter;
            filters = nextFilters;
        }
        members = next;
    }

    /** Under the room's lock: a member joined again; from now on it receives what {@code filter} accepts. */
    void refilterLocked(Connection connection, TagFilter filter) {
        int at = indexOf(connection);
        if (at < 0 || (filters == null && filter == null)) {
            return;
        }
        TagFilter[] next = filters == null ? new TagFilter[members.length] : filters.clone();
        next[at] = filter;
        filters = anyFilter(next) ? next : null;
    }

    /** Under the room's lock: removes {@code connection}; false when it was not a member. */
    boolean removeLocked(Connection connection) {
        Connection[] current = members;
        int at = indexOf(connection);
        if (at < 0) {
            return false;
        }
        Connection[] next = new Connection[current.length - 1];
        System.arraycopy(current, 0, next, 0, at);
        System.arraycopy(current, at + 1, next, at, current.length - at - 1);
        if (filters != null) {
            TagFilter[] nextFilters = new TagFilter[next.length];
            System.arraycopy(filters, 0, nextFilters, 0, at);
            System.arraycopy(filters, at + 1, nextFilters, at, current.length - at - 1);
            filters = anyFilter(nextFilters) ? nextFilters : null;
        }
        members = next;
        return true;
    }

    /** Under the room's lock: what {@code connection} asked to receive (null: everything). */
    TagFilter filterOfLocked(Connection connection) {
        int at = filters == null ? -1 : indexOf(connection);
        return at < 0 ? null : filters[at];
    }

    /** Under the room's lock: how many members filter (for the admin view and the tests). */
    int filteringLocked() {
        int n = 0;
        if (filters != null) {
            for (TagFilter f : filters) {
                n += f == null ? 0 : 1;
            }
        }
        return n;
    }

    /**
     * Under the room's lock: a publication with {@code tags} (null: none) goes to every member whose filter accepts
     * it, under the room's slow-consumer policy. Returns how many it was queued for.
     */
    int fanOutLocked(String frame, Map<String, String> tags, String room, SlowConsumerPolicy slow) {
        Connection[] to = members;
        TagFilter[] accepts = filters;
        Outbound shared = null;
        if (slow != SlowConsumerPolicy.CONFLATE) { // a conflation slot belongs to one connection
            // one immutable queue item for every member: the broadcast allocates once, as it encodes once
            shared = slow == SlowConsumerPolicy.DROP_OLDEST ? new Outbound.Droppable(frame) : new Outbound.Text(frame);
        }
        if (accepts == null) { // nobody filters: the plain walk
            for (Connection member : to) {
                if (shared == null) {
                    member.enqueue(frame, room, slow);
                } else {
                    member.enqueue(shared, slow);
                }
            }
            return to.length;
        }
        int queued = 0;
        for (int i = 0; i < to.length; i++) {
            if (accepts[i] != null && !accepts[i].matches(tags)) {
                continue;
            }
            if (shared == null) {
                to[i].enqueue(frame, room, slow);
            } else {
                to[i].enqueue(shared, slow);
            }
            queued++;
        }
        return queued;
    }

    /** Under the room's lock: a control frame (presence, resynchronization) to every member; never dropped, never filtered. */
    void toAllLocked(String frame) {
        for (Connection member : members) {
            member.enqueue(frame);
        }
    }

    private int indexOf(Connection connection) {
        Connection[] current = members;
        for (int i = 0; i < current.length; i++) {
            if (current[i] == connection) {
                return i;
            }
        }
        return -1;
    }

    private static boolean anyFilter(TagFilter[] filters) {
        for (TagFilter f : filters) {
            if (f != null) {
                return true;
            }
        }
        return false;
    }
}
