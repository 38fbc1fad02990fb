// @ts-check
import { h } from './dom.js';

let flash = null;

/** A message for the next page, e.g. "Saved" after a form navigates away. */
export function setFlash(text, kind = 'ok') {
  flash = { text, kind };
}

/** The pending flash message as a status region (announced politely), or nothing. */
export function takeFlash() {
  if (!flash) return null;
  const { text, kind } = flash;
  flash = null;
  return h('div', { class: `alert alert-${kind}`, role: 'status', 'data-flash': '' }, text);
}

export function pageHead(title, intro, ...actions) {
  return h('div', { class: 'page-head' },
    h('div', null, h('h1', { tabindex: '-1' }, title), intro ? h('p', null, intro) : null),
    actions.length ? h('div', { class: 'actions' }, actions) : null);
}

/**
 * Asks before something that cannot be undone. Resolves true only when the user confirms; Escape or
 * Cancel resolve false. Focus starts on Cancel and returns to where it was.
 */
/** @param {{ title: string, body: string, confirmLabel: string }} options */
export function confirmDialog({ title, body, confirmLabel }) {
  return new Promise(resolve => {
    const returnFocus = /** @type {HTMLElement | null} */ (document.activeElement);
    const cancel = h('button', { type: 'button', class: 'button button-secondary', value: 'cancel' }, 'Cancel');
    const confirm = h('button', { type: 'button', class: 'button button-danger', value: 'confirm' }, confirmLabel);
    const dialog = h('dialog', { 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-body' },
      h('h2', { id: 'confirm-title' }, title),
      h('p', { id: 'confirm-body' }, body),
      h('div', { class: 'actions' }, cancel, confirm));
    const close = result => { dialog.close(); dialog.remove(); returnFocus?.focus?.(); resolve(result); };
    cancel.addEventListener('click', () => close(false));
    confirm.addEventListener('click', () => close(true));
    dialog.addEventListener('cancel', event => { event.preventDefault(); close(false); });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

/** Renders the current page again, e.g. after a deletion. */
export function refresh() {
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
