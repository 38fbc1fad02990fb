// @ts-check
import { setUnauthorizedHandler } from './api.js';
import { session } from './session.js';
import { setFlash } from './ui.js';
import * as signIn from './pages/sign-in.js';
import * as connections from './pages/connections.js';
import * as connectionNew from './pages/connection-new.js';
import * as connectionDetail from './pages/connection.js';
import * as exportsList from './pages/exports.js';
import * as exportNew from './pages/export-new.js';
import * as exportDetail from './pages/export-detail.js';
import * as exportEdit from './pages/export-edit.js';
import * as audit from './pages/audit.js';

/**
 * A page module: `render` fills `view` from the route's captured `params`; it may return a cleanup that runs when
 * the user leaves. `context.alive()` turns false once another page is rendering.
 * @typedef {{ render: (view: HTMLElement, params: string[], context: { alive: () => boolean }) => unknown }} Page
 */

// Hash routes: the silo serves one static page and the API; no server-side routing is needed.
/** @type {{ pattern: RegExp, page: Page, nav: string | null, open?: boolean }[]} */
const routes = [
  { pattern: /^\/signin$/, page: signIn, nav: null, open: true },
  { pattern: /^\/connections$/, page: connections, nav: 'connections' },
  { pattern: /^\/connections\/new$/, page: connectionNew, nav: 'connections' },
  { pattern: /^\/connections\/([\w-]+)$/, page: connectionDetail, nav: 'connections' },
  { pattern: /^\/exports$/, page: exportsList, nav: 'exports' },
  { pattern: /^\/exports\/new$/, page: exportNew, nav: 'exports' },
  { pattern: /^\/exports\/([\w-]+)$/, page: exportDetail, nav: 'exports' },
  { pattern: /^\/exports\/([\w-]+)\/edit$/, page: exportEdit, nav: 'exports' },
  { pattern: /^\/audit$/, page: audit, nav: 'audit' },
];

const main = document.getElementById('main');
let renderCount = 0;
let cleanup = null;

async function route() {
  const token = ++renderCount;
  cleanup?.();
  cleanup = null;
  showUser();

  const path = location.hash.startsWith('#/') ? location.hash.slice(1) : '/';
  const match = routes.map(r => ({ r, m: r.pattern.exec(path) })).find(x => x.m);
  if (!session.signedIn && !match?.r.open) {
    location.replace('#/signin');
    return;
  }

  if (!match || (session.signedIn && match.r.open)) {
    location.replace('#/exports');
    return;
  }

  const view = document.createElement('div');
  const context = { alive: () => token === renderCount };
  /** @type {(() => void) | undefined} */
  let pageCleanup;
  try {
    pageCleanup = /** @type {(() => void) | undefined} */ (await match.r.page.render(view, match.m.slice(1), context));
  } catch (error) {
    view.replaceChildren(Object.assign(document.createElement('div'), { className: 'alert alert-error', role: 'alert', textContent: error.detail ?? String(error) }));
  }

  if (token !== renderCount) {
    pageCleanup?.();
    return;
  }

  cleanup = pageCleanup ?? null;
  main.replaceChildren(view);
  document.querySelectorAll('[data-nav]').forEach(/** @param {HTMLElement} a */ a => a.toggleAttribute('aria-current', a.dataset.nav === match.r.nav));
  document.querySelectorAll('[data-nav][aria-current]').forEach(a => a.setAttribute('aria-current', 'page'));
  const heading = view.querySelector('h1');
  document.title = heading ? `${heading.textContent} · OrleansExport console` : 'OrleansExport console';
  /** @type {HTMLElement} */ (view.querySelector('[data-autofocus]') ?? heading ?? main).focus();
}

function showUser() {
  const me = session.signedIn ? session.me : null;
  document.getElementById('main-nav').hidden = !me;
  document.getElementById('user-box').hidden = !me;
  // The audit trail is for admins and viewers (GET /api/audit answers 403 to contributors).
  document.getElementById('nav-audit').hidden = !me || me.role === 'Contributor';
  document.getElementById('user-name').textContent = me ? me.user : '';
  document.getElementById('user-role').textContent = me ? me.role : '';
}

document.getElementById('sign-out').addEventListener('click', () => {
  session.signOut();
  setFlash('You are signed out. The API key was removed from this tab.');
  location.hash = '#/signin';
});

document.querySelector('.skip-link').addEventListener('click', event => {
  event.preventDefault();
  (main.querySelector('h1') ?? main).focus();
});

setUnauthorizedHandler(() => {
  session.signOut();
  setFlash('The API key is no longer accepted. Sign in again.', 'warn');
  location.hash = '#/signin';
});

window.addEventListener('hashchange', route);
route();
