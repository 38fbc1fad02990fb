// @ts-check
import { formatTime, h, table } from '../dom.js';

const fieldNames = {
  displayName: 'name',
  listId: 'list',
  segmentIds: 'segments',
  mapping: 'data matching',
  onLeave: 'when a profile leaves',
  onErase: 'when a profile is erased',
  schedule: 'schedule',
  excludeAutomations: 'automations',
  alertWebhook: 'alert webhook',
};

const actions = { created: 'Created', updated: 'Changed', paused: 'Paused', resumed: 'Resumed' };

/** How the console names a field of an export's definition (as PATCH and the history name it). */
export const fieldLabel = name => fieldNames[name] ?? name;

/** Who changed what in an export's definition, and when: newest first. */
export function historyTable(history) {
  const entries = [...history].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  return table({
    caption: 'Definition history', label: 'Definition history',
    rows: entries.map((entry, i) => ({ key: `${entry.at}-${i}`, value: entry })),
    empty: 'No changes recorded.',
    columns: [
      { key: 'at', title: 'When', cell: e => formatTime(e.at) },
      { key: 'by', title: 'Who', cell: e => e.by },
      { key: 'what', title: 'What', cell: e => [actions[e.action] ?? e.action, e.fields?.length ? `: ${e.fields.map(fieldLabel).join(', ')}` : ''] },
    ],
  });
}
