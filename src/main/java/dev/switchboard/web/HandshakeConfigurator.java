package dev.switchboard.web;

import dev.switchboard.engine.Hub;
import dev.switchboard.security.Handshakes;
import jakarta.enterprise.inject.spi.CDI;
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
 *
 * <p>It also makes the endpoints ({@link #getEndpointInstance}): plain objects given the application's beans, which
 * are looked up once. Container quirk (Payara 6 and GlassFish 7, Tyrus' {@code CdiComponentProvider}): an endpoint
 * the container makes is built through CDI with a new {@code AnnotatedType} and {@code InjectionTarget} per
 * connection, both kept until the connection closes (reflection objects, Weld's creational context: ~1 KB per idle
 * connection, seen in the benchmark's class histograms); WildFly keeps a managed reference per connection too, and
 * Open Liberty does not inject endpoints that are not beans (open-liberty issue 34986). The endpoints are thin and
 * hold only these beans, which are application-scoped, so one lookup serves every connection.
 */
public class HandshakeConfigurator extends ServerEndpointConfig.Configurator {

    /** The beans the endpoints use: looked up once, on the first connection. */
    private record Beans(Hub hub, Handshakes handshakes, Monitor monitor) {
    }

    private volatile Beans beans;

    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) throws InstantiationException {
        Beans b = beans;
        if (b == null) {
            CDI<Object> cdi = CDI.current();
            b = new Beans(cdi.select(Hub.class).get(), cdi.select(Handshakes.class).get(), cdi.select(Monitor.class).get());
            beans = b;
        }
        if (endpointClass == SwitchboardEndpoint.class) {
            SwitchboardEndpoint endpoint = new SwitchboardEndpoint();
            endpoint.hub = b.hub();
            endpoint.handshakes = b.handshakes();
            return endpointClass.cast(endpoint);
        }
        if (endpointClass == RoomEndpoint.class) {
            RoomEndpoint endpoint = new RoomEndpoint();
            endpoint.hub = b.hub();
            endpoint.handshakes = b.handshakes();
            return endpointClass.cast(endpoint);
        }
        if (endpointClass == MonitorEndpoint.class) {
            MonitorEndpoint endpoint = new MonitorEndpoint();
            endpoint.hub = b.hub();
            endpoint.handshakes = b.handshakes();
            endpoint.monitor = b.monitor();
            return endpointClass.cast(endpoint);
        }
        return super.getEndpointInstance(endpointClass);
    }

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
