// Steer: change what the mock answers, all through the documented /_mock/
// API and the data API: run-time scenarios, minted links, the clock, product
// refreshes and resets, in the viewed session.
import * as api from './api.js';
import {h, problem, fmtTime, sleep, section, ready} from './dom.js';
import {href} from './nav.js';

const presets = {
  deleted: {error: 'deleted'},
  not_found: {error: 'not_found'},
  forbidden: {error: 'forbidden'},
  rate_limited: {error: 'rate_limited', retry_after: '5s'},
  bad_state: {error: 'bad_state', link_error_code: 'auth_expired'},
  unauthorized_access: {error: 'unauthorized_access'},
  flaky: {error: 'rate_limited', every: 3},
  slow: {delay: '1s'},
  no_accounts: {accounts: 0},
};

export default function steer({main}) {
  const ctl = new AbortController();
  const signal = ctl.signal;
  const sessionName = api.getSession() || 'default';
  main.append(h('h1', null, 'Steer'),
    h('p', {class: 'lede'}, 'Acting in session ', h('strong', null, sessionName),
      '. Pick another at the top; every action below is a call to the mock’s documented API.'),
    h('div', {class: 'grid'}, scenarioCard(), mintCard(), clockCard(signal), refreshCard(signal), resetCard()));
  ready(main);
  return () => ctl.abort();
}

function result(id) {
  return h('div', {class: 'result', id, role: 'status', 'aria-live': 'polite'});
}

function ok(el, ...children) {
  el.replaceChildren(h('p', {class: 'ok'}, ...children));
}

function fail(el, r) {
  el.replaceChildren(r instanceof Error ? h('p', {class: 'error'}, r.message) : problem(r));
}

function scenarioCard() {
  const link = h('input', {id: 'sc-link', name: 'link', required: true, value: 'mk_demo', spellcheck: 'false', autocomplete: 'off'});
  const preset = h('select', {id: 'sc-preset'}, h('option', {value: ''}, 'custom'),
    Object.keys(presets).map(k => h('option', {value: k}, k)));
  const body = h('textarea', {id: 'sc-body', name: 'entry', rows: 5, spellcheck: 'false'});
  body.value = JSON.stringify(presets.deleted);
  preset.value = 'deleted';
  preset.addEventListener('change', () => { if (preset.value) body.value = JSON.stringify(presets[preset.value]); });
  body.addEventListener('input', () => { preset.value = ''; });
  const out = result('sc-result');
  const path = () => '/_mock/scenarios/' + encodeURIComponent(link.value.trim());
  const set = async e => {
    e.preventDefault();
    try {
      const r = await api.json(path(), {method: 'PUT', body: body.value});
      if (!r.ok) return fail(out, r);
      ok(out, 'Set: ', h('code', null, r.data.pattern), ' now answers “', r.data.summary, '”. ',
        h('a', {href: href('links', [link.value.trim()])}, 'Open it'));
    } catch (err) {
      fail(out, err);
    }
  };
  const clearIt = async () => {
    if (!link.reportValidity()) return;
    try {
      const r = await api.json(path(), {method: 'DELETE'});
      if (!r.ok) return fail(out, r);
      ok(out, 'Cleared the run-time scenario of ', h('code', null, link.value.trim()), '.');
    } catch (err) {
      fail(out, err);
    }
  };
  return section('Scenario for a link',
    h('p', {class: 'muted small'}, 'PUT or DELETE /_mock/scenarios/{link}, with the scenario file’s keys as JSON.'),
    h('form', {id: 'scenario-form', onsubmit: set},
      h('label', {for: 'sc-link'}, 'Link ID'), link,
      h('label', {for: 'sc-preset'}, 'Preset'), preset,
      h('label', {for: 'sc-body'}, 'Entry (JSON)'), body,
      h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary', id: 'sc-set'}, 'Set scenario'),
        h('button', {type: 'button', id: 'sc-clear', onclick: clearIt}, 'Clear'))),
    out);
}

