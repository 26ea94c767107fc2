package dev.switchboard.handlers;

import dev.switchboard.RequestHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonValue;

/** {@code request {method: "echo", data}} → {@code reply {data}}: the same data back. */
@ApplicationScoped
public class EchoHandler implements RequestHandler {

    @Override
    public String method() {
        return "echo";
    }

    @Override
    public JsonValue handle(String user, JsonValue data) {
        return data;
    }
}
