package dev.switchboard.web;

import dev.switchboard.engine.Sessions;
import dev.switchboard.security.Handshakes;
import jakarta.websocket.Extension;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;

/**
 * Creates Switchboard's endpoints and settles their handshakes. Each endpoint instance (one per connection) gets the
 * engine's entry points this configurator holds: no CDI lookup and no injection per connection. WebSocket extensions
 * are refused unless {@code switchboard.permessage-deflate=true}: compression costs CPU per frame and opens the door to
 * decompression bombs, so it is off whatever the container offers. When enabled, the container's permessage-deflate is
 * negotiated if it has one (WildFly with Undertow's {@code per-message-deflate} on; Payara 6's Tyrus ships none), and
 * inflated messages are held to {@code switchboard.max-message-bytes} like any other (1009).
 */
final class HandshakeConfigurator extends ServerEndpointConfig.Configurator {

    private final Sessions sessions;
    private final Handshakes handshakes;
    private final Monitor monitor;
    private final boolean deflate;

    HandshakeConfigurator(Sessions sessions, Handshakes handshakes, Monitor monitor, boolean deflate) {
        this.sessions = sessions;
        this.handshakes = handshakes;
        this.monitor = monitor;
        this.deflate = deflate;
    }

    @Override
    public <T> T getEndpointInstance(Class<T> type) throws InstantiationException {
        Object endpoint;
        if (type == SwitchboardEndpoint.class) {
            endpoint = new SwitchboardEndpoint(sessions, handshakes);
        } else if (type == RoomEndpoint.class) {
            endpoint = new RoomEndpoint(sessions, handshakes);
        } else if (type == MonitorEndpoint.class) {
            endpoint = new MonitorEndpoint(sessions, handshakes, monitor);
        } else {
            throw new InstantiationException("not a Switchboard endpoint: " + type.getName());
        }
        return type.cast(endpoint);
    }

    @Override
    public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
        if (!deflate) {
            return List.of();
        }
        return super.getNegotiatedExtensions(installed, requested).stream()
                .filter(e -> "permessage-deflate".equals(e.getName())).toList();
    }
}
