// The Server-Sent Events fallback of the Switchboard client: a WebSocket look-alike over `GET /sse` (receive) and the
// HTTP API (publish, history, presence, occupancy), for networks where WebSocket cannot connect. The client drives it
// exactly as it drives a WebSocket: `send(text)` takes the protocol's messages and the answers come back as
// `onmessage({data})` frames, so rooms, recovery, acks and offsets behave the same. docs/PROTOCOL.md, "Server-Sent Events".

/** Messages the fallback cannot carry: answered with `error unsupported`. */
const UNSUPPORTED = new Set(['send', 'request', 'refresh', 'reply']);

/**
 * A WebSocket look-alike over an EventSource. `url`: the stream's (…/sse); `apiUrl`: the HTTP API's base (…/api/);
 * `credential`: the attempt's `ticket.…` or `bearer.…` (or null); `rooms()`: the client's rooms, [{name, epoch,
 * offset}], joined at open and recovered from their positions. `EventSource` and `fetch` can be injected (tests).
 */
export class EventStreamSocket {
  constructor(url, { apiUrl, credential, rooms, EventSource = globalThis.EventSource, fetch = globalThis.fetch } = {}) {
    this.url = url;
    this.protocol = 'switchboard.v1';
    this.readyState = 0;
    this.onopen = this.onmessage = this.onclose = this.onerror = null;
    this._apiUrl = apiUrl;
    this._credential = credential ?? null;
    this._EventSource = EventSource;
    this._fetch = fetch;
    this._rooms = new Map((rooms?.() ?? []).map((r) => [r.name, r]));
    this._joined = new Map(); // room -> the last joined frame the stream sent for it
    this._waiting = new Map(); // room -> join id the client awaits
    this._open();
  }

  /** The stream's URL for the rooms now: positions to recover from, the credential in the query (EventSource sends no headers). */
  _streamUrl() {
    const u = new URL(this.url);
    const since = [];
    for (const r of this._rooms.values()) {
      u.searchParams.append('room', r.name);
      if (r.epoch != null && r.offset != null) since.push(`${r.name}~${r.epoch}~${r.offset}`);
    }
    if (since.length) u.searchParams.set('since', since.join(','));
    if (this._credential?.startsWith('ticket.')) u.searchParams.set('ticket', this._credential.slice(7));
    if (this._credential?.startsWith('bearer.')) u.searchParams.set('access_token', this._credential.slice(7));
    return u.toString();
  }

  _open() {
    const source = new this._EventSource(this._streamUrl());
    this._source = source;
    source.onopen = () => {
      if (this._source !== source || this.readyState !== 0) return;
      this.readyState = 1;
      this.onopen?.({});
    };
    source.onmessage = (event) => {
      if (this._source === source) this._frame(event.data);
    };
    source.addEventListener('close', (event) => {
      const { code, reason } = JSON.parse(event.data);
      this._end(code, reason);
    });
    // EventSource reconnects by itself with Last-Event-ID, but a ticket is single-use: the client's own backoff
    // reconnects instead, with a fresh credential and every room's position
    source.onerror = () => {
      if (this._source === source) this._end(1006, 'event stream failed');
    };
  }

  _frame(text) {
    const message = JSON.parse(text);
    if (message.type === 'message' && this._rooms.has(message.room)) {
      const room = this._rooms.get(message.room);
      room.epoch = message.epoch;
      room.offset = message.offset;
      // the stream's joins carry no filter: the room's own is applied here (after the position moved past it)
      if (room.filter && !matches(room.filter, message.tags)) return;
    }
    if (message.type === 'joined') {
      this._joined.set(message.room, message);
      const re = this._waiting.get(message.room);
      if (re != null) {
        this._waiting.delete(message.room);
        this._deliver({ ...message, re });
        return;
      }
    }
    this._deliver(message);
  }

