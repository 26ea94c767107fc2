package dev.switchboard.test;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonStructure;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Switchboard's HTTP API (docs/PROTOCOL.md) as a test calls it: {@code SwitchboardApi.at(base).as(basic(…))}. Each
 * call answers its status and body; the convenience methods assert the status they expect and say what came instead.
 */
public final class SwitchboardApi {

    /** A response: its status and body, and the body as JSON. */
    public record Response(int status, String body) {
        public JsonObject json() {
            return (JsonObject) structure();
        }

        public JsonArray array() {
            return (JsonArray) structure();
        }

        private JsonStructure structure() {
            return Json.createReader(new StringReader(body)).read();
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final Jsonb JSONB = JsonbBuilder.create();

    private final URI api;
    private final String header;
    private final String value;

    private SwitchboardApi(URI api, String header, String value) {
        this.api = api;
        this.header = header;
        this.value = value;
    }

    /** The API under {@code api} (the application's base URI and Switchboard's API path, e.g. {@code …/app/api/}). */
    public static SwitchboardApi at(URI api) {
        String s = api.toString();
        return new SwitchboardApi(URI.create(s.endsWith("/") ? s : s + "/"), null, null);
    }

    /** Calls as the caller this {@code Authorization} value names (e.g. {@link Credentials#basic}). */
    public SwitchboardApi as(String authorization) {
        return new SwitchboardApi(api, "Authorization", authorization);
    }

    /** Calls with a server key ({@code switchboard.api.keys}). */
    public SwitchboardApi withKey(String key) {
        return new SwitchboardApi(api, "X-Switchboard-Key", key);
    }

    public Response get(String path) {
        return send(request(path).GET());
    }

    public Response post(String path, String contentType, String body) {
        return send(request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public Response delete(String path) {
        return send(request(path).DELETE());
    }

    /** Publishes {@code data} (JSON-B) to {@code room}; asserts 202 and answers {@code {room, epoch, offset}}. */
    public JsonObject publish(String room, Object data) {
        return expect(202, post("rooms/messages?room=" + encode(room), "application/json", JSONB.toJson(data)), "publish to " + room).json();
    }

    /** The room's members, {@code [{user, connections}]}; asserts 200. */
    public JsonArray presence(String room) {
        return expect(200, get("rooms/presence?room=" + encode(room)), "presence of " + room).array();
    }

    /** A one-use ticket for the caller, as {@code ticket.<ticket>} for a client's credentials; asserts 200. */
    public String ticket() {
        return "ticket." + expect(200, post("tickets", "application/json", ""), "a ticket").json().getString("ticket");
    }

    /** Asserts the status of {@code response}. */
    public static Response expect(int status, Response response, String what) {
        if (response.status() != status) {
            throw new AssertionError(what + ": expected HTTP " + status + ", got " + response.status() + " " + response.body());
        }
        return response;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(api.resolve(path)).timeout(Await.DEFAULT);
        return header == null ? request : request.header(header, value);
    }

    private static Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
