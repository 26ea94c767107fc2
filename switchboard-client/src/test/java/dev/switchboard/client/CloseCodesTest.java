package dev.switchboard.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The client's close codes are the server's (dev.switchboard.CloseCodes), plus 1006, which servers never send. */
class CloseCodesTest {

    private static Map<String, Integer> table(Class<?> type) throws IllegalAccessException {
        Map<String, Integer> codes = new TreeMap<>();
        for (Field f : type.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                codes.put(f.getName(), f.getInt(null));
            }
        }
        return codes;
    }

    @Test
    void theClientsTableIsTheServersPlusAbnormal() throws Exception {
        Map<String, Integer> client = table(CloseCodes.class);
        assertEquals(1006, client.remove("ABNORMAL"));
        assertEquals(table(dev.switchboard.CloseCodes.class), client);
    }

    @Test
    void itStaysClosedAfterTheSameCodesAsTheJavaScriptClient() {
        assertEquals(java.util.Set.of(1000, 1008, 4401, 4403), CloseCodes.NO_RECONNECT);
    }
}