function mintCard() {
  const persona = h('select', {id: 'mint-fixture'}, h('option', {value: ''}, '(none: generated people)'));
  api.info().then(i => {
    for (const p of i.personas || []) persona.append(h('option', {value: p}, p));
  }).catch(() => {});
  const out = result('mint-result');
  const mint = async e => {
    e.preventDefault();
    try {
      const r = await api.json('/_mock/links', {method: 'POST', body: persona.value ? {fixture: persona.value} : {}});
      if (!r.ok) return fail(out, r);
      ok(out, 'Minted ', h('a', {href: href('links', [r.data.link_id]), class: 'mono', id: 'minted-link'}, r.data.link_id),
        ` at ${r.data.link.institution_name}.`);
      const refreshLink = document.getElementById('rf-link');
      if (refreshLink) refreshLink.value = r.data.link_id;
    } catch (err) {
      fail(out, err);
    }
  };
  return section('Mint a link',
    h('p', {class: 'muted small'}, 'POST /_mock/links, optionally with a persona.'),
    h('form', {id: 'mint-form', onsubmit: mint},
      h('label', {for: 'mint-fixture'}, 'Persona'), persona,
      h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, 'Mint link'))),
    out);
}

function clockCard(signal) {
  const now = h('output', {id: 'clock-now', class: 'mono'}, '…');
  const pinned = h('span', {id: 'clock-pinned', class: 'tag'}, '…');
  const pinBtn = h('button', {type: 'button', id: 'clock-pin'}, 'Pin');
  const advance = h('input', {id: 'clock-advance', name: 'advance', value: '1h', required: true, size: 8, spellcheck: 'false', autocomplete: 'off'});
  const at = h('input', {id: 'clock-at', name: 'now', placeholder: '2025-06-01T00:00:00Z', size: 24, spellcheck: 'false', autocomplete: 'off'});
  const out = result('clock-result');
  let isPinned = false;
  const show = v => {
    now.textContent = fmtTime(v.now);
    isPinned = v.pinned;
    pinned.textContent = v.pinned ? 'pinned' : 'running';
    pinBtn.textContent = v.pinned ? 'Un-pin (let it run)' : 'Pin (stop it here)';
  };
  // A read that overlapped a move (started before it ended, or ended after
  // it started) may hold the clock as it was, and must not undo what the
  // move showed.
  let moves = 0, inflight = 0;
  const post = async (body, what) => {
    moves++;
    inflight++;
    try {
      const r = await api.json('/_mock/clock', {method: 'POST', body});
      if (!r.ok) return fail(out, r);
      show(r.data);
      ok(out, what, ': now ', fmtTime(r.data.now), '.');
    } catch (err) {
      fail(out, err);
    } finally {
      inflight--;
    }
  };
  // The button toggles what the page last showed, so a second click before
  // the first one's answer would send the same value again: it waits.
  pinBtn.addEventListener('click', () => {
    if (inflight === 0) post({pinned: !isPinned}, isPinned ? 'Un-pinned' : 'Pinned');
  });
  (async () => {
    // A running clock is shown ticking: read it now and then.
    while (!signal.aborted) {
      try {
        const before = moves, busy = inflight;
        const r = await api.json('/_mock/clock', {signal});
        if (r.ok && before === moves && busy === 0 && inflight === 0) show(r.data);
      } catch {
        if (signal.aborted) return;
      }
      await sleep(isPinned ? 5000 : 1000, signal);
    }
  })();
  return section('Clock',
    h('p', {class: 'muted small'}, 'GET and POST /_mock/clock: one clock for every session.'),
    h('p', {class: 'clock'}, now, ' ', pinned, ' ', pinBtn),
    h('form', {id: 'clock-advance-form', class: 'inline', onsubmit: e => { e.preventDefault(); post({advance: advance.value.trim()}, 'Advanced'); }},
      h('label', {for: 'clock-advance'}, 'Advance by'), advance, h('button', {type: 'submit', id: 'clock-advance-btn'}, 'Advance')),
    h('form', {id: 'clock-set-form', class: 'inline', onsubmit: e => { e.preventDefault(); post({now: at.value.trim()}, 'Set'); }},
      h('label', {for: 'clock-at'}, 'Set to'), at, h('button', {type: 'submit'}, 'Set')),
    out);
}

