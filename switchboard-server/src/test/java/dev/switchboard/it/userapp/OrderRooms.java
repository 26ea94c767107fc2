package dev.switchboard.it.userapp;

import dev.switchboard.Rejection;
import dev.switchboard.RoomCall;
import dev.switchboard.RoomHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A user's typed room handler (HandlersIT): rules every {@code orders:} room. Archived orders cannot be joined; a
 * member's note is validated, then published stamped with its author; leaves are remembered.
 */
@ApplicationScoped
public class OrderRooms implements RoomHandler<OrderRooms.Note> {

    /** What a member publishes. */
    public record Note(@NotBlank @Size(max = 40) String text, @Min(1) @Max(99) int quantity) {
    }

    /** What the members get. */
    public record Stamped(String text, int quantity, String by) {
    }

    private final List<String> leaves = new CopyOnWriteArrayList<>();

    @Override
    public String rooms() {
        return "orders:*";
    }

    @Override
    public Class<Note> type() {
        return Note.class;
    }

    @Override
    public void onJoin(RoomCall call) {
        if (call.key().startsWith("archived")) {
            throw new Rejection("archived", "order " + call.key() + " is archived: it has no room any more");
        }
    }

    @Override
    public Object onPublish(RoomCall call, Note note) {
        return new Stamped(note.text(), note.quantity(), call.user());
    }

    @Override
    public void onLeave(RoomCall call) {
        leaves.add(call.user() + " " + call.room());
    }

    public List<String> leaves() {
        return List.copyOf(leaves);
    }
}
