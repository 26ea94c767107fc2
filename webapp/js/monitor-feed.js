// Glue for monitor.html and stats.html: subscribes to /ws/monitor (server push only) and reconnects with
// full-jitter backoff, as switchboard.js does. Calls onFrame with each parsed frame and onState with the state.
import { backoffDelay, endpointUrl, State } from './switchboard.js';

export function subscribeMonitor({ onFrame, onState }) {
  let attempt = 0;
  let socket = null;
  let stopped = false;
  const open = () => {
    onState(attempt === 0 ? State.CONNECTING : State.RECONNECTING);
    socket = new WebSocket(endpointUrl('ws/monitor'));
    socket.onopen = () => { attempt = 0; onState(State.OPEN); };
    socket.onmessage = (event) => {
      try {
        onFrame(JSON.parse(event.data));
      } catch {
        // the server only sends JSON objects
      }
    };
    socket.onclose = () => {
      if (stopped) return onState(State.CLOSED);
      onState(State.RECONNECTING);
      setTimeout(open, backoffDelay(attempt++, 500, 15000));
    };
  };
  open();
  return () => { stopped = true; socket?.close(1000); };
}
