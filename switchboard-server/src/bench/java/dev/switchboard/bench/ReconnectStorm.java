package dev.switchboard.bench;

import dev.switchboard.bench.Benchmark.Variant;
import dev.switchboard.bench.WsLoad.Conn;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One reconnect storm (issue 27): N clients in rooms of 100; every connection cut at once with 1012; the clients come
 * back as the JS client does, after a full-jitter backoff (a random delay up to min(30 s, 500 ms × 2^attempt), the
 * attempt counted up on each failed try). Switchboard's cut is its operator's {@code POST /api/admin/reconnect}; the
 * bare floor's is its own loop closing its sessions. On Switchboard each client rejoins its room with {@code since} and
 * must recover what was published while it was away: {@value #PUBLICATIONS} publications per room, made over the HTTP
 * API from the cut on. The bare floor only reconnects: it has nothing to recover. With {@link #to} the clients come
 * back to a second node of the same Redis instead (failover), which must recover for them what the first node's
 * rooms held.
 *
 * <p>Measured: seconds from the cut until every client is back (welcomed and rejoined) and until every one has every
 * publication; attempts and refused attempts; lost and duplicated deliveries and rejoins that could not recover; the
 * server's heap used at its peak during the storm (jstat every 250 ms, no GC forced: garbage included) and after a full
 * GC once all are back.
 */
final class ReconnectStorm {

    static final int ROOM_SIZE = 100;
    static final int PUBLICATIONS = 10;
    static final String KEY = "bench-storm-key-0123456789";
    private static final byte[] OFFSET = "\"offset\":".getBytes(StandardCharsets.US_ASCII);
    private static final long ATTEMPT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final WsLoad load;
    private final Server server;
    /** Where the clients come back to after the cut: the same node, or a second one (failover). */
    private Server target;
    private final Variant variant;
    private final String rooms;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger ready = new AtomicInteger();
    private final AtomicInteger back = new AtomicInteger();
    private final AtomicInteger caughtUp = new AtomicInteger();
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong unrecovered = new AtomicLong();
    private final AtomicLong closedOtherwise = new AtomicLong();
    /** What the closes other than the cut and the refused attempts were, by close code or by the failure's message. */
    private final Map<String, AtomicLong> why = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean cut;

    ReconnectStorm(WsLoad load, Server server, Variant variant, int run) {
        this.load = load;
        this.server = server;
        this.target = server;
        this.variant = variant;
        this.rooms = "storm" + run + "-";
    }

    /**
     * The clients come back to {@code second} instead: a node of the same Redis (failover; the load balancer sends new
     * connections there), whose HTTP API takes the publications and whose heap is watched.
     */
    ReconnectStorm to(Server second) {
        this.target = second;
        return this;
    }

    Map<String, Object> run(int n) throws Exception {
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clients.add(new Client(rooms + (i / ROOM_SIZE)));
        }
        try {
            for (int i = 0; i < n; i++) { // at most 256 handshakes in flight, as the connect scenario
                while (i - ready.get() >= 256) { // an attempt that fails before the cut is made again
                    TimeUnit.MILLISECONDS.sleep(2);
                }
                load.run(clients.get(i)::connect);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (ready.get() < n && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(10);
            }
            if (ready.get() < n) {
                throw new IllegalStateException(ready.get() + " of " + n + " clients connected");
            }
            attempts.set(0); // what the filling took is not the storm's
            refused.set(0);
            closedOtherwise.set(0);
            why.clear();
            try (HeapPeak peak = new HeapPeak(target.pid())) {
                long start = System.nanoTime();
                cut = true;
                StormHttp.cutEveryConnection(server, variant);
                int rooms = (n + ROOM_SIZE - 1) / ROOM_SIZE;
                Thread publisher = variant.switchboard() ? start(() -> StormHttp.publish(target, this.rooms, rooms)) : null;
                long allBack = 0;
                long allCaughtUp = 0;
                deadline = start + TimeUnit.SECONDS.toNanos(180);
                while (System.nanoTime() < deadline && (allBack == 0 || allCaughtUp == 0)) {
                    if (allBack == 0 && back.get() == n) {
                        allBack = System.nanoTime();
                    }
                    if (allCaughtUp == 0 && (variant.switchboard() ? caughtUp.get() == n : allBack != 0)) {
                        allCaughtUp = System.nanoTime();
                    }
                    TimeUnit.MILLISECONDS.sleep(5);
                }
                if (publisher != null) {
                    publisher.join(TimeUnit.SECONDS.toMillis(30));
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("clients", n);
                m.put("rooms", rooms);
                m.put("publicationsPerRoom", variant.switchboard() ? PUBLICATIONS : 0);
                m.put("back", back.get());
                m.put("allBackSeconds", allBack == 0 ? -1 : Math.round((allBack - start) / 1e7) / 100.0);
                m.put("allRecoveredSeconds", allCaughtUp == 0 ? -1 : Math.round((allCaughtUp - start) / 1e7) / 100.0);
                m.put("attempts", attempts.get());
                m.put("refusedAttempts", refused.get());
                m.put("lost", onSelector(() -> lost.get() + missing(clients)));
                m.put("duplicates", duplicates.get());
                m.put("unrecoveredRejoins", unrecovered.get());
                m.put("closedOtherwise", closedOtherwise.get());
                if (!why.isEmpty()) {
                    m.put("why", new java.util.TreeMap<>(why).toString());
                }
                m.put("heapPeakMb", peak.maxKb() / 1024);
                m.put("heapAfterGcMb", target.heapAfterGcKb() / 1024);
                m.put("toSecondNode", target != server);
                return m;
            }
        } finally {
            timer.shutdownNow();
            onSelector(() -> {
                for (Client c : clients) {
                    c.generation++; // nothing comes back from here on
                    if (c.conn != null) {
                        c.conn.closeNow();
                    }
                    if (c.attempting != null && c.attempting != c.conn) {
                        c.attempting.closeNow();
                    }
                }
                return null;
            });
        }
    }

    /** {@code task} on the selector thread, which owns the clients' state; its answer within 10 s. */
    private <T> T onSelector(java.util.concurrent.Callable<T> task) throws Exception {
        java.util.concurrent.CompletableFuture<T> answer = new java.util.concurrent.CompletableFuture<>();
        load.run(() -> {
            try {
                answer.complete(task.call());
            } catch (Exception e) {
                answer.completeExceptionally(e);
            }
        });
        return answer.get(10, TimeUnit.SECONDS);
    }

    /** Publications clients never received (read after the storm: the selector thread is done with them by then). */
    private long missing(List<Client> clients) {
        if (!variant.switchboard()) {
            return 0;
        }
        long missing = 0;
        for (Client c : clients) {
            missing += Math.max(0, PUBLICATIONS - Math.max(0, c.offset));
        }
        return missing;
    }

    /**
     * One user's client: connects, joins its room, and after a cut comes back with the JS client's backoff. Its state
     * is touched on the selector thread only (the timer hands its attempts over with {@link WsLoad#run}).
     */
    private final class Client implements WsLoad.Handler {
        final String room;
        Conn conn;
        /** The socket of the attempt under way, from before it connects. */
        Conn attempting;
        String epoch;
        long offset = -1;
        int attempt;
        /** The attempt under way; callbacks of an older one are ignored. */
        int generation;
        boolean welcomed;
        boolean readyOnce;
        boolean backSinceCut;
        boolean caughtUpSinceCut;

        Client(String room) {
            this.room = room;
        }

        /** A new attempt (selector thread). */
        void connect() {
            int mine = ++generation;
            attempts.incrementAndGet();
            load.connect("127.0.0.1", (cut ? target : server).port, variant.path, variant.subprotocol,
                    new Attempt(mine, () -> generation, this));
            // the JS client's connect timeout: an attempt not welcomed within it is abandoned (its socket closed, connected
            // or not, as the JS client closes its WebSocket) and counts as failed
            timer.schedule(() -> load.run(() -> {
                if (mine == generation && !welcomed) {
                    if (attempting != null) {
                        attempting.closeNow();
                    }
                    failed(null, new java.util.concurrent.TimeoutException("not welcomed within 10 s"));
                }
            }), ATTEMPT_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
        }

        @Override
        public void started(Conn c) {
            attempting = c;
        }

        @Override
        public void opened(Conn c) {
            conn = c;
            welcomed = !variant.switchboard();
            if (!variant.switchboard()) {
                arrived();
            }
        }

        /** Welcomed and in its room (the bare floor: open). */
        private void arrived() {
            attempt = 0;
            if (!cut) {
                if (!readyOnce) { // once: a client closed before the cut comes back as any other
                    readyOnce = true;
                    ready.incrementAndGet();
                }
            } else if (!backSinceCut) {
                backSinceCut = true;
                back.incrementAndGet();
            }
        }

        @Override
        public void text(Conn c, byte[] buf, int off, int len) {
            byte type = len > 10 ? buf[off + 9] : 0; // {"type":"w…
            if (type == 'w') {
                welcomed = true;
                c.send(epoch == null ? "{\"type\":\"join\",\"id\":\"j\",\"room\":\"" + room + "\"}"
                        : "{\"type\":\"join\",\"id\":\"j\",\"room\":\"" + room + "\",\"since\":{\"epoch\":\"" + epoch
                        + "\",\"offset\":" + offset + "}}");
            } else if (type == 'j') {
                long latest = WsLoad.number(buf, off, len, OFFSET);
                if (epoch == null) {
                    epoch = FrameText.string(buf, off, len, "\"epoch\":\"");
                    offset = latest;
                } else if (FrameText.indexOf(buf, off, len, "\"recovered\":true") < 0) {
                    unrecovered.incrementAndGet();
                    lost.addAndGet(Math.max(0, latest - offset));
                    offset = latest;
                    epoch = FrameText.string(buf, off, len, "\"epoch\":\"");
                }
                arrived();
                caughtUp();
            } else if (type == 'm') {
                long o = WsLoad.number(buf, off, len, OFFSET);
                if (o <= offset) {
                    duplicates.incrementAndGet();
                    return;
                }
                lost.addAndGet(o - offset - 1);
                offset = o;
                caughtUp();
            }
        }

        /** Back, with every publication of the storm (its rooms are new: nothing was published before the cut). */
        private void caughtUp() {
            if (backSinceCut && !caughtUpSinceCut && offset >= PUBLICATIONS) {
                caughtUpSinceCut = true;
                caughtUp.incrementAndGet();
            }
        }

        @Override
        public void closed(Conn c, int code) {
            if (code != 1012 || !cut) {
                closedOtherwise.incrementAndGet();
                why.computeIfAbsent("close " + code, k -> new AtomicLong()).incrementAndGet();
            }
            retry(false);
        }

        @Override
        public void failed(Conn c, Exception e) {
            refused.incrementAndGet();
            String what = String.valueOf(e.getMessage());
            why.computeIfAbsent(what.length() > 60 ? what.substring(0, 60) : what, k -> new AtomicLong()).incrementAndGet();
            retry(true);
        }

        private void retry(boolean failedAttempt) {
            conn = null;
            attempting = null;
            welcomed = false;
            generation++; // whatever the old attempt still says is ignored
            double cap = Math.min(30_000, 500 * Math.pow(2, Math.min(failedAttempt ? ++attempt : attempt, 30)));
            timer.schedule(() -> load.run(this::connect), (long) (ThreadLocalRandom.current().nextDouble() * cap),
                    TimeUnit.MILLISECONDS);
        }
    }

    private static Thread start(Runnable task) {
        Thread t = new Thread(task, "storm-publisher");
        t.start();
        return t;
    }
}
