package dev.switchboard.rest;

import dev.switchboard.telemetry.PrometheusExport;
import dev.switchboard.security.ApiAccess;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

/**
 * {@code GET /api/metrics}: this node's metrics in the Prometheus text format (0.0.4), for a server key or a user
 * with {@code switchboard.monitor.role} — as {@code /api/stats} (401 / 403 otherwise; 429 over the API rate). Scrape
 * with a bearer token or {@code X-Switchboard-Key} (README "Operations"). The names are listed there.
 */
@Path("metrics")
@RequestScoped
@ServedUnderApi
public class MetricsResource {

    private static final PrometheusTextFormatWriter TEXT = PrometheusTextFormatWriter.create();

    @Inject
    PrometheusExport prometheus;

    @Inject
    ApiAccess access;

    @GET
    public Response scrape(@Context HttpServletRequest request) {
        Response refused = Operations.refusal(access, request);
        if (refused != null) {
            return refused;
        }
        var snapshots = prometheus.registry().scrape();
        StreamingOutput body = out -> TEXT.write(out, snapshots);
        return Response.ok(body).type(PrometheusTextFormatWriter.CONTENT_TYPE).build();
    }
}
