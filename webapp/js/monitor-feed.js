// Glue for monitor.html and stats.html: signs an operator in, subscribes to /ws/monitor (server push only) and
// reconnects with full-jitter backoff, as switchboard.js does. The monitor and the marks need the role in
// switchboard.monitor.role (default 'admin'); the name and password are kept in this page's memory only (never
// stored) and every connection attempt fetches a fresh single-use ticket with them.
import { backoffDelay, endpointUrl, State } from './switchboard.js';

const $ = (id) => document.getElementById(id);
const basic = (name, password) => `Basic ${btoa(unescape(encodeURIComponent(`${name}:${password}`)))}`;

/**
 * Shows the sign-in card (#signin: #signinName, #signinPassword, #signinError) unless the surface is open to this
 * browser already (switchboard.monitor.role=*). Resolves to { headers, credentials } once signed in: headers for the
 * HTTP API (marks, admin), credentials() for the socket (a ticket per attempt, or none). {@code probe} is the URL
 * whose answer decides (the admin page asks api/admin/rooms), {@code role} the setting named when refused.
 */
export async function signInOperator({ probe = 'api/stats', role = 'switchboard.monitor.role', what = 'an operator' } = {}) {
  const open = await fetch(probe).then((r) => r.ok, () => false);
  if (open) return { headers: {}, credentials: null };
  const card = $('signin');
  card.hidden = false;
  $('state').textContent = 'signed out';
  $('state').className = 'badge closed';
  $('signinName').focus();
  return new Promise((resolve) => {
    card.addEventListener('submit', async (event) => {
      event.preventDefault();
      const name = $('signinName').value.trim();
      const authorization = basic(name, $('signinPassword').value);
      const check = await fetch(probe, { headers: { Authorization: authorization } }).catch(() => null);
      if (!check || !check.ok) {
        $('signinError').textContent = !check ? 'the server cannot be reached'
          : check.status === 401 ? 'wrong name or password'
            : check.status === 403 ? `${name} is not ${what} (needs the role in ${role})`
              : `the server answered ${check.status}`;
        return;
      }
      $('signinPassword').value = '';
      $('signinError').textContent = '';
      card.hidden = true;
      const headers = { Authorization: authorization };
      const credentials = () => fetch('api/tickets', { method: 'POST', headers })
        .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
        .then((t) => `ticket.${t.ticket}`);
      resolve({ headers, credentials });
    });
  });
}

export function subscribeMonitor({ onFrame, onState, credentials }) {
  let attempt = 0;
  let socket = null;
  let stopped = false;
  const retry = () => {
    if (stopped) return onState(State.CLOSED);
    onState(State.RECONNECTING);
    setTimeout(open, backoffDelay(attempt++, 500, 15000));
  };
  const open = () => {
    onState(attempt === 0 ? State.CONNECTING : State.RECONNECTING);
    Promise.resolve(credentials ? credentials() : null).then((credential) => {
      // the server selects switchboard.v1; the ticket rides along as a second subprotocol
      socket = credential ? new WebSocket(endpointUrl('ws/monitor'), ['switchboard.v1', credential])
        : new WebSocket(endpointUrl('ws/monitor'));
      socket.onopen = () => { attempt = 0; onState(State.OPEN); };
      socket.onmessage = (event) => {
        try {
          onFrame(JSON.parse(event.data));
        } catch {
          // the server only sends JSON objects
        }
      };
      socket.onclose = retry;
    }, retry);
  };
  open();
  return () => { stopped = true; socket?.close(1000); };
}
