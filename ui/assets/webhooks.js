// Webhooks: deliveries from GET /_mock/webhooks, once the server has that API;
// until then (404) an empty state says what will appear here.
import * as api from './api.js';
import {h, problem, ready} from './dom.js';

export default function webhooks({main}) {
  const ctl = new AbortController();
  const body = h('div', null, h('p', {class: 'muted', role: 'status'}, 'Loading…'));
  main.append(h('h1', null, 'Webhooks'), body);
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
    const list = r.ok && (Array.isArray(r.data) ? r.data : r.data?.deliveries || r.data?.webhooks);
    if (r.status === 404 || (r.ok && (!list || list.length === 0))) {
      body.replaceChildren(h('div', {class: 'empty', id: 'webhooks-empty'},
        h('h2', null, 'No webhook deliveries'),
        h('p', null, 'Webhook deliveries appear here once webhooks are configured.')));
    } else if (!r.ok) {
      body.replaceChildren(problem(r));
    } else {
      body.replaceChildren(h('ul', {class: 'deliveries'}, list.map(d => h('li', {class: 'card'},
        h('pre', {class: 'json'}, JSON.stringify(d, null, 2))))));
    }
    ready(main);
  }
  return () => ctl.abort();
}
