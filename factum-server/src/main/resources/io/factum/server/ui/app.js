// Factum web UI: streams, a stream's events, a live tail of $all, projections and stats.
// Plain JavaScript against the HTTP API; no build step. User data is only ever set as text.
'use strict';

const app = document.getElementById('app');
let leavePage = () => {}; // cleanup of the current page (closes the live tail's connection)

// ---- helpers -------------------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function seg(s) {
  return encodeURIComponent(s).replace(/\./g, '%2E');
}

async function api(path, options) {
  const res = await fetch(path, options);
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = { error: 'invalid_response', message: text }; }
  if (!res.ok) {
    const err = new Error((body && body.message) || res.statusText);
    err.status = res.status;
    err.body = body;
    throw err;
  }
  return body;
}

function render(...nodes) {
  app.replaceChildren(...nodes.flat());
}

function errorBox(e) {
  return el('div', { class: 'error-box', 'data-test': 'error' }, e.message || String(e));
}

function time(iso) {
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString();
}

/** Pretty-printed JSON with light syntax colouring, built from text nodes only. */
function jsonView(value) {
  const pre = el('pre', { class: 'json' });
  const text = JSON.stringify(value, null, 2);
  const re = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
  let last = 0;
  for (let m; (m = re.exec(text));) {
    pre.append(text.slice(last, m.index));
    if (m[1]) {
      pre.append(el('span', { class: m[2] ? 'k' : 's' }, m[1]));
      if (m[2]) pre.append(m[2]);
    } else if (m[3]) {
      pre.append(el('span', { class: 'b' }, m[3]));
    } else {
      pre.append(el('span', { class: 'n' }, m[4]));
    }
    last = re.lastIndex;
  }
  pre.append(text.slice(last));
  return pre;
}

function streamLink(id) {
  return el('a', { class: 'stream', href: '#/stream/' + seg(id), 'data-test': 'stream-link' }, id);
}

// ---- Server-Sent Events over fetch (so any event type reaches us, and Last-Event-ID can be set) --

/**
 * Follows an event stream, reconnecting after a drop with Last-Event-ID so nothing is missed or
 * repeated. Calls onEvent(type, data, id) per event and onState('connecting' | 'live' | 'error').
 */
function follow(url, onEvent, onState) {
  const controller = new AbortController();
  let lastId = null;
  let stopped = false;

  async function connect() {
    while (!stopped) {
      onState('connecting');
      try {
        const headers = { Accept: 'text/event-stream' };
        if (lastId !== null) headers['Last-Event-ID'] = lastId;
        const res = await fetch(url, { headers, signal: controller.signal });
        if (!res.ok) throw new Error('HTTP ' + res.status + ': ' + (await res.text()));
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        read: for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            let type = 'message', data = '', id = null;
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) continue;
              const colon = line.indexOf(':');
              const field = colon < 0 ? line : line.slice(0, colon);
              const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
              if (field === 'event') type = val;
              else if (field === 'data') data = data ? data + '\n' + val : val;
              else if (field === 'id') id = val;
            }
            if (id !== null) lastId = id;
            if (type === '$checkpoint') {
              if (JSON.parse(data).live) onState('live');
            } else if (type === '$end') {
              break read; // the server is shutting down: reconnect after a pause
            } else if (data) {
              onEvent(type, JSON.parse(data), id);
            }
          }
        }
      } catch (e) {
        if (stopped) return;
        onState('error', e);
      }
      if (!stopped) await new Promise(r => setTimeout(r, 1000));
    }
  }
  connect();
  return () => { stopped = true; controller.abort(); };
}

// ---- pages ---------------------------------------------------------------------------------------

