package com.example.helpdesk;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import java.time.Instant;

/** A customer's request for help: stored in the server's default datasource. */
@Entity
@NamedQuery(name = "Ticket.all", query = "select t from Ticket t order by t.id")
@NamedQuery(name = "Ticket.openWithSubject", query = "select count(t) from Ticket t where t.customer = :customer"
        + " and t.subject = :subject and t.status = com.example.helpdesk.Ticket.Status.OPEN")
public class Ticket {

    /** Where a ticket stands. */
    public enum Status { OPEN, ANSWERED, CLOSED }

    @Id
    @GeneratedValue
    private Long id;
    private String subject;
    private String customer;
    private Status status = Status.OPEN;
    private Instant opened;

    protected Ticket() {
    }

    Ticket(String subject, String customer, Instant opened) {
        this.subject = subject;
        this.customer = customer;
        this.opened = opened;
    }

    public Long getId() {
        return id;
    }

    public String getSubject() {
        return subject;
    }

    public String getCustomer() {
        return customer;
    }

    public Status getStatus() {
        return status;
    }

    void setStatus(Status status) {
        this.status = status;
    }

    public Instant getOpened() {
        return opened;
    }
}
