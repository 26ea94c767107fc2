package dev.switchboard.it;

import dev.switchboard.RequestHandler;
import dev.switchboard.Switchboard;
import dev.switchboard.SwitchboardEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test-only, added to the built WAR by {@link EventsIT}: an application bean that observes Switchboard's CDI events
 * and pushes through the {@link Switchboard} API, as a user's application would; exposed over HTTP for the test.
 */
@Path("probe")
@ApplicationScoped
public class EventProbe {

    private final List<SwitchboardEvent> events = new CopyOnWriteArrayList<>();
    /** Connections opened while the context class loader could not load the application's classes. */
    private final List<String> foreignLoaders = new CopyOnWriteArrayList<>();

    @Inject
    Switchboard switchboard;

    void record(@Observes SwitchboardEvent event) {
        if (event instanceof SwitchboardEvent.ConnectionOpened o && !applicationLoader()) {
            foreignLoaders.add(o.user());
        }
        events.add(event);
    }

    /** Whether the application's code runs with a context loader that loads the application's own classes. */
    private static boolean applicationLoader() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try {
            return loader != null && Class.forName(EventProbe.class.getName(), false, loader) == EventProbe.class;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @GET
    @Path("events")
    @Produces(MediaType.APPLICATION_JSON)
    public String events() {
        JsonArrayBuilder array = Json.createArrayBuilder();
        for (SwitchboardEvent e : events) {
            var b = Json.createObjectBuilder().add("event", e.getClass().getSimpleName());
            if (e instanceof SwitchboardEvent.ConnectionOpened o) {
                b.add("user", o.user()).add("endpoint", o.endpoint())
                        .add("applicationLoader", !foreignLoaders.contains(o.user()));
            } else if (e instanceof SwitchboardEvent.ConnectionClosed c) {
                b.add("user", c.user()).add("code", c.closeCode());
            } else if (e instanceof SwitchboardEvent.RoomJoined j) {
                b.add("user", j.user()).add("room", j.room());
            } else if (e instanceof SwitchboardEvent.RoomLeft l) {
                b.add("user", l.user()).add("room", l.room());
            } else if (e instanceof SwitchboardEvent.MessagePublished p) {
                b.add("room", p.room()).add("offset", p.offset()).add("data", p.data());
            }
            array.add(b);
        }
        return array.build().toString();
    }

    @POST
    @Path("push/{user}")
    @Produces(MediaType.APPLICATION_JSON)
    public String push(@PathParam("user") String user) {
        int reached = switchboard.sendToUser(user, Json.createValue("pushed by the application"));
        return Json.createObjectBuilder().add("reached", reached).build().toString();
    }

    /**
     * A signed token for {@code user} that lives {@code ttl} seconds: the application's own token service, which a
     * page asks for fresh credentials (signed with this WAR's {@code switchboard.auth.jwt-secret}).
     */
    @POST
    @Path("token/{user}")
    @Produces(MediaType.TEXT_PLAIN)
    public String token(@PathParam("user") String user, @QueryParam("ttl") @DefaultValue("4") int ttl) throws Exception {
        String secret = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("switchboard.auth.jwt-secret", String.class);
        java.time.Instant now = java.time.Instant.now();
        com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(
                new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256),
                new com.nimbusds.jwt.JWTClaimsSet.Builder().subject(user).issueTime(java.util.Date.from(now))
                        .expirationTime(java.util.Date.from(now.plusSeconds(ttl))).build());
        jwt.sign(new com.nimbusds.jose.crypto.MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    /** Cuts every connection of {@code user} with {@code code} (default 1012, service restart: clients reconnect). */
    @POST
    @Path("cut/{user}")
    @Produces(MediaType.APPLICATION_JSON)
    public String cut(@PathParam("user") String user, @QueryParam("code") @DefaultValue("1012") int code) {
        return Json.createObjectBuilder().add("closed", switchboard.disconnect(user, code, "test: cut"))
                .build().toString();
    }

    /** Cuts every member of {@code room} at once with 1012 (a node restarting, for its clients): one server-side loop. */
    @POST
    @Path("cut-room/{room}")
    @Produces(MediaType.APPLICATION_JSON)
    public String cutRoom(@PathParam("room") String room) {
        int closed = 0;
        for (Switchboard.Member member : switchboard.presence(room)) {
            closed += switchboard.disconnect(member.user(), 1012, "test: restart");
        }
        return Json.createObjectBuilder().add("closed", closed).build().toString();
    }

    /** Asks connection {@code id} to confirm something and answers with its reply or the failure's code. */
    @POST
    @Path("ask/{connection}")
    @Produces(MediaType.APPLICATION_JSON)
    public String ask(@PathParam("connection") String connection) throws InterruptedException {
        try {
            JsonValue answer = switchboard.request(connection, "confirm", Json.createValue("proceed?"), Duration.ofSeconds(2))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            return Json.createObjectBuilder().add("answer", answer).build().toString();
        } catch (ExecutionException e) {
            String code = e.getCause() instanceof RequestHandler.RequestFailure f ? f.code() : e.getCause().toString();
            return Json.createObjectBuilder().add("error", code).build().toString();
        } catch (TimeoutException e) {
            return Json.createObjectBuilder().add("error", "test-timeout").build().toString();
        }
    }

    @POST
    @Path("publish/{room}")
    @Produces(MediaType.APPLICATION_JSON)
    public String publish(@PathParam("room") String room) {
        Switchboard.Publication p = switchboard.publish(room, Json.createObjectBuilder().add("from", "app").build());
        return Json.createObjectBuilder().add("offset", p.offset()).add("rooms", Json.createArrayBuilder(switchboard.rooms()))
                .add("connections", switchboard.connectionCount()).build().toString();
    }
}
