package dev.switchboard.web;

import dev.switchboard.engine.Sessions;
import dev.switchboard.security.Handshakes;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.Locale;

/**
 * Creates Switchboard's endpoints and settles their handshakes. Each endpoint instance (one per connection) gets the
 * engine's entry points this configurator holds: no CDI lookup and no injection per connection. WebSocket extensions
 * are refused unless {@code switchboard.permessage-deflate=true}: compression costs CPU per frame and opens the door to
 * decompression bombs, so it is off whatever the container offers. When enabled, the container's permessage-deflate is
 * negotiated if it has one (WildFly with Undertow's {@code per-message-deflate} on; Payara 6's Tyrus ships none), and
 * inflated messages are held to {@code switchboard.max-message-bytes} like any other (1009). The handshake's
 * {@code Accept-Language} becomes the connection's language (see {@link #language}).
 */
final class HandshakeConfigurator extends ServerEndpointConfig.Configurator {

    private final Sessions sessions;
    private final Handshakes handshakes;
    private final Monitor monitor;
    private final boolean deflate;
    private final ClassLoader application;

    /** {@code application}: the application's class loader, the context loader its code runs with. */
    HandshakeConfigurator(Sessions sessions, Handshakes handshakes, Monitor monitor, boolean deflate,
                          ClassLoader application) {
        this.sessions = sessions;
        this.handshakes = handshakes;
        this.monitor = monitor;
        this.deflate = deflate;
        this.application = application;
    }

    @Override
    public <T> T getEndpointInstance(Class<T> type) throws InstantiationException {
        Endpoints.applicationLoader(application); // see Endpoints.upgraded: Tyrus made the session, ours runs now
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

    /**
     * Keeps the language the client asked for first where the connection's endpoint finds it: the configuration's user
     * properties here are this connection's own copy, which become its session's (Jakarta WebSocket 2.1, section
     * 4.1.1.2; every server here implements 2.1).
     */
    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        super.modifyHandshake(config, request, response);
        List<String> accepted = request.getHeaders().get("Accept-Language");
        Locale language = accepted == null || accepted.isEmpty() ? null : language(accepted.get(0));
        if (language != null) {
            config.getUserProperties().put(Endpoints.LANGUAGE, language);
        }
    }

    /**
     * The first language of an {@code Accept-Language} value that names one (not {@code *}, not weighted 0), or
     * null: a value too long or not well formed is ignored, as if absent.
     */
    static Locale language(String acceptLanguage) {
        if (acceptLanguage == null || acceptLanguage.isBlank() || acceptLanguage.length() > 256) {
            return null;
        }
        try {
            for (Locale.LanguageRange range : Locale.LanguageRange.parse(acceptLanguage)) {
                if (range.getWeight() > 0 && !range.getRange().startsWith("*")) {
                    Locale locale = Locale.forLanguageTag(range.getRange());
                    return locale.getLanguage().isEmpty() ? null : locale;
                }
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
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
