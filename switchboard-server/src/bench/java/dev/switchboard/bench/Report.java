package dev.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The summary table (Markdown) and one SVG bar chart per scenario, from the benchmark's results. */
final class Report {

    private Report() {
    }

    /** The headline metric of a scenario, and whether more is better. */
    private record Headline(String metric, String label, boolean higherIsBetter) {
    }

    private static Headline headline(String scenario) {
        if (scenario.startsWith("connect")) {
            return new Headline("heapPerConnectionBytes", "heap held per idle connection (bytes)", false);
        }
        if (scenario.startsWith("ramp")) {
            return new Headline("heapRetainedBytesPerConnection", "heap retained per connection (bytes)", false);
        }
        if (scenario.startsWith("fanout-max") || scenario.startsWith("fanout-window")) {
            return new Headline("deliveriesPerSecond", "deliveries/s (median of rounds)", true);
        }
        if (scenario.startsWith("storm") || scenario.startsWith("failover")) {
            return new Headline("allRecoveredSeconds", "seconds from the cut until every client is back with every publication"
                    + (scenario.startsWith("failover") ? ", on a second node" : ""), false);
        }
        if (scenario.startsWith("soak")) {
            return new Headline("heapAfterGcMbMax", "largest heap after a full GC while it ran (MB)", false);
        }
        if (scenario.startsWith("fanout-fixed") || scenario.startsWith("slow") || scenario.startsWith("churn")) {
            return new Headline("p99Ms", "p99 latency (ms)", false);
        }
        return new Headline("roundTripsPerSecond", "round trips/s", true);
    }

