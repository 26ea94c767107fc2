package dev.switchboard.protocol;

import jakarta.websocket.Decoder;

/** Text frames to {@link ClientMessage}; never fails (see {@link Codec#decode}). Stateless. */
public final class ClientMessageDecoder implements Decoder.Text<ClientMessage> {

    @Override
    public ClientMessage decode(String text) {
        return Codec.decode(text);
    }

    @Override
    public boolean willDecode(String text) {
        return true;
    }
}
