// Glue for chat.html: everything real-time is in switchboard.js. User-supplied text is only ever set as textContent.
import { connect, State } from './switchboard.js';

const $ = (id) => document.getElementById(id);
let client = null;
const names = new Map(); // user id -> chosen display name, learned from messages
let room = null;
let myName = localStorage.getItem('switchboard.name') || '';
$('name').value = myName;

/**
 * Connects as a guest, or, with a password, as a signed-in user: each connection attempt fetches a single-use
 * ticket with the name and password (never stored) and offers it in the handshake.
 */
function start(name, password) {
  if (client) client.close();
  const credentials = password
    ? () => fetch('api/tickets', { method: 'POST', headers: { Authorization: `Basic ${btoa(unescape(encodeURIComponent(`${name}:${password}`)))}` } })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.status === 401 ? 'wrong name or password' : `HTTP ${r.status}`))))
      .then((t) => `ticket.${t.ticket}`)
      .catch((e) => { system(`Sign-in failed: ${e.message}`); throw e; })
    : undefined;
  client = connect('ws', { credentials });
  client.on('statechange', onState);
  client.on('open', () => { if (room) system(`Connected as ${client.user}.`); });
  client.on('transport', () => system('WebSocket cannot connect from here: receiving over Server-Sent Events instead'
    + ' (sending needs a signed-in user).'));
}

function onState({ to }) {
  const badge = $('state');
  badge.textContent = client.transport === 'sse' ? `${to} (SSE fallback)` : to;
  badge.className = `badge ${to}`;
  if (to === State.RECONNECTING) system('Connection lost — reconnecting…');
  if (to === State.CLOSED) system('Disconnected.');
  const usable = room !== null && to !== State.CLOSED;
  $('text').disabled = !usable;
  $('send').disabled = !usable;
}

$('join').addEventListener('submit', (event) => {
  event.preventDefault();
  myName = $('name').value.trim();
  localStorage.setItem('switchboard.name', myName);
  const name = $('room').value.trim();
  const password = $('password').value;
  $('password').value = '';
  if (!client || password) {
    room = null;
    start(myName, password);
  } else if (room && room.name === name) {
    return;
  } else if (room) {
    room.leave().catch(() => {});
  }
  $('messages').replaceChildren();
  $('people').replaceChildren();
  enter(name);
});

function enter(name) {
  room = client.join(name);
  $('where').textContent = `in #${name}`;
  $('text').disabled = false;
  $('send').disabled = false;
  room.on('joined', ({ recovered }) => {
    if (recovered === true) system('Reconnected — caught up on everything missed.');
    if (recovered === false) system('Reconnected — some history was too old to recover.');
    room.publish({ kind: 'hello', name: myName }).catch(() => {});
  });
  room.on('message', ({ data, from, ts }) => {
    if (data && typeof data === 'object' && typeof data.name === 'string' && from) names.set(from, data.name);
    if (data && data.kind === 'chat') bubble(data, from, ts);
    renderPeople(room.members);
  });
  room.on('presence', (members) => renderPeople(members));
  room.on('reset', () => system('History was lost on the server; showing new messages from now.'));
  room.on('removed', () => {
    system('An administrator removed you from this room. Join it again to come back.');
    $('text').disabled = true;
    $('send').disabled = true;
    $('where').textContent = `removed from #${name}`;
    renderPeople(new Map());
  });
  room.ready.catch((e) => system(`Cannot enter #${name}: ${e.code}${e.code === 'forbidden' ? ' (sign in with a password?)' : ''}`));
  client.on('error', (e) => system(`${e.code}: ${e.message}`));
  $('text').focus();
}

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('text').value.trim();
  if (!text || !room) return;
  $('text').value = '';
  try {
    await room.publish({ kind: 'chat', name: myName, text });
  } catch (e) {
    system(`Not sent (${e.code}): ${text}`);
  }
});

function bubble(data, from, ts) {
  const el = document.createElement('div');
  el.className = from === client.user ? 'msg mine' : 'msg';
  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = String(data.name || from || 'server');
  const when = document.createElement('span');
  when.className = 'when';
  when.textContent = new Date(ts).toLocaleTimeString();
  const text = document.createElement('div');
  text.className = 'text';
  text.textContent = String(data.text ?? '');
  el.append(who, when, text);
  append(el);
}

function system(text) {
  const el = document.createElement('div');
  el.className = 'msg system';
  el.textContent = text;
  append(el);
}

function append(el) {
  const list = $('messages');
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 40;
  list.append(el);
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function renderPeople(members) {
  const items = [...members.keys()].sort().map((user) => {
    const li = document.createElement('li');
    const label = document.createElement('span');
    const dot = document.createElement('span');
    dot.className = 'dot';
    label.append(dot, document.createTextNode(names.get(user) || user));
    if (user === client.user) label.append(document.createTextNode(' (you)'));
    li.append(label);
    return li;
  });
  $('people').replaceChildren(...items);
  $('count').textContent = `(${members.size})`;
}

if (myName) {
  start(myName, '');
  enter($('room').value.trim());
}
