package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Server-Sent Events client for the ITs, as a browser's EventSource reads a stream: events ({@code id}, {@code event},
 * {@code data}) and comment lines, each taken with a bounded wait. A reader thread parses the body; {@link #close}
 * ends the request.
 */
final class SseStream implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(10);

    /** One event; {@code id} null when it carried none, {@code event} "message" by default. */
    record Event(String id, String event, String data) {
        JsonObject json() {
            return Json.createReader(new StringReader(data)).readObject();
        }

        String type() {
            return json().getString("type");
        }
    }

    final int status;
    /** The body of a refused request (not 200). */
    final String refusal;
    private final InputStream body;
    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();

    private SseStream(int status, InputStream body) throws IOException {
        this.status = status;
        this.body = body;
        if (status != 200) {
            refusal = new String(body.readAllBytes(), StandardCharsets.UTF_8);
            body.close();
            return;
        }
        refusal = null;
        Thread reader = new Thread(this::read, "sse-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens {@code uri} with the headers given as name, value, …; the answer's status decides what it holds. */
    static SseStream open(HttpClient http, URI uri, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HttpResponse<InputStream> response = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return new SseStream(response.statusCode(), response.body());
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            String event = "message";
            StringBuilder data = null;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isEmpty()) {
                    if (data != null) {
                        received.add(new Event(id, event, data.toString()));
                    }
                    id = null;
                    event = "message";
                    data = null;
                } else if (line.startsWith(":")) {
                    received.add(line.substring(1).trim());
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    String value = line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5);
                    data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                }
            }
            received.add("end of stream");
        } catch (IOException e) {
            received.add("end of stream: " + e);
        }
    }

    /** The next event (comments skipped), within {@link #WAIT}. */
    Event next() throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Object item = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            assertNotNull(item, "no event within " + WAIT);
            if (item instanceof Event e) {
                return e;
            }
            if (item.toString().startsWith("end of stream")) {
                throw new AssertionError("the stream ended: " + item);
            }
        }
    }

    /** The next event of protocol type {@code type} (others skipped), within {@link #WAIT} each. */
    Event nextOf(String type) throws InterruptedException {
        for (int i = 0; i < 1000; i++) {
            Event e = next();
            if ("message".equals(e.event()) && type.equals(e.type())) {
                return e;
            }
        }
        throw new AssertionError("no " + type);
    }

    /** The next comment line (a heartbeat), within {@code wait}; events before it skipped. */
    String comment(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Object item = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            assertNotNull(item, "no comment within " + wait);
            if (item instanceof String s && !s.startsWith("end of stream")) {
                return s;
            }
        }
    }

    /** The next event, or the stream's end (its text) when it ends first. */
    Object nextOrEnd() throws InterruptedException {
        Object item = received.poll(WAIT.toNanos(), TimeUnit.NANOSECONDS);
        assertNotNull(item, "neither an event nor the end within " + WAIT);
        return item;
    }

    @Override
    public void close() throws IOException {
        body.close();
    }
}
