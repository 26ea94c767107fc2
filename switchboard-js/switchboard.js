// Switchboard JavaScript client: one dependency-free ES module for browsers and bundlers.
// Protocol: docs/PROTOCOL.md (switchboard.v1). Close codes mirror dev.switchboard.CloseCodes (a test checks it).
import { EventStreamSocket } from './event-stream.js';

/** Close codes, mirrored from the server's CloseCodes class. */
export const CloseCodes = Object.freeze({
  NORMAL: 1000,
  GOING_AWAY: 1001,
  UNSUPPORTED_DATA: 1003,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  TOO_BIG: 1009,
  SERVER_ERROR: 1011,
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
  HEARTBEAT_TIMEOUT: 4000,
  CREDENTIALS_EXPIRED: 4001, // reconnects, asking credentials() again

  SLOW_CONSUMER: 4008,
  RATE_LIMITED: 4029,
  UNAUTHENTICATED: 4401,
  FORBIDDEN: 4403,
});

/** After these the client stays closed: reconnecting would not help. */
export const NO_RECONNECT = Object.freeze([CloseCodes.NORMAL, CloseCodes.POLICY_VIOLATION,
  CloseCodes.UNAUTHENTICATED, CloseCodes.FORBIDDEN]);

/** The client's states; `statechange` events carry `{from, to}`. */
export const State = Object.freeze({
  CONNECTING: 'connecting', // first connection attempt
  OPEN: 'open', // connected and welcomed
  RECONNECTING: 'reconnecting', // waiting for, or making, another attempt
  CLOSED: 'closed', // closed by close(), or by a code after which it does not reconnect
});

/** Documented defaults; every one can be overridden in `connect(url, options)`. */
export const DEFAULTS = Object.freeze({
  // switchboard.v1.batch first: the server may then carry several messages in one frame, one per line
  protocols: ['switchboard.v1.batch', 'switchboard.v1'],
  connectTimeoutMs: 10000, // an attempt that is not open by then is abandoned and retried
  reconnectInitialDelayMs: 500, // first retry waits up to this (full jitter: random between 0 and the cap)
  reconnectMaxDelayMs: 30000, // the cap grows x2 per attempt up to this
  reconnectMinUptimeMs: 5000, // the attempt count resets only after a connection stayed up this long
  requestTimeoutMs: 10000, // publish, send, request and presence fail with code 'timeout' after this
  offlineQueueSize: 100, // publishes and sends made while not open wait here (oldest dropped beyond)
  pingIntervalMs: 0, // app-level ping interval; 0: use the server's welcome.heartbeatMs
  credentials: undefined, // () => string | Promise<string>: 'bearer.<jwt>' or 'ticket.<ticket>', asked before every attempt
  // and again ahead of expiry (when the server says the credentials expire), to refresh them without reconnecting
  refreshAheadRatio: 0.75, // refresh once this share of the credentials' remaining lifetime has passed (at least 1 s before)
  WebSocket: undefined, // a WebSocket implementation (e.g. Node's 'ws'); default: globalThis.WebSocket
  // where WebSocket cannot connect (never opened after this many attempts, or no WebSocket at all), receive over
  // Server-Sent Events (GET <base>/sse) and publish over the HTTP API instead; false: never
  fallback: 'sse',
  fallbackAfterAttempts: 2,
  sseUrl: undefined, // default: 'sse' next to the WebSocket URL (…/ws → …/sse)
  apiUrl: undefined, // default: 'api/' next to it (…/ws → …/api/)
  EventSource: undefined, // default: globalThis.EventSource
  fetch: undefined, // default: globalThis.fetch
});

/** A failed operation; `code` is the protocol's error code, or 'timeout', 'disconnected', 'closed', 'offline_queue_full'. */
export class SwitchboardError extends Error {
  constructor(code, message, details) {
    super(message || code);
    this.name = 'SwitchboardError';
    this.code = code;
    this.details = details;
  }
}

