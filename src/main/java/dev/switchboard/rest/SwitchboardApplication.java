package dev.switchboard.rest;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The HTTP API under {@code /api}. */
@ApplicationPath("/api")
public class SwitchboardApplication extends Application {
}
