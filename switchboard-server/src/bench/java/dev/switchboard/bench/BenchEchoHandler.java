package dev.switchboard.bench;

import dev.switchboard.TypedRequestHandler;
import dev.switchboard.security.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.constraints.PositiveOrZero;

/** The benchmark's typed request handler (variant {@code switchboard-handled}): {@code echo-typed} answers its record. */
@ApplicationScoped
public class BenchEchoHandler implements TypedRequestHandler<BenchEchoHandler.Stamp, BenchEchoHandler.Stamp> {

    /** The generator's request: its send time. */
    public record Stamp(@PositiveOrZero long t) {
    }

    @Override
    public String method() {
        return "echo-typed";
    }

    @Override
    public Class<Stamp> type() {
        return Stamp.class;
    }

    @Override
    public Stamp handle(Caller caller, Stamp stamp) {
        return stamp;
    }
}
