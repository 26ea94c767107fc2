package dev.switchboard.cluster;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The rooms this node follows on Redis: one subscription to {@code prefix:{room}:events} per room name while the node
 * has a room by that name (counted: a retired room and its successor overlap), and whether Redis confirmed it. A join
 * or a publish waits for the confirmation before it reads or appends to the room's log ({@link #await}); after an
 * outage Lettuce subscribes again to every channel, and {@link Redis#connect} to the rooms followed meanwhile.
 */
final class RoomSubscriptions {

    /** A room followed here. */
    private static final class Following {
        int rooms;
        /** Completes when Redis confirmed the subscription; replaced when it failed. */
        CompletableFuture<Void> active;
    }

    private final Redis redis;
    private final Map<String, Following> following = new ConcurrentHashMap<>();

    RoomSubscriptions(Redis redis) {
        this.redis = redis;
    }

    /** Never waits: subscribes when this is the node's first room by that name. */
    void follow(String room) {
        following.compute(room, (name, f) -> {
            Following now = f != null ? f : new Following();
            if (now.rooms++ == 0) {
                now.active = redis.subscriber().subscribe(redis.roomChannel(name));
            }
            return now;
        });
    }

    /** Never waits: unsubscribes when the node's last room by that name is gone. */
    void unfollow(String room) {
        following.computeIfPresent(room, (name, f) -> {
            if (--f.rooms > 0) {
                return f;
            }
            redis.subscriber().unsubscribe(redis.roomChannel(name));
            return null;
        });
    }

    /**
     * Blocking, at most the Redis timeout: returns once Redis confirmed {@code room}'s subscription (at once when it
     * did before, or when the node has no such room); a subscription that failed (Redis away) is tried again.
     */
    void await(String room) throws StoreUnavailable {
        Following f = following.get(room);
        if (f == null) {
            return;
        }
        CompletableFuture<Void> seen = f.active;
        if (seen.isDone() && !seen.isCompletedExceptionally()) {
            return;
        }
        CompletableFuture<Void> active = seen;
        if (seen.isCompletedExceptionally()) {
            following.computeIfPresent(room, (name, now) -> {
                if (now.active == seen) {
                    now.active = redis.subscriber().subscribe(redis.roomChannel(name));
                }
                return now;
            });
            Following again = following.get(room);
            if (again == null) {
                return;
            }
            active = again.active;
        }
        long timeout = redis.config().timeout().toMillis();
        try {
            active.get(timeout, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new StoreUnavailable("not subscribed to room " + room + " within " + timeout + " ms: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailable("interrupted", e);
        }
    }

    /** The rooms followed now (to subscribe to on a new connection). */
    Set<String> rooms() {
        return Set.copyOf(following.keySet());
    }
}
