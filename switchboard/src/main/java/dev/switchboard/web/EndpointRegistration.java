package dev.switchboard.web;

import dev.switchboard.config.Settings;
import dev.switchboard.config.SocketPaths;
import dev.switchboard.engine.Sessions;
import dev.switchboard.protocol.Subprotocols;
import dev.switchboard.security.Handshakes;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Extension;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.logging.Logger;

/**
 * Adds Switchboard's three WebSocket endpoints and its event stream servlet ({@link EventStreamServlet}) to the
 * application while it deploys, at the paths of
 * {@link SocketPaths} ({@code switchboard.path}): programmatic endpoints ({@code ServerContainer.addEndpoint} from a
 * listener, Jakarta WebSocket 2.1 section 6.4), so that the path is a setting rather than an annotation, as OmniFaces
 * does for its push endpoint. The endpoints are created by one {@link HandshakeConfigurator} holding the engine's
 * entry points (not by the container, not through CDI per connection). Found by the container's scan of the library's
 * JAR ({@code @WebListener}); the {@code Endpoint} subclasses in it also make Tyrus set up its WebSocket container in an
 * application that has no endpoint of its own (Tyrus skips it otherwise: tyrus issue 597).
 */
@WebListener
public class EndpointRegistration implements ServletContextListener {

    private static final Logger LOG = Logger.getLogger(EndpointRegistration.class.getName());

    @Inject
    Sessions sessions;

    @Inject
    Handshakes handshakes;

    @Inject
    Monitor monitor;

    @Inject
    Settings settings;

    @Inject
    SocketPaths paths;

    @Inject
    dev.switchboard.engine.Hub hub;

    @Inject
    dev.switchboard.security.Credentials credentials;

    @Inject
    dev.switchboard.security.ApiAccess access;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServerContainer container = (ServerContainer) event.getServletContext().getAttribute(ServerContainer.class.getName());
        if (container == null) {
            throw new IllegalStateException("Switchboard: the server gave this application no WebSocket container"
                    + " (servlet context attribute " + ServerContainer.class.getName() + "); is WebSocket enabled?");
        }
        boolean deflate = settings.socket().permessageDeflate();
        HandshakeConfigurator configurator = new HandshakeConfigurator(sessions, handshakes, monitor, deflate,
                event.getServletContext().getClassLoader());
        // Container quirk (WildFly, Undertow): a programmatic endpoint negotiates only the extensions its configuration
        // lists (an annotated one, every extension the container has installed): the container's permessage-deflate
        // is listed when switchboard.permessage-deflate=true
        List<Extension> extensions = !deflate ? List.of() : container.getInstalledExtensions().stream()
                .filter(e -> "permessage-deflate".equals(e.getName())).toList();
        try {
            container.addEndpoint(ServerEndpointConfig.Builder.create(SwitchboardEndpoint.class, paths.socket())
                    .subprotocols(List.of(Subprotocols.BATCH, Subprotocols.V1)).extensions(extensions)
                    .configurator(configurator).build());
            container.addEndpoint(ServerEndpointConfig.Builder.create(RoomEndpoint.class, paths.rooms())
                    .extensions(extensions).configurator(configurator).build());
            container.addEndpoint(ServerEndpointConfig.Builder.create(MonitorEndpoint.class, paths.monitor())
                    .subprotocols(List.of(Subprotocols.V1)).extensions(extensions).configurator(configurator).build());
        } catch (DeploymentException e) {
            throw new IllegalStateException("Switchboard: its WebSocket endpoints could not be added at "
                    + paths.socket() + " (" + SocketPaths.SETTING + "): " + e.getMessage(), e);
        }
        // the Server-Sent Events fallback: a servlet added as the endpoints are, its path a setting
        jakarta.servlet.ServletRegistration.Dynamic events = event.getServletContext().addServlet(
                EventStreamServlet.class.getName(), new EventStreamServlet(sessions, credentials, access));
        events.setAsyncSupported(true);
        events.addMapping(paths.events());
        LOG.info("Switchboard serves WebSocket connections at " + event.getServletContext().getContextPath()
                + paths.socket() + " (" + SocketPaths.SETTING + ") and its event streams at "
                + event.getServletContext().getContextPath() + paths.events() + " (" + SocketPaths.EVENTS_SETTING + ")");
    }

    /** Undeploy: drains and closes the connections unless {@link HandshakeFilter#destroy} did (see there). */
    @Override
    public void contextDestroyed(ServletContextEvent event) {
        hub.shutdown();
    }
}
