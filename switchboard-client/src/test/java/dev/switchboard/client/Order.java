package dev.switchboard.client;

/** An application's payload in the tests: a record, as users write them (public, for JSON-B). */
public record Order(String id, int quantity) {
}
