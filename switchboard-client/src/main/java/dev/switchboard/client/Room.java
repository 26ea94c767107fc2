package dev.switchboard.client;

import dev.switchboard.client.Events.Ack;
import dev.switchboard.client.Events.Joined;
import dev.switchboard.client.Events.Member;
import dev.switchboard.client.Events.Publication;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * A room this client joined: rejoined after every reconnect with {@code since} its last offset, so that its
 * {@link #onMessage} listeners get every publication once, in offset order. Its state (epoch, offset, members) is
 * owned by the client's event thread; the getters read a consistent value from any thread.
 */
public final class Room {

    private final SwitchboardClient client;
    private final String name;
    private final Listeners<Publication> messages = new Listeners<>();
    private final Listeners<Joined> joins = new Listeners<>();
    private final Listeners<Joined> resets = new Listeners<>();
    private final Listeners<Map<String, Integer>> presence = new Listeners<>();
    private final Listeners<String> removals = new Listeners<>();
    private final Listeners<SwitchboardException> errors = new Listeners<>();
    final CompletableFuture<Joined> ready = new CompletableFuture<>();
    private volatile String epoch;
    private volatile Long offset;
    private volatile Map<String, Integer> members = Map.of();
    private volatile boolean joined;
    /** What the room receives (tag name → accepted values), sent on every join; null for everything. */
    volatile Map<String, List<String>> filter;

    Room(SwitchboardClient client, String name, String epoch, Long offset) {
        this.client = client;
        this.name = name;
        this.epoch = epoch;
        this.offset = offset;
    }

    public String name() {
        return name;
    }

    /** The room's epoch, as of the last join or publication; null before the first. */
    public String epoch() {
        return epoch;
    }

    /** The offset of the last publication delivered to the listeners (or of the join); null before the first. */
    public Long offset() {
        return offset;
    }

    /** Who is in the room and with how many connections, as last announced. */
    public Map<String, Integer> members() {
        return members;
    }

    /** Whether the room is joined on the current connection. */
    public boolean joined() {
        return joined;
    }

    /** Completes with the first {@code joined} answer, or exceptionally (e.g. {@code forbidden}, {@code closed}). */
    public CompletionStage<Joined> ready() {
        return ready;
    }

    public CompletionStage<Ack> publish(Object data) {
        return client.publish(name, data);
    }

    public CompletionStage<List<Member>> presence() {
        return client.presence(name);
    }

    public CompletionStage<Void> leave() {
        return client.leave(name);
    }

    /** Every publication, once, in offset order — including those recovered after a reconnect. */
    public Registration onMessage(Consumer<? super Publication> listener) {
        return messages.add(listener);
    }

    /** Every {@code joined}: the first join and each rejoin after a reconnect. */
    public Registration onJoined(Consumer<? super Joined> listener) {
        return joins.add(listener);
    }

    /** The missed publications could not be recovered (history gone, a new epoch): reload your state. */
    public Registration onReset(Consumer<? super Joined> listener) {
        return resets.add(listener);
    }

    /** The members after each change. */
    public Registration onPresence(Consumer<? super Map<String, Integer>> listener) {
        return presence.add(listener);
    }

    /** An administrator removed this connection from the room: it is no longer joined nor rejoined. */
    public Registration onRemoved(Consumer<? super String> listener) {
        return removals.add(listener);
    }

    /** A join (or rejoin) was refused. */
    public Registration onError(Consumer<? super SwitchboardException> listener) {
        return errors.add(listener);
    }

    // ---- on the event thread only (SwitchboardClient)

    /** The {@code since} of the next join, or null when nothing is known yet. */
    boolean knowsPosition() {
        return epoch != null && offset != null;
    }

    void joined(Joined answer) {
        if (knowsPosition() && Boolean.FALSE.equals(answer.recovered())) {
            offset = answer.offset();
            resets.emit(answer);
        } else if (!knowsPosition()) {
            offset = answer.offset();
        }
        epoch = answer.epoch();
        joined = true;
        Map<String, Integer> now = new LinkedHashMap<>();
        answer.presence().forEach(m -> now.put(m.user(), m.connections()));
        members = Map.copyOf(now);
        ready.complete(answer);
        joins.emit(answer);
        presence.emit(members);
    }

    void message(Publication publication) {
        Long last = offset;
        if (publication.epoch().equals(epoch) && last != null && publication.offset() <= last) {
            return; // a duplicate (a rejoin with an older since)
        }
        epoch = publication.epoch();
        offset = publication.offset();
        messages.emit(publication);
    }

    void presenceDiff(List<String> in, List<String> out) {
        Map<String, Integer> now = new LinkedHashMap<>(members);
        in.forEach(user -> now.putIfAbsent(user, 1));
        out.forEach(now::remove);
        members = Map.copyOf(now);
        presence.emit(members);
    }

    void disconnected() {
        joined = false;
    }

    void removed() {
        joined = false;
        removals.emit(name);
        clear();
    }

    void failed(SwitchboardException error) {
        ready.completeExceptionally(error);
        errors.emit(error);
    }

    void clear() {
        messages.clear();
        joins.clear();
        resets.clear();
        presence.clear();
        removals.clear();
        errors.clear();
    }

    String epochForJoin() {
        return epoch;
    }

    long offsetForJoin() {
        return offset;
    }
}
