package dev.switchboard.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** The server's heap in use, sampled by one {@code jstat -gc <pid> 250} for as long as it is open. */
final class HeapPeak implements AutoCloseable {
    private final Process jstat;
    private final AtomicLong max = new AtomicLong();
    private final Thread reader;

    HeapPeak(long pid) throws Exception {
        jstat = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstat").toString(), "-gc",
                Long.toString(pid), "250").redirectErrorStream(true).start();
        reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(jstat.getInputStream()))) {
                String[] head = null;
                for (String line; (line = in.readLine()) != null; ) {
                    String[] cells = line.trim().split("\\s+");
                    if (cells.length > 0 && cells[0].equals("S0C")) {
                        head = cells;
                        continue;
                    }
                    if (head == null || cells.length != head.length) {
                        continue;
                    }
                    double used = 0;
                    for (int i = 0; i < head.length; i++) {
                        if (List.of("S0U", "S1U", "EU", "OU").contains(head[i])) {
                            used += Double.parseDouble(cells[i]);
                        }
                    }
                    max.accumulateAndGet(Math.round(used), Math::max);
                }
            } catch (Exception e) {
                // jstat ended
            }
        }, "heap-peak");
        reader.setDaemon(true);
        reader.start();
    }

    long maxKb() {
        return max.get();
    }

    @Override
    public void close() throws InterruptedException {
        jstat.destroy();
        reader.join(2000);
    }
}