function refreshCard(signal) {
  const link = h('input', {id: 'rf-link', name: 'link', required: true, value: 'mk_demo', spellcheck: 'false', autocomplete: 'off'});
  const out = result('rf-result');
  let watching = null;
  const start = async e => {
    e.preventDefault();
    const id = link.value.trim();
    const path = `/links/${encodeURIComponent(id)}`;
    if (watching) watching.abort();
    watching = new AbortController();
    const w = watching.signal;
    signal.addEventListener('abort', () => watching?.abort(), {once: true});
    try {
      const before = await api.json(path, {signal: w});
      if (!before.ok) return fail(out, before);
      const was = before.data.products?.identity?.refreshed_at;
      const r = await api.json(path + '/products', {method: 'POST', body: {products: ['identity']}, signal: w});
      if (!r.ok) return fail(out, r);
      const line = (p, state) => out.replaceChildren(h('dl', {class: 'facts'},
        h('dt', null, 'refreshed_at'), h('dd', {class: 'mono', id: 'rf-refreshed'}, fmtTime(p?.refreshed_at)),
        h('dt', null, 'last_attempted_at'), h('dd', {class: 'mono'}, fmtTime(p?.last_attempted_at)),
        h('dt', null, 'state'), h('dd', {id: 'rf-state'}, state)));
      line(r.data.products?.identity, `refreshing (was ${fmtTime(was)})…`);
      for (let i = 0; i < 240 && !w.aborted; i++) {
        await sleep(500, w);
        if (w.aborted) return;
        const now = await api.json(path, {signal: w});
        if (!now.ok) return fail(out, now);
        const p = now.data.products?.identity;
        if (p?.refreshed_at !== was || p?.error_code) {
          line(p, p?.error_code ? `failed: ${p.error_code}` : 'refreshed');
          return;
        }
        line(p, `refreshing (was ${fmtTime(was)})…`);
      }
    } catch (err) {
      if (!w.aborted) fail(out, err);
    }
  };
  return section('Refresh identity',
    h('p', {class: 'muted small'}, 'POST /links/{id}/products, then GET /links/{id} until refreshed_at moves (the server’s refresh delay, or advance the clock).'),
    h('form', {id: 'refresh-form', class: 'inline', onsubmit: start},
      h('label', {for: 'rf-link'}, 'Link ID'), link, h('button', {type: 'submit', class: 'primary'}, 'Start refresh')),
    out);
}

function resetCard() {
  const out = result('reset-result');
  const session = api.getSession();
  const reset = async all => {
    try {
      const r = await api.json('/_mock/reset', {method: 'POST', noSession: all});
      if (!r.ok) return fail(out, r);
      ok(out, all ? 'Everything was reset: every session, the clock and the journal.' : `Session ${session} was reset.`);
    } catch (err) {
      fail(out, err);
    }
  };
  return section('Reset',
    h('p', {class: 'muted small'}, 'POST /_mock/reset, with X-Mock-Session for one session.'),
    h('div', {class: 'actions'},
      h('button', {type: 'button', id: 'reset-session', disabled: !session, onclick: () => reset(false),
        title: session ? null : 'The default session is reset with everything else'}, session ? `Reset session ${session}` : 'Reset this session (pick a named one)'),
      h('button', {type: 'button', id: 'reset-all', class: 'danger', onclick: () => reset(true)}, 'Reset everything')),
    out);
}
