package dev.switchboard.cluster;

/** The shared store cannot be reached (or did not answer within its timeout); the caller carries on locally. */
public final class StoreUnavailable extends Exception {

    public StoreUnavailable(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
