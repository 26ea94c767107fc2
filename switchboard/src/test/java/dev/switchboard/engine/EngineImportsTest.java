package dev.switchboard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine knows no container, no CDI and no exporter: it says what happened ({@link Telemetry}, {@link Tracing})
 * and adapters outside it listen. Reads every source file of the package, imports and fully qualified names alike.
 */
class EngineImportsTest {

    private static final Path ENGINE = Path.of("src/main/java/dev/switchboard/engine");
    private static final Pattern FORBIDDEN = Pattern.compile("\\b(jakarta\\.websocket|jakarta\\.servlet|jakarta\\.enterprise"
            + "|jakarta\\.ws\\.rs|jakarta\\.inject|jakarta\\.annotation|io\\.lettuce|io\\.prometheus|io\\.opentelemetry"
            + "|org\\.eclipse\\.microprofile)\\.");

    @Test
    void theEngineImportsNoContainerCdiOrExporterApi() throws IOException {
        List<String> found = new ArrayList<>();
        List<Path> sources;
        try (Stream<Path> files = Files.list(ENGINE)) {
            sources = files.filter(f -> f.toString().endsWith(".java")).toList();
        }
        assertTrue(sources.size() > 20, "the engine's sources are read: " + sources.size());
        for (Path source : sources) {
            List<String> lines = Files.readAllLines(source);
            for (int i = 0; i < lines.size(); i++) {
                String code = lines.get(i).replaceAll("//.*|^\\s*\\*.*|/\\*.*?\\*/", ""); // comments may name them
                Matcher m = FORBIDDEN.matcher(code);
                if (m.find()) {
                    found.add(source.getFileName() + ":" + (i + 1) + " " + m.group(1));
                }
            }
        }
        assertEquals(List.of(), found, "the engine names a container, CDI or exporter API");
    }

    @Test
    void theCheckFindsAForbiddenImport() {
        assertTrue(FORBIDDEN.matcher("import io.prometheus.metrics.core.metrics.Histogram;").find());
        assertTrue(FORBIDDEN.matcher("    jakarta.enterprise.inject.spi.CDI.current()").find());
        assertTrue(FORBIDDEN.matcher("import jakarta.websocket.Session;").find());
        assertTrue(!FORBIDDEN.matcher("import jakarta.json.JsonValue;").find(), "JSON-P is the engine's own language");
    }
}
