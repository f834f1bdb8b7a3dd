// Links: the catalogue of magic link IDs and personas (GET /_mock/scenarios),
// and one link as people see it (GET /links/{id}/identity) beside its JSON.
import * as api from './api.js';
import {h, statusBadge, copyButton, problem, fmtTime, ready} from './dom.js';
import {href} from './nav.js';

export default function links({main, rest}) {
  const ctl = new AbortController();
  if (rest.length > 0) showLink(main, rest.join('/'), ctl.signal);
  else showCatalogue(main, ctl.signal);
  return () => ctl.abort();
}

// example is a link ID a simple trailing-* glob matches, to open with one click.
function example(pattern) {
  const stem = pattern.slice(0, -1);
  return pattern.endsWith('*') && !/[*?[\]\\]/.test(stem) ? stem + 'example' : null;
}

function openForm() {
  const input = h('input', {id: 'open-link', name: 'link', required: true, placeholder: 'mk_anything', spellcheck: 'false', autocomplete: 'off'});
  return h('form', {class: 'inline', onsubmit: e => {
    e.preventDefault();
    location.hash = href('links', [input.value.trim()]);
  }}, h('label', {for: 'open-link'}, 'Open any link ID'), input, h('button', {type: 'submit'}, 'Open'));
}

async function showCatalogue(main, signal) {
  const status = h('p', {class: 'muted', role: 'status'}, 'Loading the catalogue…');
  main.append(h('h1', null, 'Links'),
    h('p', {class: 'lede'}, 'Every link ID works: its data comes from the seed and the ID. These IDs answer in special ways.'),
    openForm(), status);
  const r = await api.json('/_mock/scenarios', {signal}).catch(e => ({error: e}));
  if (signal.aborted) return;
  if (r.error || !r.ok) {
    status.replaceWith(r.error ? h('p', {class: 'error'}, String(r.error.message)) : problem(r));
    return;
  }
  const rows = r.data.scenarios.map(e => {
    const ex = e.match === 'exact' ? e.pattern : example(e.pattern);
    return h('tr', {dataset: {pattern: e.pattern}},
      h('td', null, e.match === 'exact'
        ? h('a', {href: href('links', [e.pattern]), class: 'mono'}, e.pattern)
        : h('span', null, h('code', null, e.pattern), ex && [' ', h('a', {href: href('links', [ex]), class: 'small-link', 'aria-label': `Open ${ex}`}, 'open an example')])),
      h('td', null, statusBadge(e.error ? e.error.status : 200), e.error ? [' ', h('code', {class: 'code'}, e.error.error_code)] : null),
      h('td', {class: 'full'}, e.summary),
      h('td', {class: 'muted small full'}, e.source));
  });
  // Any ID without a scenario answers with generated data; mk_demo is the usual one.
  rows.unshift(h('tr', {dataset: {pattern: 'mk_demo'}},
    h('td', null, h('a', {href: href('links', ['mk_demo']), class: 'mono'}, 'mk_demo')),
    h('td', null, statusBadge(200)),
    h('td', {class: 'full'}, 'success, generated from the seed and the ID (as is any ID not listed here)'),
    h('td', {class: 'muted small full'}, 'no scenario')));
  status.replaceWith(h('div', {class: 'table-wrap'},
    h('table', {id: 'catalogue', class: 'stack'},
      h('caption', {class: 'visually-hidden'}, 'Scenario catalogue'),
      h('thead', null, h('tr', null, h('th', {scope: 'col'}, 'Link ID'), h('th', {scope: 'col'}, 'Answers'), h('th', {scope: 'col'}, 'What happens'), h('th', {scope: 'col'}, 'Written in'))),
      h('tbody', null, rows))));
  ready(main);
}

function money(v, currency) {
  if (v == null) return '—';
  try {
    return new Intl.NumberFormat('en-US', {style: 'currency', currency: currency || 'USD'}).format(v);
  } catch {
    return `${v} ${currency || ''}`.trim();
  }
}

function primaryTag(x) {
  return x.primary ? h('span', {class: 'tag'}, 'primary') : null;
}

