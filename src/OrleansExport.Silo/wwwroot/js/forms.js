// @ts-check
import { h } from './dom.js';

// Each control sits in a wrapper whose data-field is the JSON field name the API's problem `field` uses
// ("apiKey", "mapping.email", ...), so an error lands next to the control it concerns.

function describedBy(id, hint) {
  return [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(' ');
}

function labelText(label, required) {
  return [label, ' ', required ? h('span', { class: 'required-mark' }, '(required)') : h('span', { class: 'optional-mark' }, '(optional)')];
}

function hintAndError(id, hint) {
  return [hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null, h('p', { class: 'field-error', id: `${id}-error` })];
}

/**
 * @typedef {object} FieldOptions
 * @property {string} id
 * @property {string} label
 * @property {string} field The JSON field name that the API's problem `field` uses.
 * @property {string} [hint]
 * @property {boolean} [required]
 */

/** @param {FieldOptions & { type?: string, value?: string, placeholder?: string, autocomplete?: string, inputmode?: string, min?: number }} options */
export function textField({ id, label, field, hint, required = false, type = 'text', value = '', placeholder, autocomplete, inputmode, min }) {
  const hintNodes = hintAndError(id, hint);
  return h('div', { class: 'field', 'data-field': field },
    h('label', { for: id }, labelText(label, required)),
    hintNodes[0],
    h('input', { id, name: field, type, value, placeholder, autocomplete: autocomplete ?? 'off', inputmode, min,
      spellcheck: type === 'text' ? 'false' : null, 'aria-required': required ? 'true' : null, 'aria-describedby': describedBy(id, hint) }),
    hintNodes[1]);
}

/** @param {FieldOptions & { options: { value: string, label: string, selected?: boolean }[] }} options */
export function selectField({ id, label, field, hint, required = false, options }) {
  const hintNodes = hintAndError(id, hint);
  return h('div', { class: 'field', 'data-field': field },
    h('label', { for: id }, labelText(label, required)),
    hintNodes[0],
    h('select', { id, name: field, 'aria-required': required ? 'true' : null, 'aria-describedby': describedBy(id, hint) },
      options.map(o => h('option', { value: o.value, selected: o.selected }, o.label))),
    hintNodes[1]);
}

/** From this many options on, a box above the select narrows them down. */
const FILTER_FROM = 12;

/**
 * A select of `items` (`{ value, label }`) after an empty `placeholder` option, for choosing by name what the API
 * stores as an id. With many items, a search box (`filterLabel`) first keeps only the options whose label contains
 * what is typed; the chosen option always stays. `onchange(value)` is told each choice.
 * @param {FieldOptions & { items: { value: string, label: string }[], value?: string, placeholder?: string, filterLabel?: string,
 *   noun?: string, disabled?: boolean, onchange?: (value: string) => void }} options
 */
export function pickerField({ id, label, field, hint, required = false, items, value = '', placeholder, filterLabel, noun, disabled = false, onchange }) {
  const hintNodes = hintAndError(id, hint);
  let chosen = value;
  const select = h('select', { id, name: field, disabled, 'aria-required': required ? 'true' : null, 'aria-describedby': describedBy(id, hint),
    onchange: () => { chosen = select.value; onchange?.(chosen); } });
  const count = h('p', { class: 'hint picker-count', id: `${id}-count`, 'aria-live': 'polite' });

  function show(term) {
    const needle = term.trim().toLocaleLowerCase();
    const matches = items.filter(i => i.label.toLocaleLowerCase().includes(needle));
    const shown = items.filter(i => i.value === chosen || matches.includes(i));
    select.replaceChildren(h('option', { value: '' }, placeholder), ...shown.map(i => h('option', { value: i.value }, i.label)));
    select.value = shown.some(i => i.value === chosen) ? chosen : '';
    count.textContent = needle ? `${matches.length} of ${items.length} ${noun} match “${term.trim()}”.` : '';
  }

  const filter = items.length >= FILTER_FROM
    ? h('div', { class: 'picker-filter' },
      h('label', { for: `${id}-filter` }, filterLabel),
      h('input', { id: `${id}-filter`, type: 'search', autocomplete: 'off', spellcheck: 'false', 'data-filter': '', 'aria-controls': id,
        'aria-describedby': `${id}-count`, oninput: event => show(event.target.value) }),
      count)
    : null;
  show('');
  return h('div', { class: 'field', 'data-field': field },
    h('label', { for: id }, labelText(label, required)),
    hintNodes[0],
    filter,
    select,
    hintNodes[1]);
}

/** @param {FieldOptions & { checked?: boolean }} options */
export function checkboxField({ id, label, field, hint, checked = false }) {
  return h('div', { class: 'field', 'data-field': field },
    h('div', { class: 'choice' },
      h('input', { id, name: field, type: 'checkbox', checked, 'aria-describedby': describedBy(id, hint) }),
      h('label', { for: id }, label)),
    hintAndError(id, hint));
}

/**
 * @param {{ id: string, legend: string, field: string, value?: string, hint?: string,
 *   options: { value: string, label: string, hint?: string }[] }} options
 */
export function radioGroup({ id, legend, field, options, value, hint }) {
  return h('fieldset', { class: 'field', 'data-field': field, id, 'aria-describedby': describedBy(id, hint) },
    h('legend', null, legend),
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    options.map(o => {
      const optionId = `${id}-${o.value}`;
      return h('div', { class: 'choice' },
        h('input', { type: 'radio', id: optionId, name: field, value: o.value, checked: o.value === value, 'aria-describedby': o.hint ? `${optionId}-hint` : null }),
        h('div', null, h('label', { for: optionId }, o.label), o.hint ? h('p', { class: 'hint', id: `${optionId}-hint` }, o.hint) : null));
    }),
    h('p', { class: 'field-error', id: `${id}-error` }));
}

/** The form-wide message for errors that concern no single field; announced as it appears. */
export function formAlert() {
  return h('div', { class: 'alert alert-error form-alert', role: 'alert', tabindex: '-1' });
}

export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach(e => { e.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach(e => e.removeAttribute('aria-invalid'));
  const alert = form.querySelector('.form-alert');
  if (alert) alert.textContent = '';
}

/** Shows an ApiError next to the field it names, or at the top of the form; moves focus there. */
export function showError(form, error) {
  clearErrors(form);
  const wrapper = error.field ? findField(form, error.field) : null;
  if (!wrapper) {
    const alert = form.querySelector('.form-alert');
    alert.textContent = error.detail;
    alert.focus();
    return;
  }

  wrapper.querySelector(':scope > .field-error').textContent = error.detail;
  // A picker's search box only narrows the choice: the error belongs to the select after it.
  const controls = [...wrapper.querySelectorAll('input, select')].filter(c => !c.closest('[hidden]') && !c.hasAttribute('data-filter'));
  controls.forEach(c => c.setAttribute('aria-invalid', 'true'));
  (controls.find(c => c.checked) ?? controls[0])?.focus();
}

/** "mapping.fields[2].fieldId" falls back to "mapping.fields", then "mapping". */
function findField(form, field) {
  let name = field;
  while (name) {
    const wrapper = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (wrapper) return wrapper;
    const cut = Math.max(name.lastIndexOf('.'), name.lastIndexOf('['));
    name = cut > 0 ? name.slice(0, cut) : '';
  }
  return null;
}

/** Disables the submit button and marks the form busy while `work` runs. */
export async function submitting(form, busyLabel, work) {
  const button = form.querySelector('button[type="submit"]');
  const label = button.textContent;
  button.disabled = true;
  button.textContent = busyLabel;
  form.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.textContent = label;
    form.removeAttribute('aria-busy');
  }
}
