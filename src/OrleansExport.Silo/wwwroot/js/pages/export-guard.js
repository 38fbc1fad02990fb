// @ts-check
// The export page's answers about sending: the mass-unsubscribe guard's held banner (with Release), the preview of
// what a run would send, and the search box that tells one contact's story (docs/operations.md: the console).
import { api } from '../api.js';
import { formatNumber, formatTime, h, replaceChildren } from '../dom.js';
import { confirmDialog } from '../ui.js';

const PREVIEW_EVERY_MS = 5000;

const actionLabels = { subscribe: 'subscribe', update: 'update', resubscribe: 'resubscribe', unsubscribe: 'unsubscribe', delete: 'delete', held: 'unsubscribe (held)' };

const stateLabels = {
  pending: 'Pending', inSync: 'In sync', rejected: 'Rejected', optedOut: 'Opted out', skippedByCap: 'Skipped by cap',
  unsubscribed: 'Unsubscribed', left: 'Left', erased: 'Erased',
};

/** "subscribe 3, update 1 and unsubscribe 2" from a preview's counts; "send nothing" when all are zero. */
export function describePreview(preview) {
  const parts = ['subscribe', 'update', 'resubscribe', 'unsubscribe', 'delete']
    .filter(action => preview[action] > 0).map(action => `${action} ${formatNumber(preview[action])}`);
  if (parts.length === 0) return 'send nothing';
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

function examplesList(examples) {
  return h('ul', { class: 'examples', 'data-examples': '' },
    examples.map(e => h('li', null, h('code', null, e.profileId), ` ${e.email ?? '(no email)'}: ${actionLabels[e.action] ?? e.action}`)));
}

/**
 * The banner shown while the guard holds unsubscribes: how many and why, examples from the preview, and (for those who
 * may change the export) Release, after a confirmation that names the count.
 * @param {string} path The export's API path.
 * @param {boolean} canChange
 * @param {(message: string) => void} onError
 * @param {() => Promise<void>} onReleased
 */
export function heldBanner(path, canChange, onError, onReleased) {
  const text = h('p', { 'data-held-reason': '' });
  const examples = h('div', { 'data-held-examples': '' });
  const releaseButton = h('button', { type: 'button', class: 'button button-danger', onclick: release }, 'Release');
  const element = h('section', { class: 'alert alert-warn held', role: 'status', 'aria-labelledby': 'held-title', 'data-held': '', hidden: true },
    h('h2', { id: 'held-title' }, 'Unsubscribes held'), text, examples,
    canChange ? h('div', { class: 'actions' }, releaseButton) : h('p', { class: 'hint' }, 'An admin or a contributor on this connection may release them.'));
  let held = null;
  let shownCount = -1;

  async function release() {
    const count = held?.count ?? 0;
    const confirmed = await confirmDialog({
      title: `Unsubscribe ${formatNumber(count)} ${count === 1 ? 'contact' : 'contacts'}?`,
      body: `The ${formatNumber(count)} held unsubscribes are sent to ActiveCampaign now: those contacts leave the list. If upstream sent a broken snapshot, wait for it to send a corrected one instead: the hold then lifts by itself.`,
      confirmLabel: `Unsubscribe ${formatNumber(count)}`,
    });
    if (!confirmed) return;
    releaseButton.disabled = true;
    try {
      await api(`${path}/release`, { method: 'POST' });
      await onReleased();
    } catch (error) {
      onError(error.detail);
    } finally {
      releaseButton.disabled = false;
    }
  }

  /** @param {{ held: { count: number, reason: string } | null }} status */
  async function show(status) {
    held = status.held;
    element.hidden = held === null;
    if (held === null) {
      shownCount = -1;
      return;
    }
    text.textContent = held.reason;
    if (held.count === shownCount) return;
    shownCount = held.count;
    const preview = await api(`${path}/preview`);
    replaceChildren(examples, h('p', null, `For example (${formatNumber(Math.min(preview.examples.length, preview.held))} of ${formatNumber(preview.held)} held):`),
      examplesList(preview.examples.filter(e => e.action === 'held')));
  }

  return { element, show };
}

/**
 * One line next to Run now: what a full run started now would send, refreshed every few seconds.
 * @param {string} path
 */
export function runPreview(path) {
  const element = h('p', { class: 'hint run-preview', 'data-run-preview': '' });
  let due = 0;

  async function refresh(force = false) {
    if (!force && Date.now() < due) return;
    due = Date.now() + PREVIEW_EVERY_MS;
    const preview = await api(`${path}/preview?run=true`);
    const held = preview.held > 0 ? ` (${formatNumber(preview.held)} unsubscribes stay held)` : '';
    element.textContent = `Run now: this run will ${describePreview(preview)}${held}.`;
  }

  return { element, refresh };
}

/**
 * The search box: one contact's story by profile id or email (any case).
 * @param {string} path
 */
export function memberSearch(path) {
  const input = h('input', { id: 'member-query', type: 'search', autocomplete: 'off', spellcheck: 'false', placeholder: 'ann@example.com or p-000123',
    'aria-describedby': 'member-query-hint' });
  const result = h('div', { 'data-member-result': '', 'aria-live': 'polite' });

  async function lookUp(event) {
    event.preventDefault();
    const query = input.value.trim();
    if (!query) return;
    const url = query.includes('@') ? `${path}/members?email=${encodeURIComponent(query)}` : `${path}/members/${encodeURIComponent(query)}`;
    try {
      const story = await api(url);
      replaceChildren(result, h('dl', { class: 'definition', 'data-member': story.profileId },
        h('dt', null, 'Profile'), h('dd', null, h('code', null, story.profileId)),
        h('dt', null, 'Email'), h('dd', null, story.email ?? '—'),
        h('dt', null, 'State'), h('dd', { 'data-member-state': story.state }, h('strong', null, stateLabels[story.state] ?? story.state)),
        h('dt', null, 'Why'), h('dd', { 'data-member-reason': '' }, story.reason ?? '—'),
        h('dt', null, 'Segments'), h('dd', null, story.segments.length ? story.segments.join(', ') : 'None'),
        h('dt', null, 'ActiveCampaign contact'), h('dd', null, story.contactId ?? 'Not known yet (a reconciliation reads it)'),
        h('dt', null, 'Last change'), h('dd', null, formatTime(story.lastChangeAt)),
        h('dt', null, 'Last sent'), h('dd', null, story.lastSentAt ? formatTime(story.lastSentAt) : 'Never')));
    } catch (error) {
      replaceChildren(result, h('p', { class: 'alert alert-info', 'data-member-missing': '' }, error.status === 404
        ? `This export never held ${query}: it was in none of its segments, or its email is spelt differently.`
        : error.detail));
    }
  }

  const element = h('section', { 'aria-labelledby': 'member-title', class: 'card' },
    h('h2', { id: 'member-title' }, 'Find a contact'),
    h('form', { class: 'member-search', role: 'search', onsubmit: lookUp },
      h('label', { for: 'member-query' }, 'Email or profile id'),
      h('p', { class: 'hint', id: 'member-query-hint' }, 'Why is someone on the list, or not? Their state, segments and the reason.'),
      h('div', { class: 'inline' }, input, h('button', { type: 'submit', class: 'button button-secondary' }, 'Look up'))),
    result);
  return { element };
}
