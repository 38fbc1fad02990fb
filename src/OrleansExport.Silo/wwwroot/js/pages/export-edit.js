// @ts-check
import { api } from '../api.js';
import { h } from '../dom.js';
import { mayUse, session } from '../session.js';
import { pageHead, setFlash } from '../ui.js';
import { exportForm } from './export-form.js';
import { fieldLabel } from './export-history.js';

export async function render(view, [id]) {
  const path = `/api/exports/${encodeURIComponent(id)}`;
  const [exported, connections, segments] = await Promise.all([api(path), api('/api/connections'), api('/api/segments')]);
  const connection = connections.find(c => c.id === exported.connectionId);
  const exportHref = `#/exports/${encodeURIComponent(id)}`;
  const breadcrumb = h('p', { class: 'breadcrumb' },
    h('a', { href: '#/exports' }, 'Exports'), ' / ', h('a', { href: exportHref }, exported.displayName), ' / Edit');
  if (!(connection ? mayUse(connection) : session.canWrite)) {
    view.append(breadcrumb, pageHead('Edit export'), h('div', { class: 'alert alert-warn', role: 'status' },
      'Your role may not change this export. Ask an admin.'));
    return;
  }

  let unchanged;
  const { form, read } = exportForm({
    connection,
    exported,
    segments,
    firstRun: exported.awaitingFirstRun,
    submitLabel: 'Save changes',
    busyLabel: 'Saving…',
    cancelHref: exportHref,
    footerHint: exported.awaitingFirstRun
      ? 'Saving sends nothing: the first run sends every member.'
      : 'Saving sends only what changes: members whose mapped data changes, members of added segments; a new list gets every member.',
    async save(body) {
      // Only what changed goes in the PATCH, so that the export's history names exactly that.
      const changed = Object.fromEntries(Object.entries(body).filter(([name, value]) => JSON.stringify(value) !== JSON.stringify(unchanged[name])));
      const names = Object.keys(changed);
      if (names.length > 0) {
        await api(path, { method: 'PATCH', body: changed });
      }
      setFlash(names.length
        ? `Export “${body.displayName}” updated: ${names.map(fieldLabel).join(', ')}.`
        : 'Nothing changed: the export is as it was.');
      location.hash = exportHref;
    },
  });
  unchanged = read();

  view.append(breadcrumb, h('div', { class: 'card' }, pageHead(`Edit “${exported.displayName}”`,
    'Changes apply to every member at once; while a run is queued or running, the export cannot be changed.'), form));
  view.querySelector('h1').id = 'export-title';
}
