package com.example.helpdesk;

import dev.switchboard.Rejection;
import dev.switchboard.RoomCall;
import dev.switchboard.RoomHandler;
import dev.switchboard.Switchboard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Instant;

/**
 * A ticket's conversation, room {@code ticket:<id>}: the ticket's customer and the agents may join (checked in the
 * database, with JPA on the handler's thread); a note is validated, then published with its author and time (an
 * agent's first note answers the ticket, in a transaction); when someone leaves, the others are told.
 */
@ApplicationScoped
public class TicketRooms implements RoomHandler<TicketRooms.Note> {

    /** What a member writes. */
    public record Note(@NotBlank @Size(max = 500) String text) {
    }

    /** What the members read. */
    public record Said(String text, String by, Instant at) {
    }

    // The tickets through the application's Tickets bean, not an entity manager of this class's own: with
    // @PersistenceContext here, Payara Micro 6.2025.10 failed the deployment ("Lookup failed for
    // java:comp/env/com.example.helpdesk.TicketRooms/entities"; WildFly deployed it; cause not isolated)
    @Inject
    Tickets tickets;

    @Inject
    Switchboard switchboard;

    @Override
    public String rooms() {
        return "ticket:*";
    }

    @Override
    public Class<Note> type() {
        return Note.class;
    }

    @Override
    public void onJoin(RoomCall call) {
        Ticket ticket = ticket(call.key());
        if (ticket == null) {
            throw new Rejection("no_such_ticket", "there is no ticket " + call.key());
        }
        if (!call.caller().hasRole("agent") && !ticket.getCustomer().equals(call.user())) {
            throw new Rejection("not_your_ticket", "ticket " + call.key() + " is another customer's");
        }
    }

    /**
     * An agent's first note answers the ticket: a JTA transaction on the handler's thread ({@link Tickets#answer}),
     * whose publications (the agents' room, the customer's screens) go out after it commits.
     */
    @Override
    public Object onPublish(RoomCall call, Note note) {
        if (call.caller().hasRole("agent")) {
            Ticket ticket = ticket(call.key());
            if (ticket != null && ticket.getStatus() == Ticket.Status.OPEN) {
                tickets.answer(ticket.getId());
            }
        }
        return new Said(note.text().strip(), call.user(), Instant.now());
    }

    @Override
    public void onLeave(RoomCall call) {
        switchboard.publish(call.room(), Json.createObjectBuilder().add("event", "left").add("user", call.user()).build());
    }

    private Ticket ticket(String key) {
        try {
            return tickets.find(Long.parseLong(key));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
