// The Server-Sent Events fallback: the client falls back when WebSocket cannot connect, receives over an EventSource
// (recovering every room from its position on a reconnect), and publishes over the HTTP API. Fakes: EventSource, fetch.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { connect, State } from '../switchboard.js';
import { settle } from './fake-socket.js';

class FakeEventSource {
  static all = [];

  static last() {
    return FakeEventSource.all[FakeEventSource.all.length - 1];
  }

  constructor(url) {
    this.url = new URL(url);
    this.listeners = new Map();
    this.closed = false;
    FakeEventSource.all.push(this);
  }

  addEventListener(type, listener) {
    this.listeners.set(type, listener);
  }

  close() {
    this.closed = true;
  }

  // the server's side
  open(welcome = {}) {
    this.onopen?.({});
    this.deliver({ type: 'welcome', session: 's1', user: 'ada', heartbeatMs: 0, protocol: 'switchboard.v1', ...welcome });
  }

  deliver(message) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  end(code, reason) {
    this.listeners.get('close')?.({ data: JSON.stringify({ type: 'close', code, reason }) });
  }

  fail() {
    this.onerror?.({});
  }
}

class BlockedWebSocket {
  constructor() {
    throw new Error('WebSocket is blocked here');
  }
}

beforeEach(() => {
  FakeEventSource.all = [];
});

function timers(t) {
  try {
    t.mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  } catch {
    t.mock.timers.enable(['setTimeout', 'setInterval']);
  }
  return t.mock.timers;
}

test('blocked WebSocket: falls back to SSE, says so, joins over the stream, recovers from positions, publishes over HTTP', async (t) => {
  const clock = timers(t);
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url: new URL(url), init });
    return { ok: true, status: 202, json: async () => ({ room: 'prices', epoch: 'e1', offset: 5 }) };
  };
  const client = connect('ws://127.0.0.1:8080/app/ws', {
    WebSocket: BlockedWebSocket, EventSource: FakeEventSource, fetch, fallbackAfterAttempts: 2,
    reconnectInitialDelayMs: 100, credentials: () => 'bearer.tok',
  });
  const transports = [];
  client.on('transport', (e) => transports.push(e.transport));
  const room = client.join('prices');
  const got = [];
  room.on('message', (m) => got.push(m.offset));
  for (let i = 0; i < 4 && FakeEventSource.all.length === 0; i++) { // two WebSocket attempts fail, then the fallback
    await settle();
    clock.tick(30000); // past any backoff
    await settle();
  }
  assert.deepEqual(transports, ['sse']);
  assert.equal(client.transport, 'sse');
  const stream = FakeEventSource.last();
  assert.equal(stream.url.pathname, '/app/sse');
  assert.deepEqual(stream.url.searchParams.getAll('room'), ['prices']);
  assert.equal(stream.url.searchParams.get('access_token'), 'tok', 'EventSource sends no headers: the bearer in the query');
  stream.open();
  assert.equal(client.state, State.OPEN);
  stream.deliver({ type: 'joined', room: 'prices', epoch: 'e1', offset: 3, presence: [] });
  await room.ready;
  stream.deliver({ type: 'message', room: 'prices', epoch: 'e1', offset: 4, ts: 1, data: 1.08 });
  assert.deepEqual(got, [4]);

  const ack = await client.publish('prices', 1.09, { tags: { symbol: 'EURUSD' } });
  assert.deepEqual({ room: ack.room, offset: ack.offset }, { room: 'prices', offset: 5 }, 'acked as over the socket');
  const post = calls[0];
  assert.equal(post.init.method, 'POST');
  assert.equal(post.url.pathname, '/app/api/rooms/messages');
  assert.equal(post.url.searchParams.get('room'), 'prices');
  assert.equal(post.url.searchParams.get('tag.symbol'), 'EURUSD');
  assert.equal(post.init.headers.Authorization, 'Bearer tok');
  assert.ok(post.init.headers['Idempotency-Key'], 'the publish key: a retry lands once');

  stream.fail(); // the stream broke: the client's own backoff, a fresh credential, every room from its position
  assert.equal(client.state, State.RECONNECTING);
  clock.tick(30000);
  await settle();
  const again = FakeEventSource.last();
  assert.notEqual(again, stream);
  assert.equal(again.url.searchParams.get('since'), 'prices~e1~4');
  again.open();
  const second = client.join('news'); // a new room: the stream is opened again with both
  const reopened = FakeEventSource.last();
  assert.deepEqual(reopened.url.searchParams.getAll('room'), ['prices', 'news']);
  assert.ok(again.closed, 'the old stream is closed');
  reopened.onopen?.({});
  reopened.deliver({ type: 'joined', room: 'news', epoch: 'n1', offset: 0, presence: [] });
  await second.ready;
  reopened.end(4403, 'forbidden');
  assert.equal(client.state, State.CLOSED, 'a close code that forbids reconnecting ends it, as on the socket');
});

