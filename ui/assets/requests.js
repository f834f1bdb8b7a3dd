// Requests: the live journal, pushed by GET /_mock/requests/stream
// (server-sent events, read with fetch so that the admin token and the
// session can go in headers), filtered by link, status class and session.
import * as api from './api.js';
import {h, statusBadge, copyButton, shq, fmtTime, sleep, ready} from './dom.js';
import {replaceParams} from './nav.js';

const maxRows = 500;

export default function requests({main, params}) {
  const ctl = new AbortController();
  const filters = {link: params.get('link') || '', status: params.get('status') || '', session: params.get('session') || ''};
  const state = h('span', {id: 'stream-state', class: 'pill', dataset: {state: 'connecting'}, role: 'status'}, 'connecting…');
  const tbody = h('tbody');
  const empty = h('p', {class: 'muted', id: 'requests-empty'}, 'No requests yet. Call the mock, e.g. ',
    h('code', null, `curl -H 'Authorization: Bearer sandbox-token' ${location.origin}/links/mk_demo/identity`));
  const details = h('aside', {class: 'card details', id: 'request-details', 'aria-live': 'polite'},
    h('p', {class: 'muted'}, 'Pick a request to see its headers and a curl line.'));

  const link = h('input', {id: 'f-link', name: 'link', value: filters.link, placeholder: 'any', spellcheck: 'false', autocomplete: 'off'});
  const status = h('select', {id: 'f-status', name: 'status'},
    [['', 'any'], ['2xx', '2xx'], ['3xx', '3xx'], ['4xx', '4xx'], ['5xx', '5xx']].map(([v, t]) => h('option', {value: v}, t)));
  status.value = /^[2-5]xx$/.test(filters.status) ? filters.status : '';
  const sess = h('input', {id: 'f-session', name: 'session', value: filters.session, placeholder: 'viewed session', spellcheck: 'false', autocomplete: 'off'});
  const form = h('form', {class: 'filters', autocomplete: 'off'},
    h('div', null, h('label', {for: 'f-link'}, 'Link'), link),
    h('div', null, h('label', {for: 'f-status'}, 'Status'), status),
    h('div', null, h('label', {for: 'f-session'}, 'Session (* for all)'), sess),
    h('div', {class: 'end'}, h('button', {type: 'submit'}, 'Apply'), h('button', {type: 'button', onclick: () => {
      link.value = ''; status.value = ''; sess.value = '';
      apply();
    }}, 'Clear')));

  main.append(h('div', {class: 'title-row'}, h('h1', null, 'Requests'), state), form,
    h('div', {class: 'split requests'}, h('div', null, empty, h('div', {class: 'table-wrap'},
      h('table', {id: 'journal', class: 'stack'}, h('caption', {class: 'visually-hidden'}, 'Request journal, newest first'),
        h('thead', null, h('tr', null, ['Time', 'Method', 'Path', 'Link', 'Status', 'Scenario', 'Latency', 'Session'].map(t => h('th', {scope: 'col'}, t)))),
        tbody))), details));

  let streamCtl = null;
  function apply() {
    filters.link = link.value.trim();
    filters.status = status.value;
    filters.session = sess.value.trim();
    replaceParams({link: filters.link, status: filters.status, session: filters.session});
    start();
  }
  form.addEventListener('submit', e => { e.preventDefault(); apply(); });
  status.addEventListener('change', apply);

  function setState(s, text) {
    state.dataset.state = s;
    state.textContent = text;
  }

  function add(e) {
    empty.hidden = true;
    const row = h('tr', {dataset: {seq: e.seq, link: e.link_id || '', status: e.status}},
      h('td', {class: 'mono small', title: e.time}, fmtTime(e.time).slice(11)),
      h('td', {class: 'mono'}, e.method),
      h('td', {class: 'full'}, h('button', {type: 'button', class: 'linklike mono', 'aria-label': `Details of ${e.method} ${e.path}`,
        onclick: () => show(e, row)}, e.path + (Object.keys(e.query || {}).length ? '?…' : ''))),
      h('td', {class: 'mono small'}, e.link_id || ''),
      h('td', null, statusBadge(e.status)),
      h('td', {class: 'small', 'data-label': e.scenario ? 'scenario' : null}, e.scenario || ''),
      h('td', {class: 'num small'}, `${e.duration_ms.toFixed(e.duration_ms < 1 ? 2 : 1)} ms`),
      h('td', {class: 'small', 'data-label': 'session'}, e.session || 'default'));
    tbody.prepend(row);
    while (tbody.rows.length > maxRows) tbody.lastElementChild.remove();
  }

  function show(e, row) {
    for (const r of tbody.querySelectorAll('tr[aria-selected]')) r.removeAttribute('aria-selected');
    row.setAttribute('aria-selected', 'true');
    const curl = curlOf(e);
    const qs = new URLSearchParams();
    for (const [k, vs] of Object.entries(e.query || {})) for (const v of vs) qs.append(k, v);
    details.replaceChildren(
      h('h2', null, h('span', {class: 'mono'}, `${e.method} ${e.path}`), ' ', statusBadge(e.status)),
      h('dl', {class: 'facts'},
        h('dt', null, 'Seq'), h('dd', null, String(e.seq)),
        h('dt', null, 'Time'), h('dd', {class: 'mono small'}, e.time),
        h('dt', null, 'Session'), h('dd', null, e.session || 'default'),
        h('dt', null, 'Link'), h('dd', {class: 'mono'}, e.link_id || '—'),
        h('dt', null, 'Scenario'), h('dd', null, e.scenario || '—'),
        h('dt', null, 'Latency'), h('dd', null, `${e.duration_ms} ms`),
        qs.toString() ? [h('dt', null, 'Query'), h('dd', {class: 'mono small'}, qs.toString())] : null),
      h('h3', null, 'Headers'),
      h('p', {class: 'muted small'}, 'Credentials are redacted by the server.'),
      h('div', {class: 'table-wrap'}, h('table', {class: 'headers'}, h('tbody', null,
        Object.keys(e.headers || {}).sort().map(k => h('tr', null, h('th', {scope: 'row', class: 'mono small'}, k), h('td', {class: 'mono small'}, e.headers[k])))))),
      h('h3', null, 'As cURL'),
      h('pre', {class: 'curl', id: 'details-curl', tabindex: '0'}, curl),
      h('div', {class: 'row'}, copyButton(() => curl, 'Copy as cURL')));
    // On a phone the pane is below the list: bring it into view.
    if (matchMedia('(max-width: 760px)').matches) details.scrollIntoView({block: 'start'});
  }

  async function run(signal) {
    const qs = new URLSearchParams({limit: '200'});
    for (const k of ['link', 'status', 'session']) if (filters[k]) qs.set(k, filters[k]);
    let last = null;
    while (!signal.aborted) {
      try {
        const res = await api.call('/_mock/requests/stream?' + qs, {signal, headers: last ? {'Last-Event-ID': last} : {}});
        if (!res.ok) {
          const text = await res.text();
          let msg = `${res.status}`;
          try { msg += ' ' + JSON.parse(text).error_message; } catch { /* not JSON */ }
          setState('error', `stream refused: ${msg}`);
          if (res.status >= 400 && res.status < 500) return; // a bad filter: retrying will not help
        } else {
          setState('live', 'live');
          ready(main);
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          let buf = '';
          for (;;) {
            const {value, done} = await reader.read();
            if (done) break;
            buf += value;
            let i;
            while ((i = buf.indexOf('\n\n')) >= 0) {
              const block = buf.slice(0, i);
              buf = buf.slice(i + 2);
              let id = null;
              let data = '';
              for (const line of block.split('\n')) {
                if (line.startsWith('id: ')) id = line.slice(4);
                else if (line.startsWith('data: ')) data += line.slice(6);
              }
              if (data) {
                add(JSON.parse(data));
                if (id) last = id;
              }
            }
          }
        }
      } catch (err) {
        if (signal.aborted) return;
        setState('error', `disconnected (${err.message}); reconnecting…`);
      }
      if (signal.aborted) return;
      if (state.dataset.state === 'live') setState('connecting', 'reconnecting…');
      await sleep(1000, signal);
    }
  }

  function start() {
    if (streamCtl) streamCtl.abort();
    streamCtl = new AbortController();
    ctl.signal.addEventListener('abort', () => streamCtl.abort(), {once: true});
    tbody.replaceChildren();
    empty.hidden = false;
    setState('connecting', 'connecting…');
    run(streamCtl.signal);
  }
  start();
  return () => ctl.abort();
}

// curlOf rebuilds a journaled request as a curl line. Secrets were redacted
// by the server, so they become shell variables to fill in; the journal does
// not keep bodies.
function curlOf(e) {
  const skip = new Set(['Host', 'Content-Length', 'Connection', 'Accept-Encoding', 'User-Agent']);
  const parts = ['curl'];
  if (e.method !== 'GET') parts.push('-X', e.method);
  for (const k of Object.keys(e.headers || {}).sort()) {
    if (skip.has(k)) continue;
    const v = e.headers[k];
    if (v.includes('[redacted]')) {
      const name = k === 'Authorization' ? 'TOKEN' : k.toUpperCase().replace(/[^A-Z0-9]/g, '_');
      parts.push('-H', `"${k}: ${v.replace('[redacted]', '$' + name)}"`);
    } else parts.push('-H', shq(`${k}: ${v}`));
  }
  const qs = new URLSearchParams();
  for (const [k, vs] of Object.entries(e.query || {})) for (const v of vs) qs.append(k, v);
  parts.push(shq(location.origin + e.path + (qs.toString() ? '?' + qs : '')));
  return parts.join(' ');
}
