package dev.switchboard.engine;

import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Unexpected failures answered to a client: the cause is logged (SEVERE) under a short incident id and the client gets
 * {@code internal} with the id only, never the cause — as the HTTP API answers its own ({@code rest.UnexpectedFailures}).
 */
public final class Incidents {

    private static final Logger LOG = Logger.getLogger(Incidents.class.getName());

    private Incidents() {
    }

    /** Logs {@code cause} while {@code doing}; answers the message for the client, naming the incident. */
    public static String record(String doing, Throwable cause) {
        String incident = UUID.randomUUID().toString().substring(0, 8);
        LOG.log(Level.SEVERE, "Incident " + incident + " " + doing, cause);
        return "an unexpected failure, logged on the server as incident " + incident;
    }
}