test('over the stream, a room joined with a filter gets only what matches', async (t) => {
  const clock = timers(t);
  const client = connect('ws://127.0.0.1:8080/ws', {
    WebSocket: BlockedWebSocket, EventSource: FakeEventSource, fetch: async () => ({}), fallbackAfterAttempts: 1,
    reconnectInitialDelayMs: 100,
  });
  const room = client.join('prices', { filter: { symbol: ['EURUSD'] } });
  const got = [];
  room.on('message', (m) => got.push(m.data));
  await settle();
  clock.tick(30000);
  await settle();
  const stream = FakeEventSource.last();
  stream.open();
  stream.deliver({ type: 'joined', room: 'prices', epoch: 'e1', offset: 0, presence: [] });
  await room.ready;
  stream.deliver({ type: 'message', room: 'prices', epoch: 'e1', offset: 1, ts: 1, data: 'gbp', tags: { symbol: 'GBPUSD' } });
  stream.deliver({ type: 'message', room: 'prices', epoch: 'e1', offset: 2, ts: 1, data: 'eur', tags: { symbol: 'EURUSD' } });
  stream.deliver({ type: 'message', room: 'prices', epoch: 'e1', offset: 3, ts: 1, data: 'none' });
  assert.deepEqual(got, ['eur']);
  stream.fail();
  clock.tick(30000);
  await settle();
  // the room's position is what it received: the unmatched one after it is sent again, and dropped again
  assert.equal(FakeEventSource.last().url.searchParams.get('since'), 'prices~e1~2');
  client.close();
});

test('an HTTP refusal answers the publish with its code; what SSE cannot carry is refused as unsupported', async (t) => {
  const clock = timers(t);
  const fetch = async () => ({ ok: false, status: 401, json: async () => ({ code: 'unauthenticated', message: 'sign in' }) });
  const client = connect('ws://127.0.0.1:8080/ws', {
    WebSocket: BlockedWebSocket, EventSource: FakeEventSource, fetch, fallbackAfterAttempts: 1, reconnectInitialDelayMs: 100,
  });
  await settle();
  clock.tick(30000);
  await settle();
  FakeEventSource.last().open();
  await assert.rejects(client.publish('demo:x', 1), (e) => e.code === 'unauthenticated');
  await assert.rejects(client.request('time'), (e) => e.code === 'unsupported');
  client.close();
});

test('with the fallback off, a blocked WebSocket keeps retrying over WebSocket only', async (t) => {
  const clock = timers(t);
  const client = connect('ws://127.0.0.1:8080/ws', {
    WebSocket: BlockedWebSocket, EventSource: FakeEventSource, fallback: false, reconnectInitialDelayMs: 100,
  });
  for (let i = 0; i < 4; i++) {
    await settle();
    clock.tick(30000);
  }
  assert.equal(FakeEventSource.all.length, 0);
  assert.equal(client.transport, 'websocket');
  client.close();
});
