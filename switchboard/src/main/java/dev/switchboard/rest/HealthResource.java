package dev.switchboard.rest;

import dev.switchboard.telemetry.HealthChecks;
import dev.switchboard.protocol.Codec;
import dev.switchboard.security.ApiAccess;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The probes: {@code GET /api/health/live} (liveness: the writers and the sweep run), {@code GET /api/health/ready}
 * (readiness: not draining; with Redis, the cluster reachable) and {@code GET /api/health} (both). The same URL on
 * every server, in MicroProfile Health's JSON ({@code {"status":"UP","checks":[{"name","status","data"}]}}), 200 when
 * every check is UP, 503 otherwise.
 * <p>Probes carry no credentials: anyone may ask, and sees each check's name and status; a caller of the operations
 * surfaces (server key, {@code switchboard.monitor.role}) also sees each check's data. Anonymous callers are rate
 * limited per address (the API's rate: 429), a wrong key is refused (401). Answering reads a few flags: no I/O.
 */
@Path("health")
@RequestScoped
@ServedUnderApi
public class HealthResource {

    @Inject
    HealthChecks health;

    @Inject
    ApiAccess access;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response all(@Context HttpServletRequest request) {
        List<HealthChecks.Check> checks = new ArrayList<>(health.liveness());
        checks.addAll(health.readiness());
        return answer(request, checks);
    }

    @GET
    @Path("live")
    @Produces(MediaType.APPLICATION_JSON)
    public Response live(@Context HttpServletRequest request) {
        return answer(request, health.liveness());
    }

    @GET
    @Path("ready")
    @Produces(MediaType.APPLICATION_JSON)
    public Response ready(@Context HttpServletRequest request) {
        return answer(request, health.readiness());
    }

    private Response answer(HttpServletRequest request, List<HealthChecks.Check> checks) {
        ApiAccess.Result who = access.caller(request);
        if (who.refusal() == ApiAccess.Refusal.WRONG_KEY) {
            return ApiResponses.unauthenticated(who.refusal());
        }
        if (!(who.caller() != null ? access.withinRate(who.caller()) : access.withinRate("addr:" + request.getRemoteAddr()))) {
            return ApiResponses.rateLimited();
        }
        boolean details = who.caller() != null && access.mayOperate(who.caller());
        boolean up = checks.stream().allMatch(HealthChecks.Check::up);
        JsonArrayBuilder list = Codec.json().createArrayBuilder();
        for (HealthChecks.Check check : checks) {
            JsonObjectBuilder one = Codec.json().createObjectBuilder().add("name", check.name())
                    .add("status", check.up() ? "UP" : "DOWN");
            if (details) {
                JsonObjectBuilder data = Codec.json().createObjectBuilder();
                for (Map.Entry<String, Object> e : check.data().entrySet()) {
                    Object v = e.getValue();
                    if (v instanceof Boolean b) {
                        data.add(e.getKey(), b);
                    } else if (v instanceof Number n) {
                        data.add(e.getKey(), n.longValue());
                    } else {
                        data.add(e.getKey(), String.valueOf(v));
                    }
                }
                one.add("data", data);
            }
            list.add(one);
        }
        String body = Codec.json().createObjectBuilder().add("status", up ? "UP" : "DOWN").add("checks", list).build().toString();
        CacheControl noCache = new CacheControl();
        noCache.setNoStore(true);
        return Response.status(up ? 200 : 503).entity(body).type(MediaType.APPLICATION_JSON).cacheControl(noCache).build();
    }
}
