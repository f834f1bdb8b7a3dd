// Small helpers for building the page without a framework.

// h makes an element: h('a', {href: '#/x', class: 'btn'}, 'text', child…).
// Attributes named on* become event listeners; null, undefined and false are left out.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  add(el, children);
  return el;
}

function add(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

// statusBadge shows an HTTP status coloured by its class.
export function statusBadge(status) {
  const cls = status >= 100 && status < 600 ? `s${Math.floor(status / 100)}xx` : 'sxxx';
  return h('span', {class: `status ${cls}`}, String(status));
}

// shq quotes a string for a POSIX shell.
export function shq(s) {
  return /^[A-Za-z0-9_\/.:=@%+,-]+$/.test(s) ? s : "'" + s.replaceAll("'", "'\\''") + "'";
}

// copyText copies to the clipboard; without the Clipboard API (a page served
// over plain http beyond loopback) it falls back to a selection and execCommand.
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // fall through
  }
  const ta = h('textarea', {class: 'offscreen', readonly: true, 'aria-hidden': 'true'});
  ta.value = text;
  document.body.append(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

// copyButton copies what text() gives and says whether it worked.
export function copyButton(text, label = 'Copy') {
  const b = h('button', {type: 'button', class: 'small'}, label);
  b.addEventListener('click', async () => {
    const ok = await copyText(text());
    b.textContent = ok ? 'Copied' : 'Copy failed: select the text';
    setTimeout(() => { b.textContent = label; }, 1500);
  });
  return b;
}

// problem renders a failed answer: the error envelope's code and message, and
// each validation error with where it is.
export function problem(r) {
  const d = r.data || {};
  return h('div', {class: 'problem', role: 'alert'},
    h('p', null, statusBadge(r.status), ' ', h('code', null, d.error_code || 'error'), ' ', d.error_message || r.text || ''),
    Array.isArray(d.validation_errors) && d.validation_errors.length > 0 && h('ul', {class: 'problems'},
      d.validation_errors.map(v => h('li', null,
        h('code', null, (v.location || []).join('.')), ': ', v.message)))
  );
}

// fmtTime writes an RFC 3339 time as the server's clock has it (UTC).
export function fmtTime(iso) {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/(\.\d{3})\d*Z$/, '$1Z');
}

// sleep waits ms, or less when signal aborts.
export function sleep(ms, signal) {
  return new Promise(resolve => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, {once: true});
  });
}

export function section(title, ...children) {
  return h('section', {class: 'card'}, h('h2', null, title), ...children);
}

// ready marks a view as shown: data-state="ready" on main, and the first
// time, the performance mark mk-ready (time to a usable page).
export function ready(main) {
  main.dataset.state = 'ready';
  if (performance.getEntriesByName('mk-ready').length === 0) performance.mark('mk-ready');
}