async function streamsPage(params) {
  const prefix = params.get('prefix') || '';
  const after = params.get('after') || '';
  const search = el('input', { type: 'search', id: 'stream-search', placeholder: 'Stream id prefix, e.g. Order-', value: prefix });
  const go = () => { location.hash = '#/streams?prefix=' + encodeURIComponent(search.value); };
  search.addEventListener('keydown', e => { if (e.key === 'Enter') go(); });
  const toolbar = el('div', { class: 'toolbar' }, search, el('button', { class: 'primary', onclick: go }, 'Search'));
  render(el('h1', {}, 'Streams'), toolbar, el('p', { class: 'muted' }, 'Loading…'));
  search.focus();
  try {
    const q = new URLSearchParams({ limit: '50' });
    if (prefix) q.set('prefix', prefix);
    if (after) q.set('after', after);
    const page = await api('/streams?' + q);
    const rows = page.streams.map(s => el('tr', { 'data-test': 'stream-row' },
      el('td', {}, streamLink(s.stream_id)),
      el('td', {}, s.category),
      el('td', { class: 'num' }, s.version),
      el('td', {}, s.last_event_type),
      el('td', { class: 'num' }, s.last_position),
      el('td', { class: 'muted' }, time(s.updated_at))));
    const table = page.streams.length === 0
      ? el('div', { class: 'empty' }, prefix ? 'No stream starts with "' + prefix + '".' : 'No streams yet. Append an event: curl -X POST localhost:2113/streams/Order-1 -d \'{"event_type":"OrderPlaced","data":{}}\'')
      : el('table', { id: 'streams-table' },
          el('thead', {}, el('tr', {}, el('th', {}, 'Stream'), el('th', {}, 'Category'), el('th', { class: 'num' }, 'Version'),
            el('th', {}, 'Last event'), el('th', { class: 'num' }, 'Position'), el('th', {}, 'Updated'))),
          el('tbody', {}, rows));
    const nav = el('div', { class: 'toolbar' });
    if (after) nav.append(el('button', { onclick: () => { location.hash = '#/streams?prefix=' + encodeURIComponent(prefix); } }, '« First page'));
    if (page.next_after) {
      nav.append(el('button', { id: 'next-page', onclick: () => { location.hash = '#/streams?prefix=' + encodeURIComponent(prefix) + '&after=' + encodeURIComponent(page.next_after); } }, 'Next page »'));
    }
    render(el('h1', {}, 'Streams', el('span', { class: 'sub' }, page.stream_count + ' in the store')), toolbar, table, nav);
  } catch (e) {
    render(el('h1', {}, 'Streams'), toolbar, errorBox(e));
  }
}

function eventCard(e) {
  return el('div', { class: 'event', 'data-test': 'event' },
    el('div', { class: 'head' },
      el('span', { class: 'type' }, e.event_type),
      el('span', { class: 'meta' }, 'version ' + e.version),
      el('span', { class: 'meta' }, 'position ' + e.global_position),
      el('span', { class: 'meta' }, 'schema v' + e.schema_version),
      el('span', { class: 'meta' }, time(e.created_at)),
      el('span', { class: 'meta mono' }, e.event_id)),
    el('div', { class: 'body' },
      el('div', {}, el('div', { class: 'label' }, 'data'),
        e.content_type === 'application/json' ? jsonView(e.data) : el('span', { class: 'muted' }, e.content_type + ', base64: ' + String(e.data).slice(0, 120))),
      el('div', {}, el('div', { class: 'label' }, 'metadata'), jsonView(e.metadata))));
}

async function streamPage(id, params) {
  const pageSize = 20;
  const from = params.get('from');
  const newestFirst = params.get('order') !== 'oldest';
  const title = el('h1', {}, 'Stream ', el('span', { class: 'mono', id: 'stream-title' }, id));
  render(title, el('p', { class: 'muted' }, 'Loading…'));
  try {
    const q = new URLSearchParams({ limit: String(pageSize), direction: newestFirst ? 'backward' : 'forward' });
    if (from) q.set('from', from);
    const page = await api('/streams/' + seg(id) + '?' + q);
    const versionInfo = await api('/streams/' + seg(id) + '/version');
    const events = page.events;
    const link = (f, order) => '#/stream/' + seg(id) + '?order=' + order + (f ? '&from=' + f : '');
    const nav = el('div', { class: 'toolbar' },
      el('button', { onclick: () => { location.hash = link(null, 'newest'); } }, 'Newest'),
      el('button', { onclick: () => { location.hash = link(null, 'oldest'); } }, 'Oldest'));
    if (events.length === pageSize) {
      const last = events[events.length - 1].version;
      const next = newestFirst ? last - 1 : last + 1;
      if (next >= 1) nav.append(el('button', { id: 'older-page', onclick: () => { location.hash = link(next, newestFirst ? 'newest' : 'oldest'); } }, newestFirst ? 'Older »' : 'Newer »'));
    }
    const snapshot = el('div');
    api('/streams/' + seg(id) + '/snapshot').then(s => {
      snapshot.append(el('details', {}, el('summary', {}, 'Snapshot at version ' + s.version + ' (' + s.snapshot_type + ' v' + s.schema_version + ')'), jsonView(s.data)));
    }).catch(() => {});
    render(el('h1', {}, 'Stream ', el('span', { class: 'mono', id: 'stream-title' }, id),
        el('span', { class: 'sub' }, 'version ' + versionInfo.version + ' · ' + (newestFirst ? 'newest first' : 'oldest first'))),
      nav, snapshot, el('div', { id: 'events' }, events.map(eventCard)), nav.cloneNode(false), appendForm(id));
  } catch (e) {
    render(title, errorBox(e.status === 404 ? new Error('Stream "' + id + '" does not exist.') : e));
  }
}

