// The client's behaviour against a fake socket, with Node's own test runner and mocked timers (no waiting).
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { backoffDelay, CloseCodes, connect, NO_RECONNECT, State } from '../switchboard.js';
import { FakeSocket, settle } from './fake-socket.js';

const URL = 'ws://127.0.0.1:8080/ws';

beforeEach(() => {
  FakeSocket.all = [];
});

/** Mocked setTimeout/setInterval (Node 20.4+; the argument's form changed in 20.11: both are accepted). */
function timers(t) {
  assert.ok(t.mock.timers, `Node ${process.version} has no mock timers: these tests need Node 20+`);
  try {
    t.mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  } catch {
    t.mock.timers.enable(['setTimeout', 'setInterval']);
  }
  return t.mock.timers;
}

function open(options = {}) {
  const client = connect(URL, { WebSocket: FakeSocket, ...options });
  return client;
}

test('backoff: full jitter between 0 and a cap that doubles up to the maximum', () => {
  assert.equal(backoffDelay(0, 500, 30000, () => 0.999), 499);
  assert.equal(backoffDelay(1, 500, 30000, () => 0.999), 999);
  assert.equal(backoffDelay(5, 500, 30000, () => 0.999), 15984);
  assert.equal(backoffDelay(6, 500, 30000, () => 0.999), 29970, 'capped at reconnectMaxDelayMs');
  assert.equal(backoffDelay(1000, 500, 30000, () => 0.999), 29970, 'no overflow for a long outage');
  assert.equal(backoffDelay(3, 500, 30000, () => 0), 0);
  const delays = Array.from({ length: 1000 }, () => backoffDelay(4, 500, 30000));
  assert.ok(delays.every((d) => d >= 0 && d < 8000), 'within [0, 500 * 2^4)');
  assert.ok(new Set(delays).size > 500, 'spread out, not a herd: ' + new Set(delays).size + ' distinct of 1000');
});

test('the codes that forbid reconnecting leave the client closed; others reconnect', async (t) => {
  const clock = timers(t);
  // the protocol's list (docs/PROTOCOL.md), not the module's own: a code dropped from NO_RECONNECT must fail here
  const forbidding = [CloseCodes.NORMAL, CloseCodes.POLICY_VIOLATION, CloseCodes.UNAUTHENTICATED, CloseCodes.FORBIDDEN];
  assert.deepEqual([...NO_RECONNECT].sort(), [...forbidding].sort());
  for (const code of forbidding) {
    FakeSocket.all = [];
    const client = open();
    const closes = [];
    client.on('close', (e) => closes.push(e));
    FakeSocket.last().accept();
    FakeSocket.last().drop(code, 'go away');
    clock.tick(120000);
    await settle();
    assert.equal(client.state, State.CLOSED, `after ${code}`);
    assert.equal(FakeSocket.all.length, 1, `no second attempt after ${code}`);
    assert.deepEqual(closes, [{ code, reason: 'go away', willReconnect: false }]);
    await assert.rejects(client.publish('lobby', 1), { code: 'closed' });
  }
  for (const code of [1001, 1006, 1011, 1012, 1013, CloseCodes.CREDENTIALS_EXPIRED, CloseCodes.SLOW_CONSUMER]) {
    FakeSocket.all = [];
    const client = open({ reconnectInitialDelayMs: 500 });
    FakeSocket.last().accept();
    FakeSocket.last().drop(code);
    assert.equal(client.state, State.RECONNECTING, `after ${code}`);
    clock.tick(500);
    await settle();
    assert.equal(FakeSocket.all.length, 2, `a second attempt within the first backoff cap after ${code}`);
    client.close();
  }
});

test('a reconnect rejoins with since, recovers what was missed and drops duplicates', async (t) => {
  const clock = timers(t);
  const client = open();
  const room = client.join('lobby');
  const got = [];
  room.on('message', (m) => got.push(m.offset));
  const first = FakeSocket.last();
  first.accept();
  const join = first.sentOf('join')[0];
  assert.deepEqual({ room: join.room, since: join.since }, { room: 'lobby', since: undefined });
  first.deliver({ type: 'joined', re: join.id, room: 'lobby', epoch: 'e1', offset: 5, presence: [] });
  await room.ready;
  first.deliver({ type: 'message', room: 'lobby', epoch: 'e1', offset: 6, data: 'six', ts: 1 });
  first.drop(1006);
  clock.tick(30000);
  await settle();
  const second = FakeSocket.last();
  assert.notEqual(second, first, 'reconnected');
  second.accept();
  const rejoin = second.sentOf('join')[0];
  assert.deepEqual(rejoin.since, { epoch: 'e1', offset: 6 }, 'asks for what came after the last delivered');
  const recovered = [];
  room.on('joined', (e) => recovered.push(e.recovered));
  second.deliver({ type: 'joined', re: rejoin.id, room: 'lobby', epoch: 'e1', offset: 8, recovered: true, presence: [] });
  for (const offset of [6, 7, 8]) {
    second.deliver({ type: 'message', room: 'lobby', epoch: 'e1', offset, data: offset, ts: 2 });
  }
  assert.deepEqual(recovered, [true]);
  assert.deepEqual(got, [6, 7, 8], 'each once, in order');
  client.close();
});