/** A tiny event emitter: on(type, fn) returns a function that removes the listener. */
class Emitter {
  #listeners = new Map();

  on(type, listener) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(listener);
    return () => this.off(type, listener);
  }

  off(type, listener) {
    this.#listeners.get(type)?.delete(listener);
  }

  emit(type, payload) {
    for (const listener of [...(this.#listeners.get(type) || [])]) {
      try {
        listener(payload);
      } catch (e) {
        setTimeout(() => { throw e; }); // a listener's bug must not break the client
      }
    }
  }

  removeAll() {
    this.#listeners.clear();
  }
}

/**
 * A joined room. Events: 'message' ({data, from, offset, ts}), 'presence' (Map user -> connections, after each
 * change), 'joined' ({recovered}), 'reset' (history could not be recovered: reload your state), 'error' (a
 * SwitchboardError: the join was refused, e.g. 'forbidden').
 */
export class Room extends Emitter {
  /** @internal */
  constructor(client, name) {
    super();
    this.client = client;
    this.name = name;
    this.epoch = null;
    this.offset = null; // the last offset delivered to 'message' listeners
    this.members = new Map();
    this.joined = false;
    this.rewind = null; // latest publications asked for on a join with nothing to recover
    this.filter = null; // tag name -> value or [values]: only the publications that match reach this room
  }

  /** A page of this room's history (see SwitchboardClient.history). */
  history(options) {
    return this.client.history(this.name, options);
  }

  /** Publishes to this room; resolves with {room, offset} when the server acknowledged it. `options`: {tags}. */
  publish(data, options) {
    return this.client.publish(this.name, data, options);
  }

  /** Asks the server for the room's members; resolves with an array of {user, connections}. */
  presence() {
    return this.client.presence(this.name);
  }

  /** Leaves the room; resolves when the server confirmed. */
  leave() {
    return this.client.leave(this.name);
  }
}

/** Builds the endpoint URL: relative URLs resolve against the page, http(s) becomes ws(s). */
export function endpointUrl(url) {
  const base = typeof location !== 'undefined' ? location.href : undefined;
  const resolved = new URL(url ?? 'ws', base);
  if (resolved.protocol === 'http:') resolved.protocol = 'ws:';
  if (resolved.protocol === 'https:') resolved.protocol = 'wss:';
  return resolved.toString();
}

/** Full-jitter exponential backoff: a random delay between 0 and min(max, initial * 2^attempt). */
export function backoffDelay(attempt, initialMs, maxMs, random = Math.random) {
  const cap = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * cap);
}

/** A publish's idempotency key: random, so that a re-sent publish is recognised by the server and lands once. */
export function publishKey() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

/**
 * The client. Events: 'statechange' ({from, to}), 'open' (the welcome), 'close' ({code, reason, willReconnect}),
 * 'direct' ({from, data}), 'error' (a server error without a pending request).
 */
export class SwitchboardClient extends Emitter {
  #url;
  #options;
  #ws = null;
  #state = State.CONNECTING;
  #attempt = 0;
  #refreshTimer = null;
  #timers = new Set();
  #pending = new Map(); // id -> {resolve, reject, timer}
  #offline = []; // [{message, resolve, reject}]
  #rooms = new Map();
  #handlers = new Map(); // server-to-client request handlers by method
  #nextId = 1;
  #uptimeTimer = null;
  #pingTimer = null;
  #awaitingPong = false;
  #transport = 'websocket';
  #everOpened = false;
  #failedOpens = 0;

  constructor(url, options = {}) {
    super();
    this.#url = endpointUrl(url);
    this.#options = { ...DEFAULTS, ...options };
    this.user = null;
    this.session = null;
    this.#open();
  }

  /** 'websocket', or 'sse' once it fell back to Server-Sent Events (receive; publishes over the HTTP API). */
  get transport() {
    return this.#transport;
  }

  /** One of State. */
  get state() {
    return this.#state;
  }