function appendForm(id) {
  const type = el('input', { type: 'text', id: 'append-type', placeholder: 'Event type, e.g. OrderShipped' });
  const data = el('textarea', { id: 'append-data' }, '{}');
  const status = el('span', { class: 'muted', id: 'append-status' });
  const send = async () => {
    try {
      const r = await api('/streams/' + seg(id), { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify([{ event_type: type.value, data: JSON.parse(data.value) }]) });
      status.textContent = 'Appended at version ' + r.last_version + '.';
      setTimeout(() => route(), 300);
    } catch (e) {
      status.textContent = e.message;
    }
  };
  return el('details', {}, el('summary', {}, 'Append an event to this stream'),
    el('div', { class: 'panel' }, el('div', { class: 'toolbar' }, type, el('button', { class: 'primary', onclick: send }, 'Append'), status), data));
}

function tailPage(params) {
  const category = params.get('category') || '';
  const list = el('div', { id: 'tail-list' }, el('div', { class: 'empty', id: 'tail-empty' }, 'Waiting for new events… append one and it appears here.'));
  const state = el('span', { class: 'pill connecting', id: 'tail-state' }, 'connecting');
  const count = el('span', { class: 'muted', id: 'tail-count' }, '0 events');
  const filter = el('input', { type: 'search', placeholder: 'Category filter, e.g. Order', value: category, id: 'tail-category' });
  filter.addEventListener('keydown', e => { if (e.key === 'Enter') location.hash = '#/tail?category=' + encodeURIComponent(filter.value); });
  let paused = false;
  const pause = el('button', { onclick: () => { paused = !paused; pause.textContent = paused ? 'Resume' : 'Pause'; } }, 'Pause');
  render(el('h1', {}, 'Live tail of $all'), el('div', { class: 'toolbar' }, state, count, filter, pause), list);

  let n = 0;
  const q = new URLSearchParams({ after: 'head' });
  if (category) q.set('category', category);
  const stop = follow('/subscribe/all?' + q, (type, e) => {
    n++;
    count.textContent = n + (n === 1 ? ' event' : ' events');
    if (paused) return;
    document.getElementById('tail-empty')?.remove();
    const row = el('div', { class: 'tail-event fresh', 'data-test': 'tail-event' },
      el('span', { class: 'pos' }, '#' + e.global_position),
      el('span', {}, streamLink(e.stream_id), el('span', { class: 'muted' }, ' @' + e.version)),
      el('span', { class: 'type' }, e.event_type),
      el('span', { class: 'data' }, JSON.stringify(e.data)));
    list.prepend(row);
    while (list.children.length > 500) list.lastChild.remove();
  }, (s, err) => {
    state.className = 'pill ' + s;
    state.textContent = s === 'error' ? 'reconnecting' : s;
    if (err) state.title = err.message;
  });
  leavePage = stop;
}

