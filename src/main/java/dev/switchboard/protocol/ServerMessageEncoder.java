package dev.switchboard.protocol;

import jakarta.websocket.Encoder;

/** {@link ServerMessage} to a text frame on the shared {@code Jsonb}. Stateless. */
public final class ServerMessageEncoder implements Encoder.Text<ServerMessage> {

    @Override
    public String encode(ServerMessage message) {
        return Codec.encode(message);
    }
}
