// The dashboard's entry point: a hash router (#/view/rest?params) over four
// views. The URL carries everything a view shows (the viewed session as
// ?as=NAME, the Requests filters), so a view can be shared by its address.
import * as api from './api.js';
import {route, href} from './nav.js';
import links from './links.js';
import requests from './requests.js';
import webhooks from './webhooks.js';
import steer from './steer.js';

const views = {links, requests, webhooks, steer};
const titles = {links: 'Links', requests: 'Requests', webhooks: 'Webhooks', steer: 'Steer'};
const main = document.getElementById('main');
let cleanup = null;

function render() {
  const r = route();
  if (!views[r.view]) {
    location.replace('#/links');
    return;
  }
  api.setSession(r.params.get('as') || '');
  document.getElementById('session-input').value = api.getSession();
  for (const a of document.querySelectorAll('nav a[data-view]')) {
    a.href = href(a.dataset.view);
    if (a.dataset.view === r.view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.querySelector('.brand').href = href('links');
  document.title = `${titles[r.view]}${api.getSession() ? ' · ' + api.getSession() : ''} · moneykit-mock`;
  if (cleanup) cleanup();
  cleanup = null;
  main.replaceChildren();
  main.dataset.view = r.view;
  cleanup = views[r.view]({main, rest: r.rest, params: r.params}) || null;
}

document.getElementById('session-form').addEventListener('submit', e => {
  e.preventDefault();
  const input = document.getElementById('session-input');
  if (!input.checkValidity()) {
    input.reportValidity();
    return;
  }
  api.setSession(input.value.trim());
  const r = route();
  const params = Object.fromEntries(r.params);
  delete params.as;
  location.hash = href(r.view, r.rest, params);
});

window.addEventListener('hashchange', render);
render();
performance.mark('mk-app-started');
