package dev.switchboard.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The atomic fields of the per-connection objects, as {@link VarHandle}s: an {@code Atomic*} object costs 16–24 bytes
 * and a reference for every connection, a field with a handle costs its value (docs/benchmark/connections.md).
 */
final class Handles {

    private Handles() {
    }

    /** The handle of {@code owner}'s field {@code name} of {@code type}, private or not. */
    static VarHandle field(Class<?> owner, String name, Class<?> type) {
        try {
            return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).findVarHandle(owner, name, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
