package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The JavaScript client's CloseCodes table and NO_RECONNECT list mirror the Java class exactly. */
class CloseCodesMirrorTest {

    @Test
    void javaScriptCloseCodesMatchTheJavaClass() throws Exception {
        Map<String, Integer> java = new TreeMap<>();
        for (Field f : CloseCodes.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                java.put(f.getName(), f.getInt(null));
            }
        }
        String js = Files.readString(Path.of("../switchboard-js/switchboard.js"));
        Matcher table = Pattern.compile("export const CloseCodes = Object\\.freeze\\(\\{(.*?)\\}\\);", Pattern.DOTALL).matcher(js);
        assertEquals(true, table.find(), "CloseCodes table not found in switchboard.js");
        Map<String, Integer> mirrored = new TreeMap<>();
        Matcher entry = Pattern.compile("([A-Z_]+):\\s*(\\d+)").matcher(table.group(1));
        while (entry.find()) {
            mirrored.put(entry.group(1), Integer.parseInt(entry.group(2)));
        }
        assertEquals(java, mirrored);

        Matcher noReconnect = Pattern.compile("export const NO_RECONNECT = Object\\.freeze\\(\\[(.*?)\\]\\);", Pattern.DOTALL).matcher(js);
        assertEquals(true, noReconnect.find());
        assertEquals("NORMAL,POLICY_VIOLATION,UNAUTHENTICATED,FORBIDDEN",
                noReconnect.group(1).replaceAll("CloseCodes\\.|\\s", ""),
                "the client must not reconnect after 1000, 1008, 4401 and 4403 (docs/PROTOCOL.md)");
    }
}
