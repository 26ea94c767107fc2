package dev.switchboard.handlers;

import dev.switchboard.protocol.Codec;
import dev.switchboard.RequestHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonValue;
import java.time.Instant;

/** {@code request {method: "time"}} → {@code reply {data: {epochMillis, iso}}}: the server's clock. */
@ApplicationScoped
public class TimeHandler implements RequestHandler {

    @Override
    public String method() {
        return "time";
    }

    @Override
    public JsonValue handle(String user, JsonValue data) {
        Instant now = Instant.now();
        return Codec.json().createObjectBuilder().add("epochMillis", now.toEpochMilli()).add("iso", now.toString()).build();
    }
}
