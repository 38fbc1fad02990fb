// @ts-check
import { api } from '../api.js';
import { formatNumber, h, table } from '../dom.js';
import { session } from '../session.js';
import { pageHead, takeFlash } from '../ui.js';
import { runStatus } from './run-status.js';

export async function render(view) {
  const [exports, connections] = await Promise.all([api('/api/exports'), api('/api/connections')]);
  const connectionNames = new Map(connections.map(c => [c.id, c.displayName]));

  const columns = [
    { key: 'name', title: 'Export', cell: e => h('a', { href: `#/exports/${encodeURIComponent(e.id)}` }, e.displayName) },
    { key: 'connection', title: 'Connection', cell: e => connectionNames.get(e.connectionId) ?? `${e.connectionId} (deleted)` },
    { key: 'list', title: 'List ID', cell: e => e.listId },
    { key: 'members', title: 'Members', numeric: true, cell: e => formatNumber(e.members) },
    { key: 'inSync', title: 'In sync', numeric: true, cell: e => formatNumber(e.inSync) },
    { key: 'pending', title: 'Pending', numeric: true, cell: e => formatNumber(e.pending) },
    { key: 'rejected', title: 'Rejected', numeric: true, cell: e => formatNumber(e.rejected) },
    { key: 'lastRun', title: 'Last run', cell: e => (e.lastRun ? runStatus(e.lastRun.status) : 'Not run yet: nothing sent') },
  ];

  view.append(
    takeFlash() ?? '',
    pageHead('Exports', 'Each export keeps one ActiveCampaign list in step with your segments.',
      session.canWrite ? h('a', { class: 'button', href: '#/exports/new' }, 'Add destination') : null),
    table({
      caption: 'Exports', columns, rows: exports.map(e => ({ key: e.id, value: e })),
      empty: session.canWrite ? 'No exports yet. Add a destination to start sending a segment to ActiveCampaign.' : 'No exports you may see yet.',
    }));
}
