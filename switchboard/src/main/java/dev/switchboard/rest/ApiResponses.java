package dev.switchboard.rest;

import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.ServerMessage;
import dev.switchboard.security.ApiAccess;
import dev.switchboard.security.SwitchboardAuthenticationMechanism;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The refusals of the HTTP API, each a status with a typed {@code error} body ({@code {type, code, message}}, as on
 * the socket), and the bounded reading of request bodies.
 */
final class ApiResponses {

    private ApiResponses() {
    }

    static Response error(int status, String code, String message, Map<String, String> details) {
        return Response.status(status)
                .entity(Codec.encode(new ServerMessage.Error(null, code, message, details == null || details.isEmpty() ? null : details)))
                .type(MediaType.APPLICATION_JSON).build();
    }

    /** 401: no caller, or a wrong key; the challenge names the schemes the API takes. */
    static Response unauthenticated(ApiAccess.Refusal refusal) {
        String message = refusal == ApiAccess.Refusal.WRONG_KEY ? "the " + ApiAccess.KEY_HEADER + " is not a configured key"
                : "sign in (Authorization: Basic or Bearer) or present a server key (" + ApiAccess.KEY_HEADER + ")";
        Response r = error(401, ErrorCode.UNAUTHENTICATED, message, null);
        return Response.fromResponse(r).header("WWW-Authenticate", SwitchboardAuthenticationMechanism.CHALLENGE).build();
    }

    static Response forbidden(String message) {
        return error(403, ErrorCode.FORBIDDEN, message, null);
    }

    static Response rateLimited() {
        return Response.fromResponse(error(429, ErrorCode.RATE_LIMITED,
                "slow down: over switchboard.api.rate.per-second for this caller", null)).header("Retry-After", "1").build();
    }

    static Response tooBig(int max) {
        return error(413, ErrorCode.TOO_BIG, "the body is larger than " + max + " bytes (switchboard.max-message-bytes)",
                null);
    }

    /**
     * The request's body as UTF-8, or null when it is larger than {@code max} bytes: refused by its Content-Length
     * before reading, and otherwise never read past {@code max + 1} bytes, so a chunked upload cannot make the server
     * buffer more than the limit.
     */
    static String body(HttpServletRequest request, InputStream entity, int max) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > max) {
            return null;
        }
        try (InputStream in = entity) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(declared, 256), max));
            byte[] chunk = new byte[8192];
            int total = 0;
            for (int n; (n = in.read(chunk)) > 0; ) {
                total += n;
                if (total > max) {
                    return null;
                }
                out.write(chunk, 0, n);
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException unreadable) { // the caller went away or stalled mid-body (or Payara lost it: README, h2c)
            throw new WebApplicationException(error(400, ErrorCode.INVALID, "the request body could not be read to its end",
                    Map.of("body", "unreadable")));
        }
    }
}
