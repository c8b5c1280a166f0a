// Entroca's live dashboard: polls /stats once a second and draws each port. No libraries, no
// external requests, so it works wherever the admin port is reachable.
'use strict';

const REFRESH_MS = 1000;
const HISTORY = 120;
const history = new Map(); // port index -> ops/s samples, oldest first

function formatCount(n) {
  if (n >= 1e9) return (n / 1e9).toFixed(2) + 'G';
  if (n >= 1e6) return (n / 1e6).toFixed(2) + 'M';
  if (n >= 1e4) return (n / 1e3).toFixed(1) + 'k';
  return String(Math.round(n));
}

function formatBytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
}

function formatNs(ns) {
  if (!ns) return '–';
  if (ns >= 1e6) return (ns / 1e6).toFixed(1) + ' ms';
  if (ns >= 1e3) return (ns / 1e3).toFixed(1) + ' µs';
  return ns + ' ns';
}

function percent(x) {
  return (100 * x).toFixed(1) + '%';
}

function portSection(index) {
  let section = document.querySelector(`.port[data-port="${index}"]`);
  if (!section) {
    section = document.getElementById('port-template').content.firstElementChild.cloneNode(true);
    section.dataset.port = index;
    section.querySelector('.index').textContent = index;
    // /stats lists ports in order, so appending keeps the page in port order.
    document.getElementById('ports').appendChild(section);
  }
  return section;
}

function set(section, selector, text, value) {
  const el = section.querySelector(selector);
  el.textContent = text;
  if (value !== undefined) el.dataset.value = value;
}

function drawSpark(canvas, samples) {
  const ctx = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  if (samples.length < 2) return;
  const max = Math.max(1, ...samples);
  ctx.strokeStyle = '#4fb3ff';
  ctx.lineWidth = 2;
  ctx.beginPath();
  samples.forEach((v, i) => {
    const x = (i / (HISTORY - 1)) * w;
    const y = h - 4 - (v / max) * (h - 8);
    if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  });
  ctx.stroke();
  ctx.fillStyle = '#7d8896';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'right';
  ctx.fillText('max ' + formatCount(max) + ' ops/s', w - 6, 13);
}

function drawTemperature(section, temperature) {
  const box = section.querySelector('.histogram');
  box.replaceChildren();
  section.querySelector('.temperature-label').textContent = temperature.buckets ? '(' + temperature.label + ')' : '';
  if (!temperature.buckets) {
    box.classList.add('unavailable');
    box.textContent = 'no temperatures: ' + temperature.label;
    return;
  }
  box.classList.remove('unavailable');
  const max = Math.max(1, ...temperature.buckets);
  temperature.buckets.forEach((count, i) => {
    const bar = document.createElement('div');
    const t = i / (temperature.buckets.length - 1);
    bar.style.height = (100 * count / max) + '%';
    bar.style.background = `hsl(${210 - 200 * t}, 80%, 55%)`;
    bar.title = `band ${i}: ${count} entries`;
    box.appendChild(bar);
  });
}

function drawHotKeys(section, hotKeys) {
  const body = section.querySelector('.hot-keys tbody');
  body.replaceChildren();
  for (const hot of hotKeys) {
    const row = document.createElement('tr');
    const key = document.createElement('td');
    key.className = 'key';
    key.textContent = hot.key;
    key.title = hot.key;
    const share = document.createElement('td');
    share.className = 'share';
    const bar = document.createElement('div');
    bar.className = 'share-bar';
    bar.style.width = Math.max(1, 100 * hot.share) + '%';
    share.appendChild(bar);
    const pct = document.createElement('td');
    pct.className = 'pct';
    pct.textContent = percent(hot.share);
    row.append(key, share, pct);
    body.appendChild(row);
  }
  if (hotKeys.length === 0) {
    const row = document.createElement('tr');
    const cell = document.createElement('td');
    cell.textContent = 'no keyed requests lately';
    row.appendChild(cell);
    body.appendChild(row);
  }
}

function render(stats) {
  const status = document.getElementById('status');
  status.dataset.ready = String(stats.ready);
  status.textContent = stats.ready ? 'ready' : 'not ready';
  let ops = 0, requests = 0, hits = 0, misses = 0, payload = 0, capacity = 0;
  for (const port of stats.ports) {
    ops += port.opsPerSecond;
    requests += port.requests;
    hits += port.hits;
    misses += port.misses;
    payload += port.payloadBytes;
    capacity += port.capacityBytes;
    const section = portSection(port.port);
    set(section, '.tcp', ':' + port.tcpPort);
    set(section, '.ops', formatCount(port.opsPerSecond), port.opsPerSecond);
    set(section, '.hit-ratio', port.hits + port.misses ? percent(port.hitRatio) : '–', port.hitRatio);
    set(section, '.items', formatCount(port.items), port.items);
    set(section, '.busy', percent(port.busyRatio), port.busyRatio);
    set(section, '.service', formatNs(port.serviceNs.p50) + ' / ' + formatNs(port.serviceNs.p99));
    set(section, '.mailbox', String(port.mailboxDepth), port.mailboxDepth);
    set(section, '.memory-text', formatBytes(port.payloadBytes) + ' payload, ' + formatBytes(port.allocatedBytes)
        + ' allocated of ' + formatBytes(port.capacityBytes));
    const cap = Math.max(1, port.capacityBytes);
    section.querySelector('.bar .allocated').style.width = (100 * port.allocatedBytes / cap) + '%';
    section.querySelector('.bar .payload').style.width = (100 * port.payloadBytes / cap) + '%';
    const samples = history.get(port.port) || [];
    samples.push(port.opsPerSecond);
    if (samples.length > HISTORY) samples.shift();
    history.set(port.port, samples);
    drawSpark(section.querySelector('.spark'), samples);
    drawTemperature(section, port.temperature);
    drawHotKeys(section, port.hotKeys);
  }
  set(document, '#total-ops', formatCount(ops), ops);
  set(document, '#total-requests', formatCount(requests), requests);
  set(document, '#total-hit-ratio', hits + misses ? percent(hits / (hits + misses)) : '–');
  set(document, '#total-memory', formatBytes(payload) + ' / ' + formatBytes(capacity));
  set(document, '#uptime', stats.uptimeSeconds + ' s');
}

async function refresh() {
  try {
    const response = await fetch('/stats', { cache: 'no-store' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    render(await response.json());
  } catch (e) {
    // The server is restarting or unreachable: say so on the page, keep polling.
    const status = document.getElementById('status');
    status.dataset.ready = 'false';
    status.textContent = 'unreachable (' + e.message + ')';
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

refresh();
