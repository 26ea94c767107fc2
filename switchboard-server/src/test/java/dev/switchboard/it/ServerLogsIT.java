package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * "No uncaught exceptions" as a test: after each server's suite (its own failsafe execution, run after the others),
 * the server's log holds no SEVERE/ERROR record from the application's loggers or through its code, and no exception
 * thrown by the application's code at any level, other than those listed in {@link #EXPECTED} with the test that
 * provokes them. The servers'
 * output is where failsafe put it: each IT class's {@code -output.txt} (Arquillian's managed Payara Micro and WildFly
 * print to the test's output), and ClusterIT's node logs under {@code target/cluster-it}.
 */
class ServerLogsIT {

    private static final Path REPORTS = Path.of("target", "failsafe-reports");

    /** Records a test provokes on purpose: a pattern of the record's text, and why. */
    private static final List<Pattern> EXPECTED = List.of(
            // HandlersIT: the user's typed request handler fails on purpose (SKU BOOM); the client gets internal and the
            // cause is logged SEVERE under the incident id it names (dev.switchboard.engine.Incidents)
            Pattern.compile("Incident [0-9a-f]{8} answering request 'quote'[\\s\\S]*a bug in the application's handler"));

    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*m");
    /** Payara: {@code [time] [] [LEVEL] [id] [logger] ...}. */
    private static final Pattern PAYARA = Pattern.compile("^\\[[^\\]]*\\] \\[[^\\]]*\\] \\[([A-Z]+)\\] \\[[^\\]]*\\] \\[([^\\]]*)\\]");
    /** WildFly: {@code hh:mm:ss,SSS LEVEL [logger] ...}. */
    private static final Pattern WILDFLY = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d,\\d{3} ([A-Z]+)\\s+\\[([^\\]]*)\\]");
    /** Open Liberty's messages.log: {@code [date, time] thread logger L message}, L one letter (E error, F fatal, …). */
    private static final Pattern LIBERTY = Pattern.compile("^\\[[^\\]]*\\] [0-9a-f]{8} (\\S+)\\s+([A-Z]) ");
    /** The line that names an exception: {@code java.io.IOException: …}, {@code Caused by: …}. */
    private static final Pattern EXCEPTION = Pattern.compile("^\\s*(Caused by: )?[\\w$.]+(Exception|Error|Throwable)\\b");
    /** A stack frame in the product (the tests' own frames are the client's business). */
    private static final Pattern OUR_FRAME = Pattern.compile("^\\s*at dev\\.switchboard\\.(?!it\\.)");

    private record Record(Path file, int line, String level, String logger, List<String> text) {
        /**
         * A SEVERE/ERROR record from the application's loggers; an exception thrown by the application's code (the
         * first frame under an exception line, or under a "Caused by", is ours), at any level; a SEVERE/ERROR record
         * whose trace passes through the application. Not: the container's warning about a client that went away
         * while a request passed through our filter (an exception from Grizzly, our frame lower down).
         */
        boolean offends() {
            boolean severe = level.equals("SEVERE") || level.equals("ERROR") || level.equals("FATAL");
            boolean ours = logger.startsWith("dev.switchboard");
            boolean throughUs = text.stream().anyMatch(l -> OUR_FRAME.matcher(l).find());
            return (severe && (ours || throughUs)) || thrownByUs();
        }

        private boolean thrownByUs() {
            for (int i = 0; i + 1 < text.size(); i++) {
                if (EXCEPTION.matcher(text.get(i)).find()) {
                    for (int j = i + 1; j < text.size(); j++) {
                        String frame = text.get(j);
                        if (frame.trim().startsWith("at ")) {
                            if (OUR_FRAME.matcher(frame).find()) {
                                return true;
                            }
                            break;
                        }
                    }
                }
            }
            return false;
        }

        boolean expected() {
            String all = String.join("\n", text);
            return EXPECTED.stream().anyMatch(p -> p.matcher(all).find());
        }

        String excerpt() {
            return file.getFileName() + ":" + line + "\n    " + String.join("\n    ", text.subList(0, Math.min(8, text.size())));
        }
    }

    static List<Record> records(Path file) throws IOException {
        List<Record> records = new ArrayList<>();
        Record current = null;
        int n = 0;
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            String line = ANSI.matcher(raw).replaceAll("");
            Matcher m = PAYARA.matcher(line);
            Matcher liberty = LIBERTY.matcher(line);
            if (!m.find()) {
                m = WILDFLY.matcher(line);
                if (!m.find()) {
                    m = null;
                }
            }
            if (m == null && liberty.find()) {
                String level = switch (liberty.group(2)) {
                    case "E" -> "ERROR";
                    case "F" -> "FATAL";
                    case "W" -> "WARNING";
                    default -> "INFO";
                };
                current = new Record(file, n, level, liberty.group(1), new ArrayList<>());
                records.add(current);
            } else if (m != null) {
                current = new Record(file, n, m.group(1), m.group(2), new ArrayList<>());
                records.add(current);
            } else if (current == null) {
                current = new Record(file, n, "OUTPUT", "", new ArrayList<>());
                records.add(current);
            }
            current.text().add(line);
        }
        return records;
    }

    /** A server's own log files ({@code prefix}*) in {@code logs}, if its suite ran in this build. */
    private static List<Path> ownLogs(String server, Path logs, String prefix) throws IOException {
        if (!Files.isDirectory(logs) || !Files.isDirectory(REPORTS.resolve(server))) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(logs)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).sorted().toList();
        }
    }

    private static List<Path> logsOf(String server) throws IOException {
        if (server.equals("glassfish")) {
            // GlassFish runs as a daemon: its log is the domain's server.log (the domain the build created)
            return ownLogs(server, Path.of(System.getProperty("glassfish.home", "target/glassfish7"), "glassfish", "domains", "switchboard", "logs"), "server.log");
        }
        if (server.equals("liberty")) {
            // the server's own log, with loggers and levels (its console, in the tests' output, has neither)
            return ownLogs(server, Path.of(System.getProperty("liberty.home", "target/wlp"), "usr", "servers", "switchboard", "logs"), "messages");
        }
        Path dir = server.equals("cluster") ? Path.of("target", "cluster-it") : REPORTS.resolve(server);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> server.equals("cluster") ? f.toString().endsWith(".log") && !f.getFileName().toString().startsWith("redis")
                    : f.toString().endsWith("-output.txt")).sorted().toList();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"payara", "payara7", "glassfish", "liberty", "wildfly", "cluster"})
    void theServersLogHasNoUnexpectedFailureFromTheApplication(String server) throws IOException {
        List<Path> logs = logsOf(server);
        assumeTrue(!logs.isEmpty(), server + "'s suite did not run in this build (-Dit.test or a subset): nothing to read");
        List<String> offending = new ArrayList<>();
        int read = 0;
        for (Path log : logs) {
            for (Record r : records(log)) {
                read++;
                if (r.offends() && !r.expected()) {
                    offending.add(r.excerpt());
                }
            }
        }
        assertTrue(read > 0, "the logs were read");
        assertTrue(offending.isEmpty(), offending.size() + " unexpected failure(s) in " + server + "'s log:\n"
                + String.join("\n", offending.subList(0, Math.min(10, offending.size()))));
    }
}
