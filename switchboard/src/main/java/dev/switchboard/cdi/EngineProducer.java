package dev.switchboard.cdi;

import dev.switchboard.RequestHandler;
import dev.switchboard.SwitchboardEvent;
import dev.switchboard.cluster.Cluster;
import dev.switchboard.cluster.LogStore;
import dev.switchboard.config.Settings;
import dev.switchboard.engine.Hub;
import dev.switchboard.engine.NodeAdmin;
import dev.switchboard.engine.NodeState;
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
import jakarta.inject.Singleton;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;

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

    @Produces
    @ApplicationScoped
    Hub hub(Settings settings, WriterPool pool, Event<SwitchboardEvent> events, Instance<RequestHandler> handlers,
            RoomAuthorizer authorizer, Cluster cluster, LogStore store, Credentials credentials, Tracing tracing,
            NodeMetrics metrics) {
        return new Hub(settings, pool, events::fire, handlers, authorizer, cluster, store, credentials::verify, tracing,
                metrics);
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
     * other nodes) before its first client.
     */
    void started(@Observes @Initialized(ApplicationScoped.class) Object event, Hub hub) {
        LOG.log(Level.FINE, "Switchboard started: {0} rooms", hub.rooms().size()); // a call makes the proxy create it
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
