// @ts-check
// Builds DOM nodes. Text always goes in as text nodes, never as HTML, so data from the API cannot inject markup.
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'value' || name === 'checked') element[name] = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
  return parent;
}

export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

const numberFormat = new Intl.NumberFormat('en-US');
export const formatNumber = value => numberFormat.format(value ?? 0);

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone: 'UTC' });

/** "28 Nov, 22:33:51 UTC" (without " UTC" where a heading says so) inside a time element that carries the exact instant. */
export function formatTime(value, { zone = true } = {}) {
  return value ? h('time', { datetime: value, class: 'nowrap' }, `${dateFormat.format(new Date(value))}${zone ? ' UTC' : ''}`) : '—';
}

/**
 * @template T
 * @param {{ caption?: string, label?: string, empty?: string, rows: { key: string, value: T }[],
 *   columns: { key: string, title: string, numeric?: boolean, cell: (value: T) => any }[] }} options
 */
export function table({ caption, columns, rows, empty, label }) {
  if (rows.length === 0) {
    return h('p', { class: 'empty' }, empty);
  }

  return h('div', { class: 'table-wrap', role: 'region', 'aria-label': label ?? caption, tabindex: '0' },
    h('table', null,
      caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
      h('thead', null, h('tr', null, columns.map(c => h('th', { scope: 'col', class: c.numeric ? 'num' : null }, c.title)))),
      h('tbody', null, rows.map(row => h('tr', { 'data-row': row.key }, columns.map(c => h('td', { class: c.numeric ? 'num' : null, 'data-col': c.key }, c.cell(row.value))))))));
}
