package dev.switchboard.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What N idle connections added to the heap, per connection: the difference of two class histograms (after a full GC
 * each), by class and by owner — the package a class belongs to (the container's WebSocket and HTTP stack, its
 * security, CDI, Switchboard) or the JDK's own types, which any of them may hold (a dominator analysis of a heap dump
 * tells whose those are). Stateless.
 */
final class Retained {

    private static final Pattern LINE = Pattern.compile("\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*");

    /** Owners by package prefix, in the order they are tried. */
    private static final Map<String, String> OWNERS = new LinkedHashMap<>();

    static {
        OWNERS.put("dev.switchboard.", "Switchboard");
        OWNERS.put("org.glassfish.tyrus.", "Tyrus (WebSocket)");
        OWNERS.put("org.glassfish.grizzly.", "Grizzly (HTTP, NIO)");
        OWNERS.put("io.undertow.", "Undertow (HTTP, WebSocket)");
        OWNERS.put("org.xnio.", "XNIO (NIO)");
        OWNERS.put("org.jboss.weld.", "Weld (CDI)");
        OWNERS.put("org.glassfish.soteria.", "Soteria (Jakarta Security)");
        OWNERS.put("org.wildfly.security.", "Elytron (security)");
        OWNERS.put("org.jboss.", "JBoss / WildFly other");
        OWNERS.put("com.sun.enterprise.", "GlassFish / Payara other");
        OWNERS.put("org.glassfish.", "GlassFish / Payara other");
        OWNERS.put("fish.payara.", "GlassFish / Payara other");
        OWNERS.put("org.apache.catalina.", "Catalina (web container)");
        OWNERS.put("javax.security.", "JDK security types");
        OWNERS.put("jakarta.", "Jakarta API types");
    }

    private Retained() {
    }

    static String perConnection(String before, String after, int connections) {
        Map<String, long[]> b = parse(before);
        Map<String, long[]> a = parse(after);
        List<Object[]> rows = new ArrayList<>();
        Map<String, Double> byOwner = new TreeMap<>();
        List<Object[]> few = new ArrayList<>();
        double total = 0;
        double all = 0;
        for (Map.Entry<String, long[]> e : a.entrySet()) {
            long[] was = b.getOrDefault(e.getKey(), new long[2]);
            double bytes = (e.getValue()[1] - was[1]) / (double) connections;
            double instances = (e.getValue()[0] - was[0]) / (double) connections;
            all += bytes;
            if (Math.abs(instances) < 0.5) {
                // not one per connection: noise of the run (classes loaded, caches), or a few large arrays that grow
                // with the connections (registries' tables) — listed apart below
                few.add(new Object[] {e.getKey(), instances, bytes});
                continue;
            }
            rows.add(new Object[] {e.getKey(), instances, bytes});
            byOwner.merge(owner(e.getKey()), bytes, Double::sum);
            total += bytes;
        }
        rows.sort((x, y) -> Double.compare((double) y[2], (double) x[2]));
        StringBuilder out = new StringBuilder(String.format("bytes per connection of classes with at least one instance"
                + " per two connections: %.0f, of %d connections%n%nby owner:%n", total, connections));
        byOwner.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue(), x.getValue()))
                .forEach(o -> out.append(String.format("%10.0f  %s%n", o.getValue(), o.getKey())));
        out.append(String.format("%nby class (bytes, instances per connection):%n"));
        for (Object[] r : rows) {
            out.append(String.format("%10.0f %8.2f  %s%n", (double) r[2], (double) r[1], r[0]));
        }
        out.append(String.format("%nevery class on the heap, per connection: %.0f bytes; the largest of the classes with"
                + " fewer than one instance per two connections (bytes, instances per connection):%n", all));
        few.sort((x, y) -> Double.compare(Math.abs((double) y[2]), Math.abs((double) x[2])));
        for (Object[] r : few.subList(0, Math.min(15, few.size()))) {
            out.append(String.format("%10.0f %8.4f  %s%n", (double) r[2], (double) r[1], r[0]));
        }
        return out.toString();
    }

    /**
     * Bytes per connection of the classes with at least one instance per two connections: what each connection holds,
     * robust to what the server had yet to let go of before (closed sessions a container keeps for a while) — the
     * heap's total delta is not.
     */
    static long bytesPerConnection(String before, String after, int connections) {
        Map<String, long[]> b = parse(before);
        double total = 0;
        for (Map.Entry<String, long[]> e : parse(after).entrySet()) {
            long[] was = b.getOrDefault(e.getKey(), new long[2]);
            if (Math.abs(e.getValue()[0] - was[0]) * 2 >= connections) {
                total += e.getValue()[1] - was[1];
            }
        }
        return Math.round(total / connections);
    }

    static String owner(String type) {
        String name = type.startsWith("[L") ? type.substring(2) : type;
        for (Map.Entry<String, String> o : OWNERS.entrySet()) {
            if (name.startsWith(o.getKey())) {
                return o.getValue();
            }
        }
        return "JDK types (held by any of the above)";
    }

    private static Map<String, long[]> parse(String histogram) {
        Map<String, long[]> classes = new TreeMap<>();
        for (String line : histogram.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                classes.merge(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))},
                        (x, y) -> new long[] {x[0] + y[0], x[1] + y[1]});
            }
        }
        return classes;
    }
}
