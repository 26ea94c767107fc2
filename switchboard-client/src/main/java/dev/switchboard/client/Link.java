package dev.switchboard.client;

import dev.switchboard.client.Events.Welcome;
import dev.switchboard.client.SwitchboardClient.State;
import dev.switchboard.client.SwitchboardClient.StateChange;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The one owner of a client's connection and its state, on the event thread: attempts (a fresh credential for each,
 * a connect timeout), the welcome, liveness, the close and the jittered backoff before the next attempt (none after
 * {@link CloseCodes#NO_RECONNECT}). What the connection carries goes to its {@link Owner}.
 */
final class Link {

    /** The client, told what happened to the connection. */
    interface Owner {
        void stateChanged(StateChange change);

        /** Welcomed on a new connection: rejoin, send what waited. */
        void opened(Welcome welcome);

        void received(JsonObject message);

        /** The connection closed; {@code reconnects}: another attempt follows. */
        void disconnected(int code, String reason, boolean reconnects);

        /** Closed for good: fail what is in flight or waiting. */
        void shutDown(SwitchboardException error);

        /** A request/answer over the connection (refresh). */
        CompletionStage<JsonObject> call(JsonObject message);

        void failed(SwitchboardException error);
    }

    private final URI uri;
    private final ClientOptions options;
    private final Transport transport;
    private final Codec codec;
    private final Scheduler scheduler;
    private final Liveness liveness;
    private final Owner owner;
    private volatile State state = State.CONNECTING;
    private Transport.Connection connection;
    private Object attempt;
    private int attempts;
    private Scheduler.Cancellable uptime;

    Link(URI uri, ClientOptions options, Transport transport, Codec codec, Scheduler scheduler, Owner owner) {
        this.uri = uri;
        this.options = options;
        this.transport = transport;
        this.codec = codec;
        this.scheduler = scheduler;
        this.liveness = new Liveness(scheduler, options);
        this.owner = owner;
    }

    State state() {
        return state;
    }

    void send(String text) {
        if (connection != null) {
            connection.send(text);
        }
    }

    /** Asks for a credential (when there is a supplier) and makes an attempt. */
    void open() {
        if (options.credentials() == null) {
            attempt(options.protocols());
            return;
        }
        CompletableFuture.completedFuture(null).thenCompose(x -> options.credentials().get())
                .whenComplete((credential, error) -> scheduler.execute(() -> {
                    if (state == State.CLOSED) {
                        return;
                    }
                    if (error != null) {
                        owner.failed(Wire.failure(error));
                        scheduleReconnect();
                        return;
                    }
                    List<String> offered = new ArrayList<>(options.protocols());
                    if (credential != null) {
                        offered.add(credential);
                    }
                    attempt(offered);
                }));
    }

    /** Closed by the application: 1000, no reconnect. */
    void close() {
        if (state == State.CLOSED) {
            return;
        }
        setState(State.CLOSED);
        stop();
        owner.shutDown(new SwitchboardException("closed", "closed by the application"));
        if (connection != null) {
            connection.close(CloseCodes.NORMAL, "bye");
        }
    }

    private void attempt(List<String> protocols) {
        Object mine = new Object();
        attempt = mine;
        Scheduler.Cancellable timeout = scheduler.schedule(() -> {
            if (attempt == mine && connection == null) {
                closed(CloseCodes.ABNORMAL, "not open within " + options.connectTimeout().toMillis() + " ms");
            }
        }, options.connectTimeout());
        transport.connect(uri, protocols, options.headers(), new Transport.Listener() {
            @Override
            public void onOpen(Transport.Connection opened) {
                scheduler.execute(() -> {
                    timeout.cancel();
                    if (attempt == mine && state != State.CLOSED) {
                        connection = opened;
                    } else {
                        opened.close(CloseCodes.NORMAL, "abandoned");
                    }
                });
            }

            @Override
            public void onText(String text) {
                scheduler.execute(() -> {
                    if (attempt == mine) {
                        Wire.frames(text).forEach(frame -> receive(codec.read(frame)));
                    }
                });
            }

            @Override
            public void onClose(int code, String reason) {
                scheduler.execute(() -> {
                    if (attempt == mine) {
                        closed(code, reason);
                    }
                });
            }
        }).whenComplete((opened, error) -> {
            if (error != null) {
                scheduler.execute(() -> {
                    timeout.cancel();
                    if (attempt == mine) {
                        closed(CloseCodes.ABNORMAL, Wire.failure(error).getMessage());
                    }
                });
            }
        });
    }

    private void receive(JsonObject message) {
        if (message == null) {
            return; // the server sends JSON objects only
        }
        liveness.heard();
        if ("welcome".equals(message.getString("type", ""))) {
            welcomed(Welcome.of(message));
        } else {
            owner.received(message);
        }
    }

    private void welcomed(Welcome welcome) {
        setState(State.OPEN);
        uptime = scheduler.schedule(() -> attempts = 0, options.reconnectMinUptime());
        long interval = options.pingInterval().isZero() ? welcome.heartbeatMs() : options.pingInterval().toMillis();
        liveness.startPings(interval, id -> send(ping(id)), () -> connection.close(CloseCodes.HEARTBEAT_TIMEOUT, "no pong"));
        liveness.scheduleRefresh(welcome.expiresInMs(),
                credential -> owner.call(Json.createObjectBuilder().add("type", "refresh").add("credential", credential).build()),
                expiresInMs -> { }, owner::failed);
        // a first message at once: the server closes /ws connections that stay silent after the welcome (1013)
        send(ping("hello"));
        owner.opened(welcome);
    }

    private void closed(int code, String reason) {
        connection = null;
        stop();
        boolean reconnects = state != State.CLOSED && CloseCodes.reconnects(code);
        owner.disconnected(code, reason, reconnects);
        if (state == State.CLOSED) {
            return;
        }
        if (!reconnects) {
            setState(State.CLOSED);
            owner.shutDown(new SwitchboardException("closed", "closed by the server (" + code + ") " + reason));
            return;
        }
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        setState(State.RECONNECTING);
        scheduler.schedule(() -> {
            if (state == State.RECONNECTING) {
                open();
            }
        }, Duration.ofMillis(options.backoffMillis(attempts++)));
    }

    private void stop() {
        attempt = null;
        liveness.stop();
        if (uptime != null) {
            uptime.cancel();
        }
    }

    private void setState(State to) {
        State from = state;
        if (from != to) {
            state = to;
            owner.stateChanged(new StateChange(from, to));
        }
    }

    private static String ping(String id) {
        return Json.createObjectBuilder().add("type", "ping").add("id", id).build().toString();
    }
}
