// Glue for admin.html: the admin API (docs/PROTOCOL.md "Admin API"), polled every two seconds. Needs the role in
// switchboard.auth.admin-role; the password stays in this page's memory. Every name shown comes from users: it is set
// as text, never as HTML.
import { signInOperator } from './monitor-feed.js';

const $ = (id) => document.getElementById(id);
const POLL_MS = 2000;

const admin = await signInOperator({ probe: 'api/admin/rooms', role: 'switchboard.auth.admin-role', what: 'an administrator' });
const call = (method, url) => fetch(url, { method, headers: admin.headers }).then(async (r) => {
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new Error(body?.message ?? `HTTP ${r.status}`);
  return body;
});
const q = (params) => new URLSearchParams(params).toString();
const cell = (text, className) => {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
};
const button = (label, action, secondary = true) => {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (secondary) b.className = 'secondary small';
  b.addEventListener('click', action);
  return b;
};
const notice = (text) => { $('notice').textContent = text; };
const bytes = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

let draining = false;
let shownUser = null;

async function refresh() {
  try {
    const [rooms, health] = await Promise.all([call('GET', 'api/admin/rooms'),
      fetch('api/health/ready', { headers: admin.headers }).then((r) => r.json())]);
    $('state').textContent = 'open';
    $('state').className = 'badge open';
    $('node').textContent = rooms.node;
    draining = health.checks.some((c) => c.name === 'switchboard-engine' && c.status === 'DOWN');
    $('ready').textContent = health.status === 'UP' ? 'ready' : draining ? 'draining' : 'not ready';
    $('ready').className = `badge ${health.status === 'UP' ? 'open' : 'closed'}`;
    $('drain').textContent = draining ? 'Take connections again' : 'Drain this node';
    $('drain').disabled = false;
    showRooms(rooms.rooms);
    if (shownUser) await showUser(shownUser);
  } catch (e) {
    $('state').textContent = 'unreachable';
    $('state').className = 'badge closed';
    notice(e.message);
  }
}

function showRooms(rooms) {
  const body = $('rooms').tBodies[0];
  body.replaceChildren(...rooms.map((room) => {
    const tr = document.createElement('tr');
    tr.dataset.room = room.room;
    const members = document.createElement('td');
    members.className = 'members';
    for (const m of room.members) {
      const tag = document.createElement('span');
      tag.className = 'member';
      tag.dataset.user = m.user;
      tag.textContent = m.connections > 1 ? `${m.user} ×${m.connections}` : m.user;
      tag.append(button('remove', () => act('DELETE', `api/admin/room/members?${q({ room: room.room, user: m.user })}`,
        `${m.user} removed from ${room.room}`)));
      members.append(tag);
    }
    tr.append(cell(room.room, 'name'), cell(room.connections), members, cell(room.epoch, 'mono'), cell(room.offset),
      cell(`${room.historyMessages} · ${bytes(room.historyBytes)}`), cell(room.slowConsumer),
      (() => { const td = document.createElement('td'); td.append(button('Close room',
        () => act('DELETE', `api/admin/room?${q({ room: room.room })}`, `${room.room} closed`))); return td; })());
    return tr;
  }));
  $('noRooms').hidden = rooms.length > 0;
}

async function showUser(user) {
  const view = await call('GET', `api/admin/connections?${q({ user })}`);
  shownUser = user;
  $('disconnect').disabled = false;
  const nodes = Object.entries(view.byNode);
  $('byNode').textContent = nodes.length === 0 ? `${user} has no open connection.`
    : `${user}: ${nodes.map(([node, n]) => `${n} on ${node}${node === view.node ? ' (this node)' : ''}`).join(', ')}`
      + (view.clusterAnswered ? '' : ' — the cluster did not answer: other nodes unknown')
      + (view.unanswered.length ? ` — no answer in time from ${view.unanswered.join(', ')}` : '');
  $('connections').tBodies[0].replaceChildren(...view.connections.map((c) => {
    const tr = document.createElement('tr');
    tr.dataset.connection = c.id;
    tr.append(cell(c.node, 'mono'), cell(c.id, 'mono'), cell(c.endpoint), cell(c.rooms.join(', ')), cell(`${c.queued} / ${c.queueLimit}`),
      cell(c.state, `state ${c.state}`), cell(c.sent), cell(c.dropped), cell(`${c.openSeconds} s`));
    return tr;
  }));
}

async function act(method, url, done) {
  try {
    await call(method, url);
    notice(done);
  } catch (e) {
    notice(e.message);
  }
  await refresh();
}

$('drain').addEventListener('click', () => act(draining ? 'DELETE' : 'POST', 'api/admin/drain',
  draining ? 'taking connections again' : 'draining: new connections are refused (503)'));
$('lookup').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    await showUser($('user').value.trim());
    notice('');
  } catch (e) {
    notice(e.message);
  }
});
$('disconnect').addEventListener('click', () => act('DELETE', `api/users/${encodeURIComponent(shownUser)}/sessions`,
  `${shownUser} disconnected`));

await refresh();
setInterval(refresh, POLL_MS);
