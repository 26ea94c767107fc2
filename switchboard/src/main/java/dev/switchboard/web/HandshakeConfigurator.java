package dev.switchboard.web;

import jakarta.websocket.Extension;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import dev.switchboard.config.Settings;

/**
 * The handshake of every Switchboard endpoint. WebSocket extensions are refused unless
 * {@code switchboard.permessage-deflate=true}: compression costs CPU per frame and opens the door to decompression
 * bombs, so it is off whatever the container offers. When enabled, the container's permessage-deflate is negotiated
 * if it has one (WildFly with Undertow's {@code per-message-deflate} on; Payara 6's Tyrus ships none), and inflated
 * messages are held to {@code switchboard.max-message-bytes} like any other (1009). Configurators are created by the
 * container, not CDI, hence the lookup of the settings.
 */
public class HandshakeConfigurator extends ServerEndpointConfig.Configurator {

    private volatile Boolean deflate;

    @Override
    public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
        Boolean enabled = deflate;
        if (enabled == null) {
            enabled = jakarta.enterprise.inject.spi.CDI.current().select(Settings.class).get().socket().permessageDeflate();
            deflate = enabled;
        }
        if (!enabled) {
            return List.of();
        }
        return super.getNegotiatedExtensions(installed, requested).stream()
                .filter(e -> "permessage-deflate".equals(e.getName())).toList();
    }
}
