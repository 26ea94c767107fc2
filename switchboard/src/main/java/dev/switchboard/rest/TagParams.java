package dev.switchboard.rest;

import dev.switchboard.protocol.TagFilter;
import dev.switchboard.protocol.Tags;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tags and filters in an HTTP API's query: {@code tag.<name>=<value>} on a publish (each tag once), and
 * {@code filter.<name>=<value>} on a history read (repeated: any of the values). Read from the query string only,
 * never from a form body. Stateless.
 */
final class TagParams {

    static final String TAG = "tag.";
    static final String FILTER = "filter.";

    private TagParams() {
    }

    /**
     * The publication's tags; null for none.
     *
     * @throws IllegalArgumentException when a tag is repeated or breaks the rules
     */
    static Map<String, String> tags(HttpServletRequest request) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> p : query(request, TAG).entrySet()) {
            if (p.getValue().size() != 1) {
                throw new IllegalArgumentException("tag." + p.getKey() + " is given " + p.getValue().size() + " times");
            }
            tags.put(p.getKey(), p.getValue().get(0));
        }
        return Tags.of(tags);
    }

    /**
     * The filter of a read; null for none.
     *
     * @throws IllegalArgumentException when it breaks the rules
     */
    static TagFilter filter(HttpServletRequest request) {
        return TagFilter.of(query(request, FILTER));
    }

    private static Map<String, List<String>> query(HttpServletRequest request, String prefix) {
        Map<String, List<String>> found = new LinkedHashMap<>();
        String query = request.getQueryString();
        if (query == null) {
            return found;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (name.startsWith(prefix)) {
                found.computeIfAbsent(name.substring(prefix.length()), n -> new java.util.ArrayList<>())
                        .add(eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return found;
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** For the error's details. */
    static String rules(String prefix) {
        return Arrays.asList(prefix + "<name>=<value>", "names of 1-64 letters, digits and _ . : -",
                "values of at most " + Tags.MAX_VALUE_LENGTH + " characters").toString();
    }
}
