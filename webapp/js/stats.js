// Glue for stats.html: counters pushed once a second by /ws/monitor, drawn as tiles and a line chart.
import { signInOperator, subscribeMonitor } from './monitor-feed.js';

const $ = (id) => document.getElementById(id);
const WINDOW = 120;
const series = { out: [], in: [], connections: [] };
let previous = null;

const operator = await signInOperator();
subscribeMonitor({
  credentials: operator.credentials,
  onState: (state) => { $('state').textContent = state; $('state').className = `badge ${state}`; },
  onFrame: (frame) => {
    if (frame.type !== 'stats') return;
    if (previous) {
      const seconds = Math.max(0.001, (frame.ts - previous.ts) / 1000);
      const inRate = Math.max(0, (frame.messagesIn - previous.messagesIn) / seconds);
      const outRate = Math.max(0, (frame.messagesOut - previous.messagesOut) / seconds);
      push(series.in, inRate);
      push(series.out, outRate);
      push(series.connections, frame.connections);
      $('inRate').textContent = format(inRate);
      $('outRate').textContent = format(outRate);
      draw();
    }
    $('connections').textContent = format(frame.connections);
    $('rooms').textContent = format(frame.rooms);
    $('dropped').textContent = format(frame.dropped + frame.slowConsumerCloses);
    $('queued').textContent = format(frame.queuedMessages);
    $('sendP99').textContent = frame.sendP99Micros >= 1000 ? `${format(frame.sendP99Micros / 1000)} ms` : `${format(frame.sendP99Micros)} µs`;
    $('cluster').textContent = frame.cluster === 'memory' ? 'one node' : `${frame.cluster} · ${format(frame.nodes)} nodes`;
    previous = frame;
  },
});

function push(values, value) {
  values.push(value);
  if (values.length > WINDOW) values.shift();
}

function format(n) {
  return n >= 10000 ? `${(n / 1000).toFixed(1)}k` : String(Math.round(n));
}

function draw() {
  const canvas = $('chart');
  const ctx = canvas.getContext('2d');
  const w = canvas.width;
  const h = canvas.height;
  const pad = { l: 48, r: 12, t: 12, b: 24 };
  ctx.clearRect(0, 0, w, h);
  const max = Math.max(1, ...series.out, ...series.in, ...series.connections);
  const top = niceCeiling(max);
  ctx.strokeStyle = '#e2e8f0';
  ctx.fillStyle = '#64748b';
  ctx.font = '12px system-ui, sans-serif';
  ctx.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = pad.t + ((h - pad.t - pad.b) * i) / 4;
    ctx.beginPath();
    ctx.moveTo(pad.l, y);
    ctx.lineTo(w - pad.r, y);
    ctx.stroke();
    ctx.fillText(format(top - (top * i) / 4), 4, y + 4);
  }
  ctx.fillText('now', w - pad.r - 24, h - 6);
  ctx.fillText(`-${WINDOW}s`, pad.l, h - 6);
  line(ctx, series.out, '#2563eb', top, w, h, pad);
  line(ctx, series.in, '#16a34a', top, w, h, pad);
  line(ctx, series.connections, '#d97706', top, w, h, pad);
  canvas.dataset.points = String(series.out.length);
  canvas.dataset.maxOut = String(Math.round(Math.max(0, ...series.out)));
}

function line(ctx, values, color, top, w, h, pad) {
  if (values.length < 2) return;
  const step = (w - pad.l - pad.r) / (WINDOW - 1);
  const x0 = w - pad.r - step * (values.length - 1);
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.beginPath();
  values.forEach((v, i) => {
    const x = x0 + step * i;
    const y = h - pad.b - (v / top) * (h - pad.t - pad.b);
    if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  });
  ctx.stroke();
}

function niceCeiling(n) {
  const magnitude = 10 ** Math.floor(Math.log10(n));
  for (const f of [1, 2, 5, 10]) if (n <= f * magnitude) return f * magnitude;
  return 10 * magnitude;
}