  /** The rooms this client has joined (or will rejoin), by name. */
  get rooms() {
    return new Map(this.#rooms);
  }

  /**
   * Joins `room` (rejoined automatically after every reconnect, recovering what was missed). Returns the Room at
   * once; `room.ready` resolves with the first `joined` answer. `since` ({epoch, offset}) recovers from a position.
   * `rewind` (a number): the room's latest publications are delivered as 'message' events right after `joined`, when
   * there is nothing to recover (a first join, or history lost); the room class's default when absent.
   * `filter` (tag name -> value, or an array of accepted values): only the publications whose tags match every named
   * tag reach this room — live, recovered and rewound; joining a joined room again with another filter replaces it.
   */
  join(name, { since, rewind, filter } = {}) {
    let room = this.#rooms.get(name);
    if (room && filter !== undefined) room.filter = filter ?? null;
    if (!room) {
      room = new Room(this, name);
      room.rewind = rewind ?? null;
      room.filter = filter ?? null;
      if (since) {
        room.epoch = since.epoch;
        room.offset = since.offset;
      }
      this.#rooms.set(name, room);
    }
    room.ready = this.#state === State.OPEN ? this.#sendJoin(room) : new Promise((resolve, reject) => {
      room.on('joined', resolve);
      room.on('error', reject);
      this.on('closed-for-good', () => reject(new SwitchboardError('closed')));
    });
    return room;
  }

  /** Leaves `room`; it is no longer rejoined. */
  leave(name) {
    const room = this.#rooms.get(name);
    this.#rooms.delete(name);
    room?.removeAll();
    if (this.#state !== State.OPEN) return Promise.resolve();
    return this.#call({ type: 'leave', room: name });
  }

  /**
   * Publishes `data` to `room`; resolves with {room, offset} on ack. Queued while offline. Every publish carries an
   * idempotency key: one in flight when the connection drops is sent again after the reconnect, and the server
   * publishes it once (the ack then names the first offset). `tags` (name -> string): what members' filters select
   * on.
   */
  publish(room, data, { tags } = {}) {
    const message = { type: 'publish', room, data, key: publishKey() };
    if (tags) message.tags = tags;
    return this.#callOrQueue(message);
  }

  /**
   * Sends `data` to every connection of `user`; resolves on ack. Queued while offline. With `recoverable`, it goes to
   * the user's personal stream instead (room `user:<name>`): kept with an offset for the user to receive there and
   * recover after a reconnect, connected now or not; resolves with {room, offset}.
   */
  send(user, data, { recoverable } = {}) {
    const message = { type: 'send', to: user, data };
    if (recoverable) message.recoverable = true;
    return this.#callOrQueue(message).then((ack) => (recoverable ? { room: ack.room, offset: ack.offset } : ack));
  }

  /**
   * Joins this user's personal stream (`user:<name>`, signed-in users only): the recoverable direct messages sent to
   * it, as 'message' events ({data, from, offset, ts}), recovered after every reconnect like any room's. `user`: the
   * signed-in user's name (known before the welcome); `options` as for join.
   */
  joinPersonal(user, options) {
    return this.join(`user:${user}`, options);
  }

  /** Calls a server-side handler; resolves with the reply's data. */
  request(method, data, { timeoutMs } = {}) {
    return this.#call({ type: 'request', method, data }, timeoutMs).then((reply) => reply.data);
  }

  /**
   * A page of `room`'s history (authorized as a join; the room need not be joined): resolves with {room, epoch,
   * offset, recovered, publications: [{offset, ts, from, data, tags}]}. `limit` (default and bound: the server's page
   * size), `since` ({epoch, offset}: the page starts after it; `recovered` false when it could not), `reverse`
   * (newest first), `filter` (as for join: only the publications that match, up to `limit` of them).
   */
  history(room, { limit, since, reverse, filter } = {}) {
    const message = { type: 'history', room };
    if (limit != null) message.limit = limit;
    if (since) message.since = { epoch: since.epoch, offset: since.offset };
    if (reverse) message.reverse = true;
    if (filter) message.filter = filter;
    return this.#call(message).then(({ type, re, ...page }) => page);
  }

  /** How many are in `room` on every node, without the list: resolves with {users, connections}. */
  occupancy(room) {
    return this.#call({ type: 'occupancy', room }).then(({ users, connections }) => ({ users, connections }));
  }

  /** The members of a joined room: [{user, connections}]. */
  presence(room) {
    return this.#call({ type: 'presence', room }).then((reply) => reply.members);
  }

  /** Answers server-to-client requests for `method`: `handler(data)` returns (or resolves to) the reply's data. */
  handle(method, handler) {
    this.#handlers.set(method, handler);
    return () => this.#handlers.delete(method);
  }

  /** Closes for good (1000): no reconnect; pending operations fail with 'closed'. */
  close() {
    this.#setState(State.CLOSED);
    this.#cleanup(new SwitchboardError('closed', 'closed by the application'));
    if (this.#ws && this.#ws.readyState <= 1) this.#ws.close(CloseCodes.NORMAL, 'bye');
    this.emit('closed-for-good');
  }

  // ---------------------------------------------------------------- connection lifecycle

  #open() {
    const credentials = this.#options.credentials;
    if (!credentials) {
      this.#connect(this.#options.protocols);
      return;
    }
    // a fresh credential for every attempt: tickets are single-use, tokens expire
    Promise.resolve()
      .then(() => credentials())
      .then((credential) => {
        if (this.#state === State.CLOSED) return;
        this.#connect(credential ? [...this.#options.protocols, credential] : this.#options.protocols);
      }, () => {
        if (this.#state !== State.CLOSED) this.#scheduleReconnect();
      });
  }

  #connect(protocols) {
    const WS = this.#options.WebSocket || globalThis.WebSocket;
    if (!WS) this.#fallBack();
    let ws;
    try {
      ws = this.#transport === 'sse' ? this.#eventStream(protocols) : new WS(this.#url, protocols);
    } catch (e) {
      this.#failedOpen();
      this.#scheduleReconnect(CloseCodes.SERVER_ERROR, String(e));
      return;
    }
    this.#ws = ws;
    const connectTimer = this.#timer(() => {
      if (ws.readyState === 1 || this.#ws !== ws) return;
      // Abandoned, without waiting for its close event: Node 20's WebSocket (undici) fires none for a connection that
      // died during the handshake, nor after close() on it, and the client would wait for it forever.
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch {
        // a socket that cannot even be closed is dropped all the same
      }
      this.#closed(1006, `not open within ${this.#options.connectTimeoutMs} ms`);
    }, this.#options.connectTimeoutMs);
    ws.onmessage = (event) => {
      // switchboard.v1.batch: one or more JSON messages, separated by newlines (JSON text never contains a raw one)
      const data = event.data;
      if (typeof data === 'string' && data.includes('\n')) {
        for (const line of data.split('\n')) this.#receive(line);
      } else {
        this.#receive(data);
      }
    };
    ws.onclose = (event) => {
      this.#clearTimer(connectTimer);
      if (this.#ws === ws) this.#closed(event.code, event.reason);
    };
    ws.onerror = () => {}; // onclose follows with the code
  }

  /** The Server-Sent Events look-alike of a WebSocket, with this attempt's credential and the rooms' positions. */
  #eventStream(protocols) {
    const http = this.#url.replace(/^ws/, 'http');
    return new EventStreamSocket(this.#options.sseUrl ?? new URL('sse', http).toString(), {
      apiUrl: this.#options.apiUrl ?? new URL('api/', http).toString(),
      credential: protocols.find((p) => p.startsWith('bearer.') || p.startsWith('ticket.')),
      rooms: () => [...this.#rooms.values()].map((r) => ({ name: r.name, epoch: r.epoch, offset: r.offset, filter: r.filter })),
      EventSource: this.#options.EventSource || globalThis.EventSource,
      fetch: this.#options.fetch || globalThis.fetch?.bind(globalThis),
    });
  }

  /** A WebSocket attempt that never opened: after `fallbackAfterAttempts` of them, on a client never open, fall back. */
  #failedOpen() {
    if (this.#transport === 'websocket' && !this.#everOpened && ++this.#failedOpens >= this.#options.fallbackAfterAttempts) {
      this.#fallBack();
    }
  }

  #fallBack() {
    if (this.#transport === 'sse' || this.#options.fallback !== 'sse') return;
    if (!(this.#options.EventSource || globalThis.EventSource)) return;
    this.#transport = 'sse';
    this.emit('transport', { transport: 'sse' });
  }

  #welcomed(welcome) {
    if (this.#transport === 'websocket') this.#everOpened = true;
    this.user = welcome.user;
    this.session = welcome.session;
    this.#setState(State.OPEN);
    this.#uptimeTimer = this.#timer(() => { this.#attempt = 0; }, this.#options.reconnectMinUptimeMs);
    this.#startPings(this.#options.pingIntervalMs || welcome.heartbeatMs);
    this.#scheduleRefresh(welcome.expiresInMs);
    // a first message at once: the server closes /ws connections that stay silent after the welcome (1013)
    this.#raw({ type: 'ping', id: 'hello' });
    for (const room of this.#rooms.values()) this.#sendJoin(room).catch((e) => room.emit('error', e));
    const queued = this.#offline.splice(0);
    for (const item of queued) this.#call(item.message).then(item.resolve, item.reject);
    this.emit('open', welcome);
  }

  #closed(code, reason) {
    if (this.#state !== State.OPEN) this.#failedOpen(); // closed before the welcome
    this.#ws = null;
    this.#clearTimer(this.#refreshTimer);
    this.#clearTimer(this.#uptimeTimer);
    this.#stopPings();
    for (const room of this.#rooms.values()) room.joined = false;
    const resend = [];
    const reconnects = this.#state !== State.CLOSED && !NO_RECONNECT.includes(code);
    for (const [, pending] of this.#pending) {
      this.#clearTimer(pending.timer);
      if (reconnects && pending.message.type === 'publish' && pending.message.key) {
        resend.push({ message: pending.message, resolve: pending.resolve, reject: pending.reject });
      } else {
        pending.reject(new SwitchboardError('disconnected', `connection closed (${code}) before the answer`));
      }
    }
    this.#pending.clear();
    // publishes that may or may not have landed go again first, in their order, with their keys: they land once
    this.#offline.unshift(...resend);
    if (this.#state === State.CLOSED) return;
    if (NO_RECONNECT.includes(code)) {
      this.emit('close', { code, reason, willReconnect: false });
      this.#setState(State.CLOSED);
      this.#cleanup(new SwitchboardError('closed', `closed by the server (${code}) ${reason || ''}`.trim()));
      this.emit('closed-for-good');
      return;
    }
    this.emit('close', { code, reason, willReconnect: true });
    this.#scheduleReconnect(code, reason);
  }

  #scheduleReconnect() {
    this.#setState(State.RECONNECTING);
    const delay = backoffDelay(this.#attempt++, this.#options.reconnectInitialDelayMs, this.#options.reconnectMaxDelayMs);
    this.#timer(() => {
      if (this.#state === State.RECONNECTING) this.#open();
    }, delay);
  }

  /**
   * Credentials that expire are refreshed ahead of time over the open connection (`refresh`): a fresh credential from
   * `credentials()`, answered with `refreshed {expiresInMs}`, which schedules the next one. A refresh that fails
   * (`bad_credentials`, timeout) is tried again at half the time left; if the credentials run out all the same, the
   * server closes with 4001 and the client reconnects with a fresh credential.
   */
  #scheduleRefresh(expiresInMs) {
    this.#clearTimer(this.#refreshTimer);
    this.#refreshTimer = null;
    if (expiresInMs == null || !this.#options.credentials) return;
    const ahead = Math.min(expiresInMs * this.#options.refreshAheadRatio, expiresInMs - 1000);
    this.#refreshTimer = this.#timer(() => this.#refresh(expiresInMs - Math.max(0, ahead)), Math.max(0, ahead));
  }

  #refresh(leftMs) {
    const started = Date.now();
    Promise.resolve()
      .then(() => this.#options.credentials())
      .then((credential) => this.#call({ type: 'refresh', credential }))
      .then((answer) => {
        this.emit('refreshed', { expiresInMs: answer.expiresInMs });
        this.#scheduleRefresh(answer.expiresInMs);
      }, (error) => {
        if (this.#state !== State.OPEN) return; // reconnecting asks for new credentials anyway
        this.emit('error', error);
        const left = leftMs - (Date.now() - started);
        if (left > 1000) this.#refreshTimer = this.#timer(() => this.#refresh(left / 2), left / 2);
      });
  }

  #setState(to) {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.emit('statechange', { from, to });
  }

  #startPings(intervalMs) {
    this.#stopPings();
    if (!intervalMs) return;
    this.#pingTimer = setInterval(() => {
      if (this.#awaitingPong) { // no pong for a whole interval: the connection is dead, reconnect
        this.#ws?.close(CloseCodes.HEARTBEAT_TIMEOUT, 'no pong');
        return;
      }
      this.#awaitingPong = true;
      this.#raw({ type: 'ping', id: `ping-${this.#nextId++}` });
    }, intervalMs);
  }

  #stopPings() {
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = null;
    this.#awaitingPong = false;
  }

  /** Removes every timer, pending operation and queued message (one place for all of them). */
  #cleanup(error) {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#stopPings();
    for (const [, pending] of this.#pending) pending.reject(error);
    this.#pending.clear();
    for (const item of this.#offline.splice(0)) item.reject(error);
  }

  #timer(fn, ms) {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
    return t;
  }

  #clearTimer(t) {
    if (t) {
      clearTimeout(t);
      this.#timers.delete(t);
    }
  }

  // ---------------------------------------------------------------- messages

  #receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return; // the server only sends JSON objects
    }
    this.#awaitingPong = false; // anything from the server shows the connection is alive
    switch (message.type) {
      case 'welcome':
        this.#welcomed(message);
        break;
      case 'joined':
        this.#joined(message);
        break;
      case 'message':
        this.#message(message);
        break;
      case 'presence_diff':
        this.#presenceDiff(message);
        break;
      case 'direct':
        this.emit('direct', { from: message.from, data: message.data });
        break;
      case 'request':
        this.#serverRequest(message);
        break;
      case 'pong':
        break;
      case 'left':
        if (message.re == null) this.#removed(message); // an administrator removed this connection from the room
        else this.#settle(message);
        break;
      default:
        this.#settle(message);
    }
  }

  /** Removed from a room by the server (an administrator): it is no longer rejoined; its listeners hear 'removed'. */
  #removed(message) {
    const room = this.#rooms.get(message.room);
    if (!room) return;
    this.#rooms.delete(message.room);
    room.joined = false;
    room.emit('removed', { room: message.room });
    room.removeAll();
  }

  #settle(message) {
    const pending = message.re != null ? this.#pending.get(message.re) : undefined;
    if (!pending) {
      if (message.type === 'error') this.emit('error', new SwitchboardError(message.code, message.message, message.details));
      return;
    }
    this.#pending.delete(message.re);
    this.#clearTimer(pending.timer);
    if (message.type === 'error' && message.code === 'unavailable' && pending.message.type === 'publish') {
      // the server is shutting down and took nothing: sent again, with its key, after the reconnect
      this.#offline.push({ message: pending.message, resolve: pending.resolve, reject: pending.reject });
      return;
    }
    if (message.type === 'error') pending.reject(new SwitchboardError(message.code, message.message, message.details));
    else pending.resolve(message);
  }

  #joined(message) {
    const pending = this.#pending.get(message.re);
    if (pending) this.#settle(message);
    const room = this.#rooms.get(message.room);
    if (!room) return;
    const asked = room.epoch != null && room.offset != null;
    // a rewind follows joined with publications up to its offset: they must not be taken for duplicates (filtered, the
    // latest that match may be any older ones)
    const floor = room.rewind > 0 ? (room.filter ? 0 : Math.max(0, message.offset - room.rewind)) : message.offset;
    if (asked && message.recovered === false) {
      room.offset = floor; // cannot recover: start from now (or from the rewind)
      room.emit('reset', { epoch: message.epoch, offset: message.offset });
    } else if (!asked) {
      room.offset = floor;
    }
    room.epoch = message.epoch;
    room.joined = true;
    room.members = new Map((message.presence || []).map((m) => [m.user, m.connections]));
    room.emit('joined', { recovered: message.recovered ?? null, epoch: message.epoch, offset: message.offset });
    room.emit('presence', new Map(room.members));
  }

  #message(message) {
    const room = this.#rooms.get(message.room);
    if (!room) return;
    if (room.epoch === message.epoch && room.offset != null && message.offset <= room.offset) return; // duplicate
    room.epoch = message.epoch;
    room.offset = message.offset;
    room.emit('message', { data: message.data, from: message.from, offset: message.offset, ts: message.ts,
      tags: message.tags });
  }

  #presenceDiff(message) {
    const room = this.#rooms.get(message.room);
    if (!room) return;
    for (const user of message.joins) if (!room.members.has(user)) room.members.set(user, 1);
    for (const user of message.leaves) room.members.delete(user);
    room.emit('presence', new Map(room.members));
  }

  async #serverRequest(message) {
    const handler = this.#handlers.get(message.method);
    if (!handler) {
      this.#raw({ type: 'reply', re: message.id, error: 'unknown_method', message: `no handler for ${message.method}` });
      return;
    }
    try {
      const data = await handler(message.data);
      this.#raw({ type: 'reply', re: message.id, data: data === undefined ? null : data });
    } catch (e) {
      this.#raw({ type: 'reply', re: message.id, error: e?.code || 'failed', message: String(e?.message || e) });
    }
  }

  #sendJoin(room) {
    const message = { type: 'join', room: room.name };
    if (room.epoch != null && room.offset != null) message.since = { epoch: room.epoch, offset: room.offset };
    if (room.rewind != null) message.rewind = room.rewind;
    if (room.filter) message.filter = room.filter;
    return this.#call(message);
  }

  #callOrQueue(message) {
    if (this.#state === State.OPEN) return this.#call(message);
    if (this.#state === State.CLOSED) return Promise.reject(new SwitchboardError('closed'));
    return new Promise((resolve, reject) => {
      this.#offline.push({ message, resolve, reject });
      if (this.#offline.length > this.#options.offlineQueueSize) {
        this.#offline.shift().reject(new SwitchboardError('offline_queue_full', 'dropped from the full offline queue'));
      }
    });
  }

  #call(message, timeoutMs = this.#options.requestTimeoutMs) {
    if (this.#state !== State.OPEN) return Promise.reject(new SwitchboardError('disconnected', 'not connected'));
    const id = String(this.#nextId++);
    return new Promise((resolve, reject) => {
      const timer = this.#timer(() => {
        this.#pending.delete(id);
        reject(new SwitchboardError('timeout', `no answer to ${message.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer, message });
      this.#raw({ ...message, id });
    });
  }

  #raw(message) {
    if (this.#ws && this.#ws.readyState === 1) this.#ws.send(JSON.stringify(message));
  }
}

/** Connects to a Switchboard endpoint (default: 'ws' relative to the page, ws:/wss: from the page's scheme). */
export function connect(url, options) {
  return new SwitchboardClient(url, options);
}