function address(a) {
  const line2 = [a.city, [a.region, a.postal_code].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  return h('li', null, h('span', null, a.street || ''), line2 ? [h('br'), line2] : null, a.country ? [h('br'), a.country] : null, ' ', primaryTag(a));
}

// owners lists each distinct owner once, with the accounts they hold.
function owners(accounts) {
  const seen = new Map();
  for (const acc of accounts) {
    for (const o of acc.owners || []) {
      const key = JSON.stringify(o);
      if (!seen.has(key)) seen.set(key, {owner: o, accounts: []});
      seen.get(key).accounts.push(acc.name || acc.account_id);
    }
  }
  return [...seen.values()].map(({owner: o, accounts: names}) => h('article', {class: 'owner'},
    h('h4', {class: 'owner-name'}, (o.names || []).join(' · ') || '(no name)'),
    h('p', {class: 'muted small'}, 'Holds: ', names.join(', ')),
    h('dl', null,
      h('dt', null, 'Addresses'), h('dd', null, o.addresses?.length ? h('ul', {class: 'plain'}, o.addresses.map(address)) : 'none'),
      h('dt', null, 'Phones'), h('dd', null, o.phone_numbers?.length ? h('ul', {class: 'plain'}, o.phone_numbers.map(p => h('li', null, h('span', {class: 'mono'}, p.number), p.type ? ` (${p.type})` : '', ' ', primaryTag(p)))) : 'none'),
      h('dt', null, 'Emails'), h('dd', null, o.emails?.length ? h('ul', {class: 'plain'}, o.emails.map(m => h('li', null, m.address, ' ', primaryTag(m)))) : 'none'))));
}

function rendered(d) {
  const link = d.link || {};
  const accounts = d.accounts || [];
  const identity = link.products?.identity;
  return h('div', {class: 'rendered'},
    h('div', {class: 'institution'},
      link.institution_avatar ? h('img', {src: link.institution_avatar, alt: '', width: 48, height: 48, class: 'avatar'}) : null,
      h('div', null,
        h('h3', {class: 'inst-name'}, link.institution_name || link.institution_id || 'Institution'),
        h('p', {class: 'muted small'}, `state ${link.state || '?'}`, link.error_code ? ` · ${link.error_code}` : '',
          identity ? ` · identity refreshed ${fmtTime(identity.refreshed_at)}` : ''))),
    h('h4', null, `Accounts (${accounts.length})`),
    accounts.length === 0 ? h('p', {class: 'muted'}, 'This link has no accounts.') :
      h('div', {class: 'table-wrap'}, h('table', {class: 'accounts stack'},
        h('thead', null, h('tr', null, ['Account', 'Type', 'Current', 'Available', 'Limit'].map(t => h('th', {scope: 'col'}, t)))),
        h('tbody', null, accounts.map(a => h('tr', null,
          h('td', {class: 'full'}, a.nickname || a.name, a.account_mask ? h('span', {class: 'muted'}, ` ••${a.account_mask}`) : null, a.closed ? h('span', {class: 'tag'}, 'closed') : null),
          h('td', {class: 'small full'}, a.account_type),
          h('td', {class: 'num', 'data-label': 'current'}, money(a.balances?.current, a.balances?.currency)),
          h('td', {class: 'num', 'data-label': 'available'}, money(a.balances?.available, a.balances?.currency)),
          h('td', {class: 'num', 'data-label': 'limit'}, money(a.balances?.limit, a.balances?.currency))))))),
    accounts.length > 0 ? [h('h4', null, 'Owners'), h('div', {class: 'owners'}, owners(accounts))] : null);
}

async function showLink(main, id, signal) {
  const path = `/links/${encodeURIComponent(id)}/identity`;
  const body = h('div', {class: 'split'}, h('p', {class: 'muted', role: 'status'}, `Loading ${id}…`));
  main.append(h('p', null, h('a', {href: href('links')}, '← Catalogue')),
    h('h1', null, h('span', {class: 'mono', id: 'link-id'}, id)), body);
  let r;
  let curl;
  try {
    [r, curl] = await Promise.all([api.json(path, {signal}), api.curlData(path)]);
  } catch (e) {
    if (!signal.aborted) body.replaceChildren(h('p', {class: 'error'}, String(e.message)));
    return;
  }
  if (signal.aborted) return;
  const pretty = r.data ? JSON.stringify(r.data, null, 2) : r.text;
  body.replaceChildren(
    h('section', {class: 'card', 'aria-labelledby': 'as-seen'}, h('h2', {id: 'as-seen'}, 'As people see it'),
      r.ok ? rendered(r.data) : problem(r)),
    h('section', {class: 'card', 'aria-labelledby': 'raw'},
      h('h2', {id: 'raw'}, 'The answer ', statusBadge(r.status)),
      h('div', {class: 'row'}, h('code', {class: 'curl', id: 'curl-line'}, curl), copyButton(() => curl, 'Copy curl')),
      h('pre', {class: 'json', id: 'raw-json', tabindex: '0'}, pretty),
      h('div', {class: 'row'}, copyButton(() => pretty, 'Copy JSON'))));
  ready(main);
}