  _deliver(message) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  _end(code, reason) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this._source?.close();
    this._source = null;
    this.onclose?.({ code, reason });
  }

  /** A protocol message from the client. */
  send(text) {
    const m = JSON.parse(text);
    const answer = (reply) => queueMicrotask(() => this._deliver(reply));
    switch (m.type) {
      case 'ping':
        answer({ type: 'pong', re: m.id });
        return;
      case 'join':
        this._join(m, answer);
        return;
      case 'leave':
        if (this._rooms.delete(m.room)) this._reopen();
        answer({ type: 'left', re: m.id, room: m.room });
        return;
      case 'publish':
        this._api('POST', 'rooms/messages', [['room', m.room], ...tagParams(m.tags)], m, JSON.stringify(m.data ?? null))
          .then((ack) => answer({ type: 'ack', re: m.id, room: ack.room, offset: ack.offset }), (e) => answer(e));
        return;
      case 'history':
        this._api('GET', 'rooms/history', historyParams(m), m)
          .then((page) => answer({ type: 'history', re: m.id, ...page }), (e) => answer(e));
        return;
      case 'presence':
        this._api('GET', 'rooms/presence', [['room', m.room]], m)
          .then((members) => answer({ type: 'presence', re: m.id, room: m.room, members }), (e) => answer(e));
        return;
      case 'occupancy':
        this._api('GET', 'rooms/occupancy', [['room', m.room]], m)
          .then((o) => answer({ type: 'occupancy', re: m.id, room: m.room, users: o.users, connections: o.connections }),
            (e) => answer(e));
        return;
      default:
        if (UNSUPPORTED.has(m.type) && m.id != null) {
          answer({ type: 'error', re: m.id, code: 'unsupported', message: `${m.type} is not carried by the event-stream fallback` });
        }
    }
  }

  /** A join: answered by the stream's joined for the room, reopening the stream when the room is new to it. */
  _join(m, answer) {
    const known = this._rooms.has(m.room);
    if (known) this._rooms.get(m.room).filter = m.filter ?? null;
    if (!known) {
      this._rooms.set(m.room, { name: m.room, epoch: m.since?.epoch ?? null, offset: m.since?.offset ?? null,
        filter: m.filter ?? null });
      this._joined.delete(m.room);
      this._waiting.set(m.room, m.id);
      this._reopen();
      return;
    }
    const joined = this._joined.get(m.room);
    if (joined) answer({ ...joined, re: m.id });
    else this._waiting.set(m.room, m.id);
  }

  /** The rooms changed: a new stream with them all, each from its position (recovered, so nothing is missed). */
  _reopen() {
    const old = this._source;
    this._source = null;
    old?.close();
    if (this.readyState === 1) this._open();
  }

  /** An HTTP API call on the caller's behalf; rejects with the protocol's `error` frame for the message. */
  async _api(method, path, params, m, body) {
    const u = new URL(path, this._apiUrl);
    for (const [k, v] of params) if (v != null) u.searchParams.append(k, String(v));
    const headers = { Accept: 'application/json' };
    if (body != null) headers['Content-Type'] = 'application/json';
    if (m.key) headers['Idempotency-Key'] = m.key;
    if (this._credential?.startsWith('bearer.')) headers.Authorization = `Bearer ${this._credential.slice(7)}`;
    let response;
    try {
      response = await this._fetch(u.toString(), { method, headers, body, credentials: 'same-origin' });
    } catch (e) {
      throw { type: 'error', re: m.id, code: 'disconnected', message: String(e?.message || e) };
    }
    const json = await response.json().catch(() => null);
    if (!response.ok) {
      throw { type: 'error', re: m.id, code: json?.code || `http_${response.status}`, message: json?.message || response.statusText, details: json?.details };
    }
    return json;
  }

  close() {
    this._end(1000, 'bye');
  }
}

/** Whether a publication's `tags` match a join's `filter` (docs/PROTOCOL.md, Tag filters). */
export function matches(filter, tags) {
  for (const [name, accepted] of Object.entries(filter)) {
    const value = tags?.[name];
    if (value === undefined || !(Array.isArray(accepted) ? accepted : [accepted]).includes(value)) return false;
  }
  return true;
}

/** Query parameters, as [name, value] pairs (a filter repeats its name). */
function tagParams(tags) {
  return Object.entries(tags || {}).map(([k, v]) => [`tag.${k}`, v]);
}

function historyParams(m) {
  const params = [['room', m.room], ['limit', m.limit], ['reverse', m.reverse ? 'true' : null]];
  if (m.since) params.push(['since', `${m.since.epoch}:${m.since.offset}`]);
  for (const [k, v] of Object.entries(m.filter || {})) {
    for (const value of Array.isArray(v) ? v : [v]) params.push([`filter.${k}`, value]);
  }
  return params;
}
