package dev.switchboard.web;

import dev.switchboard.config.SlowConsumerPolicy;
import dev.switchboard.engine.Connection;
import dev.switchboard.engine.Sessions;
import dev.switchboard.telemetry.StatsView;
import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.ServerMessage;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * What {@code /ws/monitor} subscribers see: the log of the loggers in {@code switchboard.monitor.loggers} (name
 * prefixes, {@code *} for every logger; default {@code dev.switchboard}, the application's own — never the container's or another
 * application's lines) as it is written (a {@code java.util.logging} handler on the root logger, which both Payara
 * and WildFly route their logging through) and this node's counters once a second. Switchboard logs no token,
 * ticket, password or message body on any path; an application that adds its own loggers answers for theirs. Log lines go out drop-oldest, stats conflated, so a slow monitor never holds anything up.
 * The last 200 lines are kept so that a new subscriber starts with context.
 */
@ApplicationScoped
public class Monitor {

    private static final int RECENT = 200;
    private static final String LOG_ROOM = "monitor:log";
    private static final String STATS_ROOM = "monitor:stats";

    @Inject
    Sessions sessions;

    @Inject
    StatsView statsView;

    @Inject
    dev.switchboard.engine.WriterPool threads;

    @Inject
    org.eclipse.microprofile.config.Config config;

    /** The logger name prefixes whose records are streamed. */
    private volatile List<String> loggers = List.of("dev.switchboard");

    private final Set<Connection> subscribers = ConcurrentHashMap.newKeySet();
    private final ArrayDeque<String> recent = new ArrayDeque<>();
    private final Tap tap = new Tap();
    private ScheduledFuture<?> statsTask;

    /** Starts with the application, so that the log is captured before anyone subscribes. */
    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        loggers = config.getOptionalValues("switchboard.monitor.loggers", String.class).map(List::copyOf)
                .orElse(List.of("dev.switchboard"));
        Logger.getLogger("").addHandler(tap);
        statsTask = threads.scheduler().scheduleWithFixedDelay(this::pushStats, 1, 1, TimeUnit.SECONDS);
    }

    @PreDestroy
    void stop() {
        Logger.getLogger("").removeHandler(tap); // the handler's class belongs to this application
        if (statsTask != null) {
            statsTask.cancel(false);
        }
    }

    void subscribe(Connection connection) {
        List<String> backlog;
        synchronized (recent) {
            backlog = List.copyOf(recent);
        }
        for (String frame : backlog) {
            sessions.push(connection, frame, LOG_ROOM, SlowConsumerPolicy.DROP_OLDEST);
        }
        subscribers.add(connection);
        sessions.push(connection, statsFrame(), STATS_ROOM, SlowConsumerPolicy.CONFLATE);
    }

    void unsubscribe(Connection connection) {
        subscribers.remove(connection);
    }

    private void pushStats() {
        if (subscribers.isEmpty()) {
            return;
        }
        String frame = statsFrame();
        for (Connection c : subscribers) {
            sessions.push(c, frame, STATS_ROOM, SlowConsumerPolicy.CONFLATE);
        }
    }

    private String statsFrame() {
        StatsView.Stats s = statsView.stats();
        return Codec.encode(new ServerMessage.Stats(System.currentTimeMillis(), s.connections(), s.rooms(),
                s.messagesIn(), s.publications(), s.messagesOut(), s.dropped(), s.slowConsumerCloses(),
                s.heartbeatCloses(), s.queuedMessages(), s.maxQueuedMessages(), s.sendP99Micros(),
                s.cluster() + (s.clusterReachable() ? "" : " (unreachable)"), s.nodes()));
    }

    /** Writes an operator's mark into the server log (and so onto every monitor). */
    public void mark(String text) {
        Logger.getLogger(Monitor.class.getName()).log(Level.INFO, "Operator mark: {0}", text);
    }

    /** The log handler: formats once, keeps the recent lines, queues for subscribers; never blocks, never throws. */
    private final class Tap extends Handler {
        private final ThreadLocal<Boolean> inside = ThreadLocal.withInitial(() -> false);
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            if (record == null || inside.get() || !streamed(record.getLoggerName())) {
                return; // a log line written while pushing a log line: not pushed again
            }
            inside.set(true);
            try {
                String message = format(record);
                if (record.getThrown() != null) {
                    message = message + " — " + record.getThrown();
                }
                String frame = Codec.encode(new ServerMessage.Log(record.getMillis(), record.getLevel().getName(),
                        record.getLoggerName(), message));
                synchronized (recent) {
                    recent.addLast(frame);
                    if (recent.size() > RECENT) {
                        recent.removeFirst();
                    }
                }
                for (Connection c : subscribers) {
                    sessions.push(c, frame, LOG_ROOM, SlowConsumerPolicy.DROP_OLDEST);
                }
            } catch (IllegalStateException afterShutdown) {
                // the application is being undeployed: a record logged by the container's threads between the
                // container's shutdown and the handler's removal has no one left to go to (GlassFish 7.0.21, Weld's
                // WELD-000229 on the engine's proxy; seen in ServerLogsIT)
            } catch (RuntimeException e) {
                reportError("Switchboard monitor could not push a log line", e, GENERIC_FAILURE);
            } finally {
                inside.set(false);
            }
        }

        private boolean streamed(String logger) {
            if (logger == null) {
                return false;
            }
            for (String prefix : loggers) {
                if (prefix.equals("*") || logger.startsWith(prefix)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Container quirk (WildFly): JBoss LogManager records are often printf-style ({@code %s}), which
         * {@link SimpleFormatter#formatMessage} leaves unformatted; their {@code getFormattedMessage()} formats
         * either style. Other records (Payara) use the standard {@code MessageFormat} style.
         */
        private String format(LogRecord record) {
            java.lang.reflect.Method formatted = FORMATTED.get(record.getClass());
            if (formatted != null) {
                try {
                    Object text = formatted.invoke(record);
                    if (text != null) {
                        return text.toString();
                    }
                } catch (ReflectiveOperationException | RuntimeException e) {
                    return formatter.formatMessage(record); // fall back to the standard style
                }
            }
            return formatter.formatMessage(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /** {@code getFormattedMessage()} of a log record class, or null when it has none; looked up once per class. */
    private static final ClassValue<java.lang.reflect.Method> FORMATTED = new ClassValue<>() {
        @Override
        protected java.lang.reflect.Method computeValue(Class<?> type) {
            try {
                return type.getMethod("getFormattedMessage");
            } catch (NoSuchMethodException e) {
                return null;
            }
        }
    };

    private static final int GENERIC_FAILURE = java.util.logging.ErrorManager.GENERIC_FAILURE;
}