async function projectionsPage() {
  render(el('h1', {}, 'Projections and subscriptions'), el('p', { class: 'muted' }, 'Loading…'));
  try {
    const p = await api('/projections');
    const projections = el('table', { id: 'projections-table' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Projection'), el('th', {}, 'State'), el('th', { class: 'num' }, 'Position'),
        el('th', { class: 'num' }, 'Lag'), el('th', {}, 'Last error'), el('th', {}, ''))),
      el('tbody', {}, p.projections.map(x => el('tr', { 'data-test': 'projection-row' },
        el('td', { class: 'mono' }, x.name),
        el('td', {}, el('span', { class: 'pill ' + x.state }, x.state)),
        el('td', { class: 'num' }, x.position),
        el('td', { class: 'num' }, x.lag),
        el('td', {}, x.last_error ? x.last_error + (x.failed_event ? ' (event ' + x.failed_event.global_position + ' in ' + x.failed_event.stream_id + ')' : '') : ''),
        el('td', {}, el('button', { onclick: async () => {
          if (!confirm('Rebuild ' + x.name + ' from the first event?')) return;
          await api('/projections/' + seg(x.name) + '/reset', { method: 'POST' });
          projectionsPage();
        } }, 'Reset'))))));
    const subs = p.subscriptions.length === 0
      ? el('div', { class: 'empty' }, 'No named subscription has stored a checkpoint yet.')
      : el('table', { id: 'subscriptions-table' },
          el('thead', {}, el('tr', {}, el('th', {}, 'Subscription (checkpoint)'), el('th', { class: 'num' }, 'Position'), el('th', { class: 'num' }, 'Lag'))),
          el('tbody', {}, p.subscriptions.map(s => el('tr', {}, el('td', { class: 'mono' }, s.name), el('td', { class: 'num' }, s.position), el('td', { class: 'num' }, s.lag)))));
    render(el('h1', {}, 'Projections and subscriptions', el('span', { class: 'sub' }, 'head at position ' + p.head_position + ' · ' + p.live_streams + ' live event streams')),
      projections, el('h2', {}, 'Named subscriptions'), subs);
  } catch (e) {
    render(el('h1', {}, 'Projections'), errorBox(e));
  }
}

async function statsPage() {
  render(el('h1', {}, 'Stats'), el('p', { class: 'muted' }, 'Loading…'));
  try {
    const [s, info] = await Promise.all([api('/stats'), api('/info')]);
    const card = (label, value, id) => el('div', { class: 'card' }, el('div', { class: 'value', id }, value), el('div', { class: 'label' }, label));
    const counts = (title, map, id) => {
      const entries = Object.entries(map).sort((a, b) => b[1] - a[1]);
      const max = entries.length ? entries[0][1] : 1;
      const row = ([k, v]) => {
        const bar = el('div', { class: 'bar' }, el('span', { style: 'width:' + Math.max(1, Math.round(100 * v / max)) + '%' }));
        return el('tr', {}, el('td', { class: 'mono' }, k), el('td', { class: 'num' }, v), el('td', { style: 'width:45%' }, bar));
      };
      const table = entries.length === 0 ? el('div', { class: 'empty' }, 'None yet.') : el('table', { id }, el('tbody', {}, entries.map(row)));
      return [el('h2', {}, title), table];
    };
    render(el('h1', {}, 'Stats', el('span', { class: 'sub' }, info.storage + ' · Factum ' + info.version)),
      el('div', { class: 'cards' },
        card('events (head position)', s.head_position, 'stat-events'),
        card('streams', s.stream_count, 'stat-streams'),
        card('live event streams', s.live_streams, 'stat-live'),
        card('uptime', s.uptime_seconds + ' s', 'stat-uptime'),
        card('max event size', Math.round(info.limits.max_event_bytes / 1024) + ' KiB'),
        card('max append size', Math.round(info.limits.max_append_bytes / 1048576) + ' MiB')),
      counts('Event types', s.event_types, 'event-types-table'),
      counts('Categories', s.categories, 'categories-table'));
  } catch (e) {
    render(el('h1', {}, 'Stats'), errorBox(e));
  }
}

// ---- routing -------------------------------------------------------------------------------------

function route() {
  leavePage();
  leavePage = () => {};
  const hash = location.hash || '#/streams';
  const [path, query] = hash.slice(1).split('?');
  const params = new URLSearchParams(query || '');
  const page = path.split('/')[1] || 'streams';
  for (const a of document.querySelectorAll('header nav a')) {
    a.classList.toggle('active', a.dataset.page === page || (page === 'stream' && a.dataset.page === 'streams'));
  }
  if (page === 'stream') {
    streamPage(decodeURIComponent(path.slice('/stream/'.length)), params);
  } else if (page === 'tail') {
    tailPage(params);
  } else if (page === 'projections') {
    projectionsPage();
  } else if (page === 'stats') {
    statsPage();
  } else {
    streamsPage(params);
  }
}

window.addEventListener('hashchange', route);
api('/info').then(i => {
  document.getElementById('server-info').textContent = i.storage + ' · head ' + i.head_position + ' · v' + i.version;
}).catch(() => {});
route();
