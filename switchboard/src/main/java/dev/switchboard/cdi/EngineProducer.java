package dev.switchboard.cdi;

import dev.switchboard.RequestHandler;
import dev.switchboard.RoomHandler;
import dev.switchboard.Switchboard;
import dev.switchboard.TypedRequestHandler;
import dev.switchboard.SwitchboardEvent;
import dev.switchboard.cluster.Cluster;
import dev.switchboard.cluster.LogStore;
import dev.switchboard.config.Settings;
import dev.switchboard.engine.Hub;
import dev.switchboard.engine.NodeAdmin;
import dev.switchboard.engine.NodeState;
import dev.switchboard.engine.RoomRules;
import dev.switchboard.protocol.AsyncApi;
import dev.switchboard.engine.Sessions;
import dev.switchboard.engine.Tracing;
import dev.switchboard.engine.WriterPool;
import dev.switchboard.security.Credentials;
import dev.switchboard.security.RoomAuthorizer;
import dev.switchboard.telemetry.HealthChecks;
import dev.switchboard.telemetry.NodeMetrics;
import dev.switchboard.telemetry.PrometheusExport;
import dev.switchboard.telemetry.StatsView;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Singleton;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.validation.Validation;
import jakarta.validation.ValidationException;
import jakarta.validation.ValidatorFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The composition root in CDI: makes the engine ({@link Hub}) and the adapters that listen to it, and hands the
 * application and the endpoints the small interfaces they use ({@code Switchboard}, {@link Sessions},
 * {@link NodeAdmin}, {@link StatsView}, {@link HealthChecks}, {@link PrometheusExport}). The engine itself knows no
 * CDI, no container and no exporter.
 */
@ApplicationScoped
class EngineProducer {

    private static final Logger LOG = Logger.getLogger(EngineProducer.class.getName());
    /** Jakarta EE's default managed thread factory, in every Jakarta EE 10 web profile server. */
    private static final String DEFAULT_THREAD_FACTORY = "java:comp/DefaultManagedThreadFactory";

    /** The node's metrics: told by the engine and the store link what happens (no client proxy on the hot path). */
    @Produces
    @Singleton
    NodeMetrics metrics() {
        return new NodeMetrics();
    }

    /**
     * The writers and timers, on the container's default managed thread factory, looked up by its standard name: not
     * {@code @Resource}-injected, because Payara Micro 6 does not declare the environment entries of classes in a
     * library JAR of WEB-INF/lib and fails the deployment ("Exception attempting to inject Env-Prop:
     * dev.switchboard.engine.WriterPool/threadFactory"), while the same class in WEB-INF/classes deploys.
     */
    @Produces
    @Singleton
    WriterPool writerPool(Settings settings) {
        try {
            ManagedThreadFactory threads = InitialContext.doLookup(DEFAULT_THREAD_FACTORY);
            return new WriterPool(settings, threads);
        } catch (NamingException | ClassCastException e) {
            throw new IllegalStateException("No " + DEFAULT_THREAD_FACTORY + " in this container: Switchboard needs"
                    + " Jakarta Concurrency (on Open Liberty, the concurrent-3.0 feature)", e);
        }
    }

    void stop(@Disposes WriterPool pool) {
        pool.stop();
    }

    /**
     * The threads of the application's handlers ({@link RoomHandler}, {@link TypedRequestHandler}), from the same
     * managed thread factory as the writers: {@code switchboard.handlers.threads} (default 64) at most, each call
     * bounded by {@code switchboard.handlers.timeout-ms} (default 5000).
     */
    @Produces
    @Singleton
    HandlerPool handlerPool(WriterPool pool) {
        Config config = ConfigProvider.getConfig();
        int threads = config.getOptionalValue("switchboard.handlers.threads", Integer.class).orElse(64);
        long timeoutMs = config.getOptionalValue("switchboard.handlers.timeout-ms", Long.class).orElse(5000L);
        if (threads < 1 || timeoutMs < 1) {
            throw new IllegalArgumentException("switchboard.handlers.threads and switchboard.handlers.timeout-ms must be"
                    + " at least 1, got " + threads + " and " + timeoutMs);
        }
        return new HandlerPool(pool.threadFactory(), threads, Duration.ofMillis(timeoutMs));
    }

    void stop(@Disposes HandlerPool pool) {
        pool.stop();
    }

    /** The engine, as itself only: the application's {@code Switchboard} is {@link #switchboard}. */
    @Produces
    @ApplicationScoped
    @Typed(Hub.class)
    Hub hub(Settings settings, WriterPool pool, Event<SwitchboardEvent> events, Instance<RequestHandler> handlers,
            Instance<TypedRequestHandler<?, ?>> typedHandlers, Instance<RoomHandler<?>> roomHandlers,
            Instance<ValidatorFactory> validators, HandlerPool handlerPool, RoomAuthorizer authorizer, Cluster cluster,
            LogStore store, Credentials credentials, Tracing tracing, NodeMetrics metrics) {
        Payloads payloads = new Payloads(validator(validators));
        List<RequestHandler> requests = new ArrayList<>();
        handlers.forEach(requests::add);
        typedHandlers.forEach(typed -> requests.add(new TypedRequests(typed, handlerPool, payloads)));
        RoomRules rules = roomHandlers.isUnsatisfied() ? RoomRules.NONE : new HandlerRules(roomHandlers, handlerPool, payloads);
        return new Hub(settings, pool, events::fire, requests, authorizer, rules, cluster, store, credentials::verify,
                tracing, metrics);
    }