test('a recovery the server cannot make is told as reset, from the current position', async (t) => {
  const clock = timers(t);
  const client = open();
  const room = client.join('lobby', { since: { epoch: 'old', offset: 3 } });
  const resets = [];
  room.on('reset', (e) => resets.push(e));
  FakeSocket.last().accept();
  const join = FakeSocket.last().sentOf('join')[0];
  assert.deepEqual(join.since, { epoch: 'old', offset: 3 });
  FakeSocket.last().deliver({ type: 'joined', re: join.id, room: 'lobby', epoch: 'new', offset: 40, recovered: false });
  await room.ready;
  assert.deepEqual(resets, [{ epoch: 'new', offset: 40 }]);
  assert.equal(room.offset, 40);
  clock.tick(0);
  client.close();
});

test('credentials are asked before every attempt and refreshed ahead of expiry without reconnecting', async (t) => {
  const clock = timers(t);
  let n = 0;
  const client = open({ credentials: () => `bearer.t${++n}` });
  const refreshed = [];
  client.on('refreshed', (e) => refreshed.push(e.expiresInMs));
  await settle();
  const socket = FakeSocket.last();
  assert.deepEqual(socket.protocols, ['switchboard.v1.batch', 'switchboard.v1', 'bearer.t1']);
  socket.accept({ expiresInMs: 20000 });
  clock.tick(14999);
  await settle();
  assert.equal(socket.sentOf('refresh').length, 0, 'not before 0.75 of the lifetime');
  clock.tick(1);
  await settle();
  await settle();
  const refresh = socket.sentOf('refresh')[0];
  assert.equal(refresh.credential, 'bearer.t2', 'a fresh credential');
  socket.deliver({ type: 'refreshed', re: refresh.id, expiresInMs: 20000 });
  await settle();
  assert.deepEqual(refreshed, [20000]);
  assert.equal(FakeSocket.all.length, 1, 'the same connection');
  assert.equal(client.state, State.OPEN);
  socket.drop(CloseCodes.CREDENTIALS_EXPIRED);
  clock.tick(30000);
  await settle();
  assert.equal(FakeSocket.all.length, 2, '4001 reconnects');
  assert.equal(FakeSocket.last().protocols.at(-1), 'bearer.t3', 'with a fresh credential');
  client.close();
});

test('publishes made while offline wait in a bounded queue and go out after the welcome', async (t) => {
  const clock = timers(t);
  const client = open({ offlineQueueSize: 2 });
  const first = client.publish('lobby', 'a');
  const second = client.publish('lobby', 'b');
  const third = client.publish('lobby', 'c');
  await assert.rejects(first, { code: 'offline_queue_full' }, 'the oldest is dropped beyond the bound');
  const socket = FakeSocket.last();
  socket.accept();
  const publishes = socket.sentOf('publish');
  assert.deepEqual(publishes.map((p) => p.data), ['b', 'c'], 'in order');
  assert.ok(publishes.every((p) => typeof p.key === 'string' && p.key.length > 8), 'each with an idempotency key');
  for (const [i, p] of publishes.entries()) {
    socket.deliver({ type: 'published', re: p.id, room: 'lobby', epoch: 'e', offset: 10 + i });
  }
  assert.equal((await second).offset, 10);
  assert.equal((await third).offset, 11);
  clock.tick(0);
  client.close();
});

test('a publish in flight when the connection drops is sent again with its key and resolves once', async (t) => {
  const clock = timers(t);
  const client = open();
  FakeSocket.last().accept();
  const ack = client.publish('lobby', 'once');
  const sent = FakeSocket.last().sentOf('publish')[0];
  FakeSocket.last().drop(1006);
  clock.tick(30000);
  await settle();
  FakeSocket.last().accept();
  const again = FakeSocket.last().sentOf('publish')[0];
  assert.equal(again.key, sent.key, 'the same key: the server publishes it once');
  FakeSocket.last().deliver({ type: 'published', re: again.id, room: 'lobby', epoch: 'e', offset: 7 });
  assert.equal((await ack).offset, 7);
  client.close();
});