    /** Scenario → server → variant → the rounds' metrics. */
    private static Map<String, Map<String, Map<String, List<Map<String, Object>>>>> group(List<Benchmark.Result> results) {
        Map<String, Map<String, Map<String, List<Map<String, Object>>>>> g = new LinkedHashMap<>();
        for (Benchmark.Result r : results) {
            g.computeIfAbsent(r.scenario(), k -> new LinkedHashMap<>()).computeIfAbsent(r.server(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.variant(), k -> new ArrayList<>()).add(r.metrics());
        }
        return g;
    }

    /** The median of {@code metric} over rounds (by the headline metric's value; of two middle values, the lower). */
    private static Map<String, Object> median(List<Map<String, Object>> rounds, String metric) {
        List<Map<String, Object>> sorted = new ArrayList<>(rounds);
        sorted.sort((a, b) -> Double.compare(number(a.get(metric)), number(b.get(metric))));
        return sorted.get((sorted.size() - 1) / 2);
    }

    private static double number(Object v) {
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    static String summary(List<Benchmark.Result> results) {
        StringBuilder out = new StringBuilder();
        var grouped = group(results);
        for (var scenario : grouped.entrySet()) {
            Headline h = headline(scenario.getKey());
            out.append("\n### ").append(scenario.getKey()).append(" — ").append(h.label()).append("\n\n");
            Set<String> columns = new LinkedHashSet<>();
            scenario.getValue().values().forEach(vs -> vs.values().forEach(rs -> rs.forEach(m -> columns.addAll(m.keySet()))));
            columns.remove("round");
            out.append("| server | variant | ").append(String.join(" | ", columns)).append(" |\n");
            out.append("|---|---|").append("---|".repeat(columns.size())).append("\n");
            for (var server : scenario.getValue().entrySet()) {
                for (var variant : server.getValue().entrySet()) {
                    Map<String, Object> m = median(variant.getValue(), h.metric());
                    out.append("| ").append(server.getKey()).append(" | ").append(variant.getKey()).append(" | ");
                    for (String c : columns) {
                        out.append(m.getOrDefault(c, "")).append(" | ");
                    }
                    out.append("\n");
                }
                var bare = server.getValue().get("bare");
                for (var variant : server.getValue().entrySet()) {
                    if (bare == null || variant.getKey().equals("bare")) {
                        continue;
                    }
                    double ratio = number(median(variant.getValue(), h.metric()).get(h.metric()))
                            / number(median(bare, h.metric()).get(h.metric()));
                    out.append(String.format(Locale.ROOT, "| %s | **%s / bare** | %s: **%.2f** |%s\n",
                            server.getKey(), variant.getKey(), h.metric(), ratio, " |".repeat(Math.max(0, columns.size() - 1))));
                    for (String metric : perRound(scenario.getKey(), h.metric())) {
                        String rounds = perRound(variant.getValue(), bare, metric);
                        if (rounds != null) {
                            out.append(String.format(Locale.ROOT, "| %s | %s / bare, per round | %s: %s |%s\n", server.getKey(),
                                    variant.getKey(), metric, rounds, " |".repeat(Math.max(0, columns.size() - 1))));
                        }
                    }
                }
            }
        }
        return out.toString();
    }

    /** The metrics whose ratio to the bare floor is given round by round: the machine drifts between rounds. */
    private static List<String> perRound(String scenario, String headline) {
        return scenario.startsWith("connect") ? List.of("connectsPerSecond", headline)
                : scenario.startsWith("storm") || scenario.startsWith("failover") ? List.of("allBackSeconds") : List.of(headline);
    }

    /**
     * {@code metric} of a variant over the bare floor's in the same round ({@code a / b}; for the heap per connection,
     * {@code a - b} in bytes), each round and their median; null without two rounds of each.
     */
    private static String perRound(List<Map<String, Object>> variant, List<Map<String, Object>> bare, String metric) {
        if (variant.size() < 2 || variant.size() != bare.size()) {
            return null;
        }
        boolean difference = metric.startsWith("heap");
        List<Double> each = new ArrayList<>();
        for (int r = 0; r < variant.size(); r++) {
            double a = number(variant.get(r).get(metric));
            double b = number(bare.get(r).get(metric));
            each.add(difference ? a - b : a / b);
        }
        List<Double> sorted = new ArrayList<>(each);
        sorted.sort(Double::compare);
        String format = difference ? "%+.0f" : "%.2f";
        return each.stream().map(x -> String.format(Locale.ROOT, format, x)).collect(java.util.stream.Collectors.joining(", "))
                + " (median " + String.format(Locale.ROOT, format, sorted.get((sorted.size() - 1) / 2)) + ")";
    }

    static void write(List<Benchmark.Result> results, Path dir) throws IOException {
        Files.writeString(dir.resolve("summary.md"), "# Benchmark summary\n" + summary(results));
        for (var scenario : group(results).entrySet()) {
            Files.writeString(dir.resolve(scenario.getKey() + ".svg"), chart(scenario.getKey(), scenario.getValue()));
        }
    }

    /** Grouped bars: one group per server, one bar per variant, the headline metric (median over rounds). */
    private static String chart(String scenario, Map<String, Map<String, List<Map<String, Object>>>> data) {
        Headline h = headline(scenario);
        List<String[]> bars = new ArrayList<>(); // server, variant, value
        double max = 0;
        for (var server : data.entrySet()) {
            for (var variant : server.getValue().entrySet()) {
                double v = number(median(variant.getValue(), h.metric()).get(h.metric()));
                bars.add(new String[] {server.getKey(), variant.getKey(), Double.toString(v)});
                max = Math.max(max, Double.isNaN(v) ? 0 : v);
            }
        }
        int width = 120 + bars.size() * 110;
        int height = 320;
        int base = 260;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">\n", width, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>\n", escape(scenario)));
        svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"38\" fill=\"#555\">%s (%s)</text>\n", escape(h.label()),
                h.higherIsBetter() ? "higher is better" : "lower is better"));
        svg.append(String.format(Locale.ROOT, "<line x1=\"60\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", base, width - 20, base));
        int x = 80;
        for (String[] bar : bars) {
            double v = Double.parseDouble(bar[2]);
            double hBar = max > 0 && !Double.isNaN(v) ? 190 * v / max : 0;
            String color = bar[1].equals("bare") ? "#9aa5b1" : bar[1].endsWith("@before") ? "#f0b27a"
                    : bar[1].equals("switchboard") ? "#2f6fdf" : "#7fa8ef";
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"80\" height=\"%.1f\" fill=\"%s\"/>\n",
                    x, base - hBar, hBar, color));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                    x + 40, base - hBar - 5, format(v)));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x + 40, base + 18, escape(bar[0])));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%s</text>\n", x + 40, base + 34, escape(bar[1])));
            x += 110;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /**
     * Three line charts, one above the other, against seconds: heap after a full GC (MB), threads, connections;
     * {@code samples}: {seconds, heap KB, threads, connections}.
     */
    static String overTime(String title, List<long[]> samples) {
        String[] names = {"heap after full GC (MB)", "threads", "connections"};
        int width = 720;
        int panel = 150;
        int height = 50 + names.length * (panel + 40);
        long maxSecond = Math.max(1, samples.get(samples.size() - 1)[0]);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">\n", width, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>\n", escape(title)));
        for (int k = 0; k < names.length; k++) {
            int column = k + 1;
            double scale = k == 0 ? 1024.0 : 1.0;
            double max = samples.stream().mapToDouble(x -> x[column] / scale).max().orElse(1);
            double top = Math.ceil(Math.max(1, max * 1.15)); // the axis from 0: growth shows as a slope, not as noise blown up
            int y0 = 50 + k * (panel + 40);
            int base = y0 + panel;
            svg.append(String.format(Locale.ROOT, "<text x=\"70\" y=\"%d\" fill=\"#333\">%s (max %.0f)</text>\n", y0 - 6,
                    escape(names[k]), max));
            svg.append(String.format(Locale.ROOT, "<line x1=\"60\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", base, width - 20, base));
            svg.append(String.format(Locale.ROOT, "<line x1=\"60\" y1=\"%d\" x2=\"60\" y2=\"%d\" stroke=\"#333\"/>\n", y0, base));
            svg.append(String.format(Locale.ROOT, "<text x=\"55\" y=\"%d\" text-anchor=\"end\">%.0f</text>\n", y0 + 10, top));
            svg.append(String.format(Locale.ROOT, "<text x=\"55\" y=\"%d\" text-anchor=\"end\">0</text>\n", base));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#555\">%d s</text>\n",
                    width - 20, base + 16, maxSecond));
            StringBuilder points = new StringBuilder();
            for (long[] x : samples) {
                double px = 60 + (width - 80) * (double) x[0] / maxSecond;
                double py = base - panel * (x[column] / scale) / top;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            }
            svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"#2f6fdf\" stroke-width=\"2\"/>\n",
                    points.toString().trim()));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static String format(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
