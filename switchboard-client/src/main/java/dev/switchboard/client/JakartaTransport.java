package dev.switchboard.client;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.ContainerProvider;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.WebSocketContainer;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * {@link Transport} on the Jakarta WebSocket client API: {@link ContainerProvider#getWebSocketContainer()} (Tyrus'
 * standalone client on a plain JVM; inside a server, pass the server's container). The blocking
 * {@code connectToServer} runs on a thread of its own per attempt, never on the client's event thread; sends are
 * asynchronous ({@code getAsyncRemote}).
 */
public final class JakartaTransport implements Transport {

    private static final System.Logger LOG = System.getLogger(JakartaTransport.class.getName());

    private final WebSocketContainer container;
    private final SSLContext sslContext;
    private final Executor connector;

    public JakartaTransport(WebSocketContainer container) {
        this(container, null);
    }

    private JakartaTransport(WebSocketContainer container, SSLContext sslContext) {
        this.container = container;
        this.sslContext = sslContext;
        this.connector = task -> {
            Thread t = new Thread(task, "switchboard-client-connect");
            t.setDaemon(true);
            t.start();
        };
    }

    /**
     * On the container {@link ContainerProvider} finds (Tyrus' standalone client when it is on the class path), one
     * for all the clients of the JVM: each container has its own I/O threads.
     */
    public static JakartaTransport standard() {
        return Shared.TRANSPORT;
    }

    /**
     * The same container, with {@code wss://} handshakes trusting what {@code sslContext} trusts (a private CA, a
     * development certificate) instead of the JVM's default trust store; host names are still verified. Uses Jakarta
     * WebSocket 2.1's {@link ClientEndpointConfig#getSSLContext()}, which Tyrus honours.
     */
    public JakartaTransport withSslContext(SSLContext sslContext) {
        return new JakartaTransport(container, sslContext);
    }

    /** Created on first use. */
    private static final class Shared {
        static final JakartaTransport TRANSPORT = new JakartaTransport(ContainerProvider.getWebSocketContainer());
    }

    @Override
    public CompletionStage<Connection> connect(URI uri, List<String> subprotocols, Map<String, List<String>> headers,
                                               Listener listener) {
        ClientEndpointConfig config = ClientEndpointConfig.Builder.create().preferredSubprotocols(subprotocols)
                .sslContext(sslContext)
                .configurator(new ClientEndpointConfig.Configurator() {
                    @Override
                    public void beforeRequest(Map<String, List<String>> request) {
                        request.putAll(headers);
                    }
                }).build();
        return CompletableFuture.supplyAsync(() -> {
            try {
                Session session = container.connectToServer(new Adapter(listener), config, uri);
                return (Connection) new SessionConnection(session);
            } catch (jakarta.websocket.DeploymentException | IOException e) {
                throw new SwitchboardException("disconnected", "the handshake with " + uri + " failed: " + e.getMessage());
            }
        }, connector);
    }

    /** Hands the container's callbacks to the client's listener. */
    private static final class Adapter extends Endpoint {
        private final Listener listener;

        Adapter(Listener listener) {
            this.listener = listener;
        }

        @Override
        public void onOpen(Session session, EndpointConfig config) {
            listener.onOpen(new SessionConnection(session));
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) listener::onText);
        }

        @Override
        public void onClose(Session session, CloseReason reason) {
            listener.onClose(reason.getCloseCode().getCode(), reason.getReasonPhrase());
        }

        @Override
        public void onError(Session session, Throwable error) {
            LOG.log(System.Logger.Level.DEBUG, "WebSocket error (the close follows)", error);
        }
    }

    private record SessionConnection(Session session) implements Connection {
        @Override
        public void send(String text) {
            session.getAsyncRemote().sendText(text, result -> {
                if (!result.isOK()) {
                    LOG.log(System.Logger.Level.DEBUG, "a send failed; closing", result.getException());
                    close(CloseCodes.ABNORMAL, "send failed");
                }
            });
        }

        @Override
        public void close(int code, String reason) {
            try {
                if (session.isOpen()) {
                    session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code == CloseCodes.ABNORMAL
                            ? CloseCodes.SERVER_ERROR : code), reason));
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the session failed (it is closed all the same)", e);
            }
        }

        @Override
        public String subprotocol() {
            return session.getNegotiatedSubprotocol();
        }
    }
}
