package com.example.helpdesk;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

/**
 * {@code /app/tickets}: customers open tickets, agents list and answer them; {@code /app/tickets/watchers}: the agents
 * watching now (from Switchboard's events).
 */
@Path("tickets")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class TicketResource {

    @Inject
    Tickets tickets;

    @Inject
    AgentsOnline online;

    @Context
    SecurityContext security;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response open(JsonObject request) {
        if (!security.isUserInRole("customer")) {
            return refused();
        }
        String subject = request.getString("subject", "").strip();
        if (subject.isEmpty() || subject.length() > 200) {
            return Response.status(400).entity(Json.createObjectBuilder().add("error", "subject: 1 to 200 characters").build()).build();
        }
        try {
            Ticket ticket = tickets.open(subject, security.getUserPrincipal().getName());
            return Response.status(201).entity(Tickets.json("opened", ticket)).build();
        } catch (Tickets.DuplicateTicket e) {
            return Response.status(409).entity(Json.createObjectBuilder().add("error", e.getMessage()).build()).build();
        }
    }

    @GET
    public Response list() {
        if (!security.isUserInRole("agent")) {
            return refused();
        }
        JsonArrayBuilder all = Json.createArrayBuilder();
        tickets.all().forEach(t -> all.add(Tickets.json("listed", t)));
        return Response.ok(all.build()).build();
    }

    @POST
    @Path("{id}/answer")
    public Response answer(@PathParam("id") long id) {
        if (!security.isUserInRole("agent")) {
            return refused();
        }
        Ticket ticket = tickets.answer(id);
        return ticket == null ? Response.status(404).build() : Response.ok(Tickets.json("answered", ticket)).build();
    }

    @GET
    @Path("watchers")
    public Response watchers() {
        if (!security.isUserInRole("agent")) {
            return refused();
        }
        JsonArrayBuilder users = Json.createArrayBuilder();
        online.users().forEach(users::add);
        return Response.ok(users.build()).build();
    }

    private Response refused() {
        return Response.status(security.getUserPrincipal() == null ? 401 : 403)
                .header("WWW-Authenticate", "Basic realm=\"helpdesk\"").build();
    }
}