test('a batch frame carries several messages, one per line, handled in order', async (t) => {
  timers(t);
  const client = open();
  const room = client.join('lobby');
  const got = [];
  room.on('message', (m) => got.push(m.data));
  const socket = FakeSocket.last();
  socket.accept();
  const join = socket.sentOf('join')[0];
  const lines = [
    { type: 'joined', re: join.id, room: 'lobby', epoch: 'e', offset: 0 },
    { type: 'message', room: 'lobby', epoch: 'e', offset: 1, data: 'one', ts: 1 },
    { type: 'message', room: 'lobby', epoch: 'e', offset: 2, data: 'two', ts: 1 },
  ];
  socket.deliver(lines.map((l) => JSON.stringify(l)).join('\n'));
  await room.ready;
  assert.deepEqual(got, ['one', 'two']);
  client.close();
});

test('a request without an answer fails with timeout; a late answer is ignored', async (t) => {
  const clock = timers(t);
  const client = open({ requestTimeoutMs: 1000 });
  FakeSocket.last().accept();
  const answer = client.request('slow', { n: 1 });
  const request = FakeSocket.last().sentOf('request')[0];
  assert.deepEqual({ method: request.method, data: request.data }, { method: 'slow', data: { n: 1 } });
  clock.tick(999);
  await settle();
  clock.tick(1);
  await assert.rejects(answer, { code: 'timeout' });
  const errors = [];
  client.on('error', (e) => errors.push(e));
  FakeSocket.last().deliver({ type: 'reply', re: request.id, data: 'late' });
  assert.deepEqual(errors, [], 'nothing to settle, nothing thrown');
  client.close();
});

test('an error answer rejects with the server code and details', async (t) => {
  timers(t);
  const client = open();
  FakeSocket.last().accept();
  const answer = client.publish('lobby', 'x');
  const p = FakeSocket.last().sentOf('publish')[0];
  FakeSocket.last().deliver({ type: 'error', re: p.id, code: 'forbidden', message: 'not yours', details: { room: 'lobby' } });
  await assert.rejects(answer, (e) => e.code === 'forbidden' && e.details.room === 'lobby');
  client.close();
});

test('close() ends for good: pending operations fail with closed, no reconnect', async (t) => {
  const clock = timers(t);
  const client = open();
  FakeSocket.last().accept();
  const pending = client.request('x');
  client.close();
  await assert.rejects(pending, { code: 'closed' });
  assert.deepEqual(FakeSocket.last().closedWith, { code: 1000, reason: 'bye' });
  clock.tick(120000);
  assert.equal(FakeSocket.all.length, 1);
  assert.equal(client.state, State.CLOSED);
});

test('an attempt that never opens, and whose socket never reports its close, is abandoned and retried', async (t) => {
  const clock = timers(t);
  const client = open({ connectTimeoutMs: 10000, reconnectInitialDelayMs: 500 });
  const first = FakeSocket.last();
  first.close = () => { first.readyState = 2; }; // as Node 20's WebSocket: no close event, ever
  clock.tick(9999);
  assert.equal(FakeSocket.all.length, 1, 'not abandoned before the timeout');
  clock.tick(1);
  await settle();
  assert.equal(client.state, State.RECONNECTING);
  clock.tick(500);
  await settle();
  assert.equal(FakeSocket.all.length, 2, 'another attempt after the backoff');
  FakeSocket.last().accept();
  await settle();
  assert.equal(client.state, State.OPEN);
  client.close();
});

test('a join with rewind gets the latest publications after joined, then live ones, none taken for a duplicate', async (t) => {
  timers(t);
  const client = open();
  const room = client.join('ticker:EURUSD', { rewind: 2 });
  const got = [];
  room.on('message', (m) => got.push(m.offset));
  const socket = FakeSocket.last();
  socket.accept();
  const join = socket.sentOf('join')[0];
  assert.equal(join.rewind, 2, 'asks for the latest two');
  assert.equal(join.since, undefined);
  socket.deliver({ type: 'joined', re: join.id, room: 'ticker:EURUSD', epoch: 'e1', offset: 9, presence: [] });
  await room.ready;
  for (const offset of [8, 9, 10]) {
    socket.deliver({ type: 'message', room: 'ticker:EURUSD', epoch: 'e1', offset, data: offset, ts: 1 });
  }
  socket.deliver({ type: 'message', room: 'ticker:EURUSD', epoch: 'e1', offset: 10, data: 10, ts: 1 });
  assert.deepEqual(got, [8, 9, 10], 'the rewound two, then the live one; its repeat dropped');
  client.close();
});

