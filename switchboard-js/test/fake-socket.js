// A WebSocket the tests play the server's side of: what the client sent, and calls that open, deliver and close.
export class FakeSocket {
  static all = [];

  static last() {
    return FakeSocket.all[FakeSocket.all.length - 1];
  }

  constructor(url, protocols) {
    this.url = url;
    this.protocols = protocols;
    this.readyState = 0;
    this.sent = [];
    this.closedWith = null;
    FakeSocket.all.push(this);
  }

  // ------------------------------------------------ the client's side (the WebSocket API it uses)

  send(text) {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(text));
  }

  close(code = 1005, reason = '') {
    if (this.readyState >= 2) return;
    this.closedWith = { code, reason };
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  // ------------------------------------------------ the server's side

  /** The handshake succeeded and the server says welcome. */
  accept(welcome = {}) {
    this.readyState = 1;
    this.deliver({ type: 'welcome', session: 's1', user: 'ada', heartbeatMs: 0, protocol: 'switchboard.v1', ...welcome });
  }

  /** One frame from the server: an object (sent as JSON) or raw text. */
  deliver(message) {
    this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) });
  }

  /** The server (or the network) closes the connection with `code`. */
  drop(code, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  /** What the client sent of `type`, in order. */
  sentOf(type) {
    return this.sent.filter((m) => m.type === type);
  }
}

/** Lets pending promise reactions run (the mocked timers leave setImmediate alone). */
export const settle = () => new Promise((resolve) => setImmediate(resolve));
