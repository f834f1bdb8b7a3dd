// Webhooks: the session's deliveries from GET /_mock/webhooks, newest first,
// each with its event, link, URL, final status and every attempt; a details
// pane shows the body and the headers sent, and a button redelivers it through
// POST /_mock/webhooks/{id}/redeliver. With none yet, an empty state says what
// will appear here.
import * as api from './api.js';
import {h, problem, statusBadge, fmtTime, ready} from './dom.js';

const statusClass = {delivered: 's2xx', pending: 's3xx', failed: 's5xx', dropped: 's4xx'};

export default function webhooks({main}) {
  const ctl = new AbortController();
  const body = h('div', null, h('p', {class: 'muted', role: 'status'}, 'Loading…'));
  const details = h('aside', {class: 'card details', id: 'webhook-details', 'aria-live': 'polite'},
    h('p', {class: 'muted'}, 'Pick a delivery to see its body, headers and attempts.'));
  const refresh = h('button', {type: 'button', id: 'webhooks-refresh', onclick: () => load()}, 'Refresh');
  main.append(h('div', {class: 'title-row'}, h('h1', null, 'Webhooks'), refresh), body);
  load();

  async function load() {
    let r;
    try {
      r = await api.json('/_mock/webhooks', {signal: ctl.signal});
    } catch (e) {
      if (!ctl.signal.aborted) body.replaceChildren(h('p', {class: 'error'}, String(e.message)));
      return;
    }
    if (ctl.signal.aborted) return;
    const list = r.ok && r.data && Array.isArray(r.data.deliveries) ? r.data.deliveries : null;
    if (r.status === 404 || (r.ok && (!list || list.length === 0))) {
      body.replaceChildren(h('div', {class: 'empty', id: 'webhooks-empty'},
        h('h2', null, 'No webhook deliveries'),
        h('p', null, 'Webhook deliveries appear here once webhooks are configured: give a link a webhook ',
          '(PATCH /links/{id}, a link session, a scenario or --webhook-url), then refresh it or send a test webhook.')));
    } else if (!r.ok) {
      body.replaceChildren(problem(r));
    } else {
      const rows = list.slice().reverse().map(d => h('tr', {dataset: {id: d.id}},
        h('td', {class: 'mono small', title: d.created}, fmtTime(d.created).slice(11)),
        h('td', {class: 'full'}, h('button', {type: 'button', class: 'linklike mono', 'aria-label': `Details of delivery ${d.id}`,
          onclick: () => show(d)}, d.event + (d.state ? ` ${d.state}` : ''))),
        h('td', {class: 'mono small'}, d.link_id),
        h('td', null, h('span', {class: `status ${statusClass[d.status] || ''}`}, d.status)),
        h('td', {class: 'small', 'data-label': 'attempts'}, (d.attempts || []).map(a => a.status ? statusBadge(a.status) : h('span', {class: 'status s5xx', title: a.error}, 'err'))),
        h('td', {class: 'small mono', 'data-label': 'url'}, d.url)));
      body.replaceChildren(h('div', {class: 'split requests'},
        h('div', {class: 'table-wrap'}, h('table', {id: 'deliveries', class: 'stack'},
          h('caption', {class: 'visually-hidden'}, 'Webhook deliveries, newest first'),
          h('thead', null, h('tr', null, ['time', 'event', 'link', 'status', 'attempts', 'url'].map(c => h('th', {scope: 'col'}, c)))),
          h('tbody', null, rows))),
        details));
    }
    ready(main);
  }

  function show(d) {
    const attempts = (d.attempts || []).map(a => h('tr', null,
      h('td', {class: 'num'}, String(a.number)),
      h('td', null, a.status ? statusBadge(a.status) : h('span', {class: 'error'}, a.error || '')),
      h('td', {class: 'num small'}, `${(a.latency_ns / 1e6).toFixed(1)} ms`)));
    const headers = Object.entries((d.attempts && d.attempts[0] && d.attempts[0].headers) || {}).map(([k, v]) =>
      h('tr', null, h('th', {scope: 'row', class: 'mono small'}, k), h('td', {class: 'mono small'}, v)));
    const redeliver = h('button', {type: 'button', id: 'redeliver', onclick: async () => {
      const r = await api.json(`/_mock/webhooks/${encodeURIComponent(d.id)}/redeliver`, {method: 'POST'});
      if (r.ok) load(); else details.append(problem(r));
    }}, 'Redeliver');
    details.replaceChildren(
      h('h2', null, h('span', {class: 'mono'}, d.event), ' ', h('span', {class: `status ${statusClass[d.status] || ''}`}, d.status)),
      h('p', {class: 'small mono'}, `${d.id} → ${d.url}`),
      d.error ? h('p', {class: 'error'}, d.error) : '',
      h('h3', null, 'Attempts'),
      h('table', {class: 'headers'}, h('tbody', null, attempts)),
      h('h3', null, 'Body'),
      h('pre', {class: 'json'}, JSON.stringify(d.body, null, 2)),
      h('h3', null, 'Headers sent'),
      h('table', {class: 'headers'}, h('tbody', null, headers)),
      h('div', {class: 'actions'}, redeliver));
  }
  return () => ctl.abort();
}
