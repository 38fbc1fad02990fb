// @ts-check
import { api } from '../api.js';
import { h } from '../dom.js';
import { mayUse, session } from '../session.js';
import { pageHead, setFlash } from '../ui.js';
import { exportForm } from './export-form.js';

export async function render(view) {
  const breadcrumb = h('p', { class: 'breadcrumb' }, h('a', { href: '#/exports' }, 'Exports'), ' / Add destination');
  if (!session.canWrite) {
    view.append(breadcrumb, pageHead('Add destination'), h('div', { class: 'alert alert-warn', role: 'status' }, 'Viewers cannot add exports. Ask an admin or a contributor.'));
    return;
  }

  const [connections, segments] = await Promise.all([api('/api/connections'), api('/api/segments')]);
  const usable = connections.filter(mayUse);
  if (usable.length === 0) {
    view.append(breadcrumb, pageHead('Add destination'), h('div', { class: 'alert alert-warn', role: 'status' },
      session.isAdmin
        ? ['There is no connection yet. ', h('a', { href: '#/connections/new' }, 'Add a connection'), ' first.']
        : 'No connection allows contributors yet. Ask an admin to add one, or to allow contributors on an existing one.'));
    return;
  }

  const { form } = exportForm({
    connections: usable,
    segments,
    firstRun: true,
    submitLabel: 'Save',
    busyLabel: 'Saving…',
    cancelHref: '#/exports',
    footerHint: 'Saving sends nothing to ActiveCampaign. The first run (Run now on the export’s page, or its schedule) sends every member.',
    async save(body) {
      const saved = await api('/api/exports', { method: 'POST', body });
      setFlash(`Export “${saved.displayName}” saved. Nothing is sent until its first run: press Run now to send its members.`);
      location.hash = `#/exports/${encodeURIComponent(saved.id)}`;
    },
  });

  view.append(breadcrumb, h('div', { class: 'card' }, pageHead('Add destination', 'Send the members of your segments to an ActiveCampaign list.'), form));
  view.querySelector('h1').id = 'export-title';
}
