package dev.switchboard.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The connection's language, from what a browser or a client sends as {@code Accept-Language}. */
class HandshakeLanguageTest {

    @Test
    void theFirstLanguageByWeightIsTheConnections() {
        assertEquals(Locale.forLanguageTag("de-CH"), HandshakeConfigurator.language("de-CH,de;q=0.9,en;q=0.8"));
        assertEquals(Locale.FRENCH, HandshakeConfigurator.language("en;q=0.5, fr"));
        assertEquals(Locale.ENGLISH, HandshakeConfigurator.language("*;q=0.9, en;q=0.8"), "a wildcard names no language");
    }

    @Test
    void aValueThatNamesNoLanguageOrIsNotWellFormedIsAsIfAbsent() {
        assertNull(HandshakeConfigurator.language(null));
        assertNull(HandshakeConfigurator.language(""));
        assertNull(HandshakeConfigurator.language("*"));
        assertNull(HandshakeConfigurator.language("de;q=0"));
        assertNull(HandshakeConfigurator.language("de;q=banana"));
        assertNull(HandshakeConfigurator.language("\u0000\u0001"));
        assertNull(HandshakeConfigurator.language("en," + "x".repeat(300)), "too long to be worth parsing");
    }
}
