package dev.switchboard.engine;

import dev.switchboard.protocol.Codec;
import dev.switchboard.protocol.ServerMessage;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import dev.switchboard.protocol.Tags;
import java.io.StringReader;
import java.util.Map;

/**
 * A publication as a shared log carries it — who, when, what, and (traced) the publish's W3C trace context, as JSON
 * ({@code {"from":…,"ts":…,"data":…,"tags":…,"tp":…}}) — and, decoded at an offset of an epoch, its {@code message} frame,
 * encoded once for every member of the node.
 *
 * @param frame           the {@code message} frame
 * @param timestampMillis when it was published
 * @param traceparent     the publish's {@code traceparent}, or null (not traced)
 * @param tags            its tags, or null
 */
record SharedPayload(String frame, long timestampMillis, String traceparent, Map<String, String> tags) {

    /** The payload of a publication, for {@link dev.switchboard.cluster.LogStore#append}. */
    static String encode(String from, long timestampMillis, JsonValue data, Map<String, String> tags, String traceparent) {
        JsonObjectBuilder b = Codec.json().createObjectBuilder();
        if (from != null) {
            b.add("from", from);
        }
        b.add("ts", timestampMillis).add("data", data == null ? JsonValue.NULL : data);
        if (tags != null) {
            JsonObjectBuilder t = Codec.json().createObjectBuilder();
            tags.forEach(t::add);
            b.add("tags", t);
        }
        if (traceparent != null) {
            b.add("tp", traceparent);
        }
        return b.build().toString();
    }

    /** The publication at {@code offset} of {@code epoch} in {@code room}, from its payload. */
    static SharedPayload decode(String room, String epoch, long offset, String payload) {
        JsonObject p = Codec.json().createReader(new StringReader(payload)).readObject();
        String from = p.containsKey("from") && !p.isNull("from") ? p.getString("from") : null;
        long ts = p.getJsonNumber("ts").longValue();
        String traceparent = p.containsKey("tp") && !p.isNull("tp") ? p.getString("tp") : null;
        Map<String, String> tags = Tags.ofObject(p);
        return new SharedPayload(Codec.encode(new ServerMessage.Message(room, epoch, offset, from, ts, p.get("data"), tags)),
                ts, traceparent, tags);
    }
}
