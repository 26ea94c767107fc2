package dev.switchboard.bench;

import dev.switchboard.bench.WsLoad.Conn;
import java.util.function.IntSupplier;

/**
 * One connection attempt of a reconnecting client: forwards the attempt's events to the client while the attempt is
 * the client's current one ({@code current} still answers {@code mine}); a stale attempt's socket is closed when it
 * starts or opens, and whatever else it says is ignored.
 */
final class Attempt implements WsLoad.Handler {

    private final int mine;
    private final IntSupplier current;
    private final WsLoad.Handler client;

    Attempt(int mine, IntSupplier current, WsLoad.Handler client) {
        this.mine = mine;
        this.current = current;
        this.client = client;
    }

    private boolean live() {
        return current.getAsInt() == mine;
    }

    @Override
    public void started(Conn c) {
        if (live()) {
            client.started(c);
        } else {
            c.closeNow();
        }
    }

    @Override
    public void opened(Conn c) {
        if (live()) {
            client.opened(c);
        } else {
            c.closeNow();
        }
    }

    @Override
    public void text(Conn c, byte[] buf, int off, int len) {
        if (live()) {
            client.text(c, buf, off, len);
        }
    }

    @Override
    public void closed(Conn c, int code) {
        if (live()) {
            client.closed(c, code);
        }
    }

    @Override
    public void failed(Conn c, Exception e) {
        if (live()) {
            client.failed(c, e);
        }
    }
}
