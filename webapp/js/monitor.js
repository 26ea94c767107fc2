// Glue for monitor.html: the server's log, live. Every field is rendered with textContent, never as HTML.
import { signInOperator, subscribeMonitor } from './monitor-feed.js';

const $ = (id) => document.getElementById(id);
const LEVELS = { SEVERE: 1000, WARNING: 900, INFO: 800, CONFIG: 700, FINE: 500, FINER: 400, FINEST: 300 };
const MAX_LINES = 2000;
let paused = false;
let held = [];

const operator = await signInOperator();
subscribeMonitor({
  credentials: operator.credentials,
  onState: (state) => { $('state').textContent = state; $('state').className = `badge ${state}`; },
  onFrame: (frame) => {
    if (frame.type !== 'log') return;
    if (paused) {
      held.push(frame);
      $('held').textContent = `${held.length} new lines held`;
    } else {
      show(frame);
    }
  },
});

function show(frame) {
  const line = document.createElement('div');
  line.className = `line ${frame.level}`;
  line.dataset.level = String(LEVELS[frame.level] ?? 800);
  const t = document.createElement('span');
  t.className = 't';
  t.textContent = `${new Date(frame.ts).toLocaleTimeString()} `;
  const lv = document.createElement('span');
  lv.className = 'lv';
  lv.textContent = frame.level;
  const src = document.createElement('span');
  src.className = 'src';
  src.textContent = `${(frame.logger || '').split('.').pop()}: `;
  const text = document.createElement('span');
  text.className = 'text';
  text.textContent = frame.message;
  line.append(t, lv, src, text);
  line.hidden = Number(line.dataset.level) < Number($('level').value);
  const log = $('log');
  const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 40;
  log.append(line);
  while (log.childElementCount > MAX_LINES) log.firstElementChild.remove();
  if (atBottom) log.scrollTop = log.scrollHeight;
}

$('level').addEventListener('change', () => {
  const min = Number($('level').value);
  for (const line of $('log').children) line.hidden = Number(line.dataset.level) < min;
});
$('pause').addEventListener('click', () => {
  paused = !paused;
  $('pause').textContent = paused ? 'Resume' : 'Pause';
  if (!paused) {
    held.forEach(show);
    held = [];
    $('held').textContent = '';
  }
});
$('clear').addEventListener('click', () => $('log').replaceChildren());
$('markForm').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('mark').value.trim();
  if (!text) return;
  const response = await fetch('api/monitor/marks', { method: 'POST', headers: { ...operator.headers, 'Content-Type': 'text/plain' }, body: text });
  if (response.ok) $('mark').value = '';
});