    /**
     * What the application injects: the engine, with publications inside a JTA transaction held until it commits
     * ({@link AfterCommit}), and written to the durable outbox too when {@code switchboard.outbox.datasource} names one.
     * The registry is looked up by its standard name; a container without JTA publishes at once.
     */
    @Produces
    @ApplicationScoped
    Switchboard switchboard(Hub hub, WriterPool pool, Settings settings) {
        TransactionSynchronizationRegistry transactions = null;
        try {
            transactions = InitialContext.doLookup("java:comp/TransactionSynchronizationRegistry");
        } catch (NamingException | ClassCastException e) {
            LOG.log(Level.INFO, "No JTA in this container: publications go out at once, inside a transaction or not", e);
        }
        DurableOutbox outbox = DurableOutbox.configured(ConfigProvider.getConfig(), hub, pool.threadFactory(),
                settings.limits().publishKeyWindow());
        if (outbox != null && transactions == null) {
            throw new IllegalStateException("switchboard.outbox.datasource needs JTA, which this container does not offer");
        }
        return new AfterCommit(hub, transactions, outbox);
    }

    void stop(@Disposes Switchboard switchboard) {
        if (switchboard instanceof AfterCommit afterCommit) {
            afterCommit.stop();
        }
    }

    /**
     * What the AsyncAPI document says of the application's own handlers: each room handler's rooms and payload type,
     * each typed request handler's method and its request and reply types (the reply's from the class's declaration
     * of {@code TypedRequestHandler<I, O>}; a proxy's superclass is the bean's class).
     */
    @Produces
    @Singleton
    AsyncApi.Typed typed(Instance<TypedRequestHandler<?, ?>> typedHandlers, Instance<RoomHandler<?>> roomHandlers) {
        List<AsyncApi.TypedRoom> rooms = new ArrayList<>();
        roomHandlers.forEach(h -> rooms.add(new AsyncApi.TypedRoom(h.rooms(), h.type())));
        List<AsyncApi.TypedRequest> requests = new ArrayList<>();
        typedHandlers.forEach(h -> requests.add(new AsyncApi.TypedRequest(h.method(), h.type(), replyType(h.getClass()))));
        return new AsyncApi.Typed(rooms, requests);
    }

    /** {@code O} of the {@code TypedRequestHandler<I, O>} {@code type} (or a superclass) implements; Object if unknown. */
    private static java.lang.reflect.Type replyType(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (java.lang.reflect.Type implemented : c.getGenericInterfaces()) {
                if (implemented instanceof java.lang.reflect.ParameterizedType p && p.getRawType() == TypedRequestHandler.class) {
                    return p.getActualTypeArguments()[1];
                }
            }
        }
        return Object.class;
    }

    /** The container's Bean Validation (a CDI bean in Jakarta EE), else its default factory, else none. */
    private static ValidatorFactory validator(Instance<ValidatorFactory> validators) {
        if (validators.isResolvable()) {
            return validators.get();
        }
        try {
            return Validation.buildDefaultValidatorFactory();
        } catch (ValidationException e) {
            LOG.log(Level.INFO, "No Bean Validation in this container: payloads are decoded, not validated", e);
            return null;
        }
    }

    /**
     * Undeploy or shutdown: the hub delivers what it accepted, tells every connection 1001 and leaves the cluster
     * before the writers stop.
     */
    void shutdown(@Disposes Hub hub) {
        hub.shutdown();
    }

    /**
     * Created with the application, not on first use: with a cluster, the node joins it (heartbeats, presence of
     * other nodes) before its first client; with the durable outbox, the node sweeps it from the start.
     */
    void started(@Observes @Initialized(ApplicationScoped.class) Object event, Hub hub, Switchboard switchboard) {
        LOG.log(Level.FINE, "Switchboard started: {0} rooms", hub.rooms().size()); // a call makes the proxy create it
        switchboard.connectionCount(); // and the outbox's sweep, on every node, whether it publishes or not
    }

    /** What the endpoints call: the engine's own object, taken once per connection, not a client proxy per message. */
    @Produces
    @Dependent
    Sessions sessions(Hub hub) {
        return hub.sessions();
    }

    @Produces
    @Dependent
    NodeAdmin admin(Hub hub) {
        return hub.admin();
    }

    @Produces
    @Singleton
    StatsView stats(Hub hub, NodeMetrics metrics) {
        return new StatsView(hub.state(), metrics);
    }

    @Produces
    @Singleton
    HealthChecks health(Hub hub, NodeMetrics metrics) {
        return new HealthChecks(hub.state(), metrics, hub.sweepInterval());
    }

    @Produces
    @Singleton
    PrometheusExport prometheus(Hub hub, NodeMetrics metrics) {
        return new PrometheusExport(hub.state(), metrics);
    }

    /** For the views that read the state only. */
    @Produces
    @Dependent
    NodeState state(Hub hub) {
        return hub.state();
    }
}