test('a filtered join sends its filter on every join, rewound matches are not duplicates, tags reach listeners', async (t) => {
  const clock = timers(t);
  const client = open({ reconnectInitialDelayMs: 100 });
  const room = client.join('prices', { rewind: 1, filter: { symbol: ['EURUSD', 'GBPUSD'] } });
  const got = [];
  room.on('message', (m) => got.push([m.offset, m.tags?.symbol]));
  let socket = FakeSocket.last();
  socket.accept();
  const join = socket.sentOf('join')[0];
  assert.deepEqual(join.filter, { symbol: ['EURUSD', 'GBPUSD'] });
  socket.deliver({ type: 'joined', re: join.id, room: 'prices', epoch: 'e1', offset: 40, presence: [] });
  await room.ready;
  // the latest match is far older than offset 40 - rewind: it is still delivered
  socket.deliver({ type: 'message', room: 'prices', epoch: 'e1', offset: 12, data: 1.08, ts: 1, tags: { symbol: 'EURUSD' } });
  socket.deliver({ type: 'message', room: 'prices', epoch: 'e1', offset: 41, data: 1.27, ts: 2, tags: { symbol: 'GBPUSD' } });
  assert.deepEqual(got, [[12, 'EURUSD'], [41, 'GBPUSD']]);
  const published = client.publish('prices', 1.09, { tags: { symbol: 'EURUSD' } });
  const publish = socket.sentOf('publish')[0];
  assert.deepEqual(publish.tags, { symbol: 'EURUSD' });
  socket.deliver({ type: 'ack', re: publish.id, room: 'prices', offset: 42 });
  await published;
  socket.drop(1006);
  clock.tick(100);
  socket = FakeSocket.last();
  socket.accept();
  const rejoin = socket.sentOf('join')[0];
  assert.deepEqual(rejoin.filter, { symbol: ['EURUSD', 'GBPUSD'] }, 'the filter is kept across reconnects');
  assert.deepEqual(rejoin.since, { epoch: 'e1', offset: 41 });
  const page = client.history('prices', { filter: { symbol: 'EURUSD' } });
  assert.deepEqual(socket.sentOf('history')[0].filter, { symbol: 'EURUSD' });
  socket.deliver({ type: 'history', re: socket.sentOf('history')[0].id, room: 'prices', epoch: 'e1', offset: 42, publications: [] });
  await page;
  client.close();
});

test('history asks for a page and resolves with it; an error rejects with the code', async (t) => {
  timers(t);
  const client = open();
  const socket = FakeSocket.last();
  socket.accept();
  const page = client.history('chat:lobby', { limit: 2, since: { epoch: 'e1', offset: 3 }, reverse: true });
  const asked = socket.sentOf('history')[0];
  assert.deepEqual({ room: asked.room, limit: asked.limit, since: asked.since, reverse: asked.reverse },
    { room: 'chat:lobby', limit: 2, since: { epoch: 'e1', offset: 3 }, reverse: true });
  const publications = [{ offset: 6, ts: 2, data: 'six' }, { offset: 5, ts: 1, from: 'ada', data: 'five' }];
  socket.deliver({ type: 'history', re: asked.id, room: 'chat:lobby', epoch: 'e1', offset: 6, recovered: true, publications });
  assert.deepEqual(await page, { room: 'chat:lobby', epoch: 'e1', offset: 6, recovered: true, publications });
  const refused = client.history('secret');
  const second = socket.sentOf('history')[1];
  socket.deliver({ type: 'error', re: second.id, code: 'forbidden', message: 'no' });
  await assert.rejects(refused, (e) => e.code === 'forbidden');
  client.close();
});

test('occupancy asks for the counts of a room and resolves with them', async (t) => {
  timers(t);
  const client = open();
  const socket = FakeSocket.last();
  socket.accept();
  const counts = client.occupancy('stadium');
  const asked = socket.sentOf('occupancy')[0];
  assert.equal(asked.room, 'stadium');
  socket.deliver({ type: 'occupancy', re: asked.id, room: 'stadium', users: 12000, connections: 12500 });
  assert.deepEqual(await counts, { users: 12000, connections: 12500 });
  client.close();
});

test('a recoverable send goes to the personal stream and resolves with its offset; the stream is joined like a room', async (t) => {
  timers(t);
  const client = open();
  const socket = FakeSocket.last();
  socket.accept();
  const sent = client.send('ann', { text: 'kept' }, { recoverable: true });
  const asked = socket.sentOf('send')[0];
  assert.equal(asked.recoverable, true);
  socket.deliver({ type: 'ack', re: asked.id, room: 'user:ann', offset: 7 });
  assert.deepEqual(await sent, { room: 'user:ann', offset: 7 });
  const stream = client.joinPersonal('ada');
  const join = socket.sentOf('join')[0];
  assert.equal(join.room, 'user:ada');
  socket.deliver({ type: 'joined', re: join.id, room: 'user:ada', epoch: 'e', offset: 0, presence: [] });
  await stream.ready;
  const got = [];
  stream.on('message', (m) => got.push(m.data));
  socket.deliver({ type: 'message', room: 'user:ada', epoch: 'e', offset: 1, from: 'bob', data: 'hi', ts: 1 });
  assert.deepEqual(got, ['hi']);
  client.close();
});
