// Calls to the mock: its /_mock/ API (with the admin token, when the server
// asks for one) and its data API (with the sandbox credentials /_mock/info
// gives). Every call carries the viewed session as X-Mock-Session.
import {shq} from './dom.js';

const tokenKey = 'moneykit-mock.admin-token';
let session = '';

export function setSession(s) { session = s || ''; }
export function getSession() { return session; }

let asking = null;

// askToken shows the token form once, however many calls are waiting for it.
function askToken(refused) {
  if (asking) return asking;
  asking = new Promise(resolve => {
    const dlg = document.getElementById('token-dialog');
    const form = document.getElementById('token-form');
    const input = document.getElementById('token-input');
    const err = document.getElementById('token-error');
    err.hidden = !refused;
    err.textContent = refused ? 'The server refused that token. Try again.' : '';
    input.value = '';
    const onSubmit = e => {
      e.preventDefault();
      const v = input.value.trim();
      if (!v) return;
      sessionStorage.setItem(tokenKey, v);
      form.removeEventListener('submit', onSubmit);
      dlg.removeEventListener('cancel', onCancel);
      dlg.close();
      asking = null;
      resolve();
    };
    // Escape would leave every waiting call stuck: the form stays until answered.
    const onCancel = e => e.preventDefault();
    form.addEventListener('submit', onSubmit);
    dlg.addEventListener('cancel', onCancel);
    dlg.showModal();
    input.focus();
  });
  return asking;
}

let infoPromise = null;

// info is GET /_mock/info, asked once per page.
export function info() {
  if (!infoPromise) {
    infoPromise = json('/_mock/info').then(r => {
      if (!r.ok) {
        infoPromise = null;
        throw new Error(`GET /_mock/info answered ${r.status}`);
      }
      return r.data;
    });
  }
  return infoPromise;
}

// dataHeaders are the credentials and version header of the data routes.
export async function dataHeaders() {
  const i = await info();
  const hs = {'MoneyKit-Version': i.version};
  if (i.static_token) hs.Authorization = 'Bearer ' + i.static_token;
  else {
    hs['X-Client-Id'] = i.client_id;
    hs['X-Client-Secret'] = i.client_secret;
  }
  return hs;
}

// call fetches path. opts: method, body (JSON-encoded unless a string),
// headers, signal, and noSession to leave X-Mock-Session out.
export async function call(path, opts = {}) {
  const admin = path.startsWith('/_mock/');
  for (let attempt = 0; ; attempt++) {
    const hs = new Headers(opts.headers || {});
    if (session && !opts.noSession) hs.set('X-Mock-Session', session);
    const sent = admin ? sessionStorage.getItem(tokenKey) : null;
    if (sent) hs.set('Authorization', 'Bearer ' + sent);
    if (!admin) for (const [k, v] of Object.entries(await dataHeaders())) hs.set(k, v);
    let body = opts.body;
    if (body !== undefined && typeof body !== 'string') body = JSON.stringify(body);
    if (body !== undefined) hs.set('Content-Type', 'application/json');
    const res = await fetch(path, {method: opts.method || 'GET', headers: hs, body, signal: opts.signal, cache: 'no-store'});
    if (res.status === 401 && admin && attempt < 5) {
      await res.body?.cancel();
      // Another call may have got a new token while this one was out.
      if (sessionStorage.getItem(tokenKey) === sent) await askToken(sent != null);
      continue;
    }
    return res;
  }
}

// json calls path and reads the answer: {status, ok, data (parsed JSON or null), text}.
export async function json(path, opts) {
  const res = await call(path, opts);
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  return {status: res.status, ok: res.ok, data, text, res};
}

// curlData is a ready curl line for a data route as the dashboard calls it.
export async function curlData(path, method = 'GET', body) {
  const i = await info();
  const parts = ['curl'];
  if (method !== 'GET') parts.push('-X', method);
  if (i.static_token) parts.push('-H', shq('Authorization: Bearer ' + i.static_token));
  else parts.push('-H', shq('X-Client-Id: ' + i.client_id), '-H', shq('X-Client-Secret: ' + i.client_secret));
  if (session) parts.push('-H', shq('X-Mock-Session: ' + session));
  if (body !== undefined) parts.push('-H', shq('Content-Type: application/json'), '-d', shq(JSON.stringify(body)));
  parts.push(shq(location.origin + path));
  return parts.join(' ');
}
