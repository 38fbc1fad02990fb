// @ts-check
import { api } from '../api.js';
import { formatTime, h, replaceChildren, table } from '../dom.js';
import { pageHead } from '../ui.js';
import { fieldLabel } from './export-history.js';

const PAGE_SIZE = 100;
const MAX_KEPT = 1000;

const actions = {
  created: 'Created', updated: 'Changed', paused: 'Paused', resumed: 'Resumed', deleted: 'Deleted',
  runStarted: 'Started a run', runCancelled: 'Cancelled a run',
};

const connectionFields = { displayName: 'name', allowContributors: 'contributor access', profileCap: 'profile cap', apiKey: 'API key' };

function what(entry) {
  const label = entry.subject === 'connection' ? name => connectionFields[name] ?? name : fieldLabel;
  return [
    actions[entry.action] ?? entry.action,
    entry.fields.length ? `: ${entry.fields.map(label).join(', ')}` : '',
    entry.runId ? [' ', h('code', null, entry.runId)] : '',
  ];
}

function subject(entry, names) {
  const name = names.get(entry.subjectId);
  if (entry.subject === 'export') {
    return ['Export ', name ? h('a', { href: `#/exports/${encodeURIComponent(entry.subjectId)}` }, name) : [h('code', null, entry.subjectId), ' (deleted)']];
  }

  return ['Connection ', name ?? [h('code', null, entry.subjectId), ' (deleted)']];
}

/** The audit trail (GET /api/audit): who did what to which connection or export, newest first. */
export async function render(view) {
  let limit = PAGE_SIZE;
  const slot = h('div', { 'data-audit': '' });
  const moreButton = h('button', { type: 'button', class: 'button button-secondary', onclick: showMore }, 'Show 100 more');

  async function show() {
    const [entries, exports, connections] = await Promise.all([api(`/api/audit?limit=${limit}`), api('/api/exports'), api('/api/connections')]);
    const names = new Map([...exports, ...connections].map(item => [item.id, item.displayName]));
    replaceChildren(slot, table({
      caption: 'Audit trail', label: 'Audit trail',
      rows: entries.map((entry, i) => ({ key: `${entry.at}-${i}`, value: entry })),
      empty: 'Nothing recorded yet: connections and exports created, changed, paused, resumed, deleted, run or cancelled appear here.',
      columns: [
        { key: 'at', title: 'When', cell: e => formatTime(e.at) },
        { key: 'by', title: 'Who', cell: e => e.by },
        { key: 'what', title: 'What', cell: e => what(e) },
        { key: 'subject', title: 'On', cell: e => subject(e, names) },
      ],
    }));
    moreButton.hidden = entries.length < limit || limit >= MAX_KEPT;
  }

  async function showMore() {
    limit = Math.min(MAX_KEPT, limit + PAGE_SIZE);
    await show();
  }

  view.append(
    pageHead('Audit', 'Who created, changed, paused, resumed, deleted, ran or cancelled which connection or export, and when; newest first. '
      + 'Changes name the fields, never their values; the latest 1,000 actions are kept.'),
    slot,
    moreButton);
  await show();
}
