// Addresses of the views: #/view/rest?params, with the viewed session as ?as=NAME.
import * as api from './api.js';

// route reads location.hash.
export function route() {
  const raw = location.hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const parts = path.split('/').filter(Boolean).map(p => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return {view: parts[0] || 'links', rest: parts.slice(1), params};
}

// href is the address of a view, keeping the viewed session.
export function href(view, rest = [], params = {}) {
  const p = new URLSearchParams();
  if (api.getSession()) p.set('as', api.getSession());
  for (const [k, v] of Object.entries(params)) if (v) p.set(k, v);
  const qs = p.toString();
  return '#/' + [view, ...rest.map(encodeURIComponent)].join('/') + (qs ? '?' + qs : '');
}

// replaceParams rewrites the current address's parameters without a new
// history entry or a re-render (filters that change as one types).
export function replaceParams(params) {
  const r = route();
  history.replaceState(null, '', href(r.view, r.rest, params));
}
