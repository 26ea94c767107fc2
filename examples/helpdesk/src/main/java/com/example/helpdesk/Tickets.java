package com.example.helpdesk;

import dev.switchboard.Switchboard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;

/**
 * The help desk's tickets: stored with JPA, and every change published to the room {@code desk:tickets}, which
 * agents' screens join, and to the customer's own connections.
 */
@ApplicationScoped
public class Tickets {

    /** The room every agent's screen joins (room class {@code desk}: agents only, see microprofile-config.properties). */
    public static final String AGENTS_ROOM = "desk:tickets";

    @PersistenceContext
    EntityManager entities;

    @Inject
    Switchboard switchboard;

    /**
     * Opens a ticket and tells the agents. A customer's second open ticket with the same subject is refused with
     * {@link DuplicateTicket}, counted after the insert (so that two at once cannot both pass); the transaction then
     * rolls back and the agents hear nothing of it: Switchboard publishes what a transaction published after it
     * commits, never after a rollback.
     */
    @Transactional
    public Ticket open(String subject, String customer) {
        Ticket ticket = new Ticket(subject, customer, Instant.now());
        entities.persist(ticket);
        entities.flush(); // the id, for the publication
        switchboard.publish(AGENTS_ROOM, json("opened", ticket));
        long same = entities.createNamedQuery("Ticket.openWithSubject", Long.class).setParameter("customer", customer)
                .setParameter("subject", subject).getSingleResult();
        if (same > 1) {
            throw new DuplicateTicket(subject);
        }
        return ticket;
    }

    /** The customer has an open ticket with this subject already; the transaction rolls back. */
    public static final class DuplicateTicket extends RuntimeException {
        public DuplicateTicket(String subject) {
            super("you already have an open ticket about '" + subject + "'");
        }
    }

    @Transactional
    public Ticket answer(long id) {
        Ticket ticket = entities.find(Ticket.class, id);
        if (ticket == null) {
            return null;
        }
        ticket.setStatus(Ticket.Status.ANSWERED);
        switchboard.publish(AGENTS_ROOM, json("answered", ticket));
        switchboard.sendToUser(ticket.getCustomer(), json("answered", ticket)); // the customer's screens, wherever open
        return ticket;
    }

    /** The ticket {@code id}, or null. */
    public Ticket find(long id) {
        return entities.find(Ticket.class, id);
    }

    public List<Ticket> all() {
        return entities.createNamedQuery("Ticket.all", Ticket.class).getResultList();
    }

    static JsonObject json(String event, Ticket ticket) {
        return Json.createObjectBuilder().add("event", event).add("id", ticket.getId())
                .add("subject", ticket.getSubject()).add("customer", ticket.getCustomer())
                .add("status", ticket.getStatus().name()).build();
    }
}
