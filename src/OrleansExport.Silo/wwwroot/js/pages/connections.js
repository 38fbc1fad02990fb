// @ts-check
import { api } from '../api.js';
import { formatTime, h, table } from '../dom.js';
import { session } from '../session.js';
import { confirmDialog, pageHead, refresh, setFlash, takeFlash } from '../ui.js';

export async function render(view, _params, context) {
  const connections = await api('/api/connections');
  const status = h('div', { class: 'alert alert-error', role: 'alert' });

  async function remove(connection) {
    const confirmed = await confirmDialog({
      title: `Delete connection “${connection.displayName}”?`,
      body: 'Its exports stop sending, and its ActiveCampaign API key is erased. This cannot be undone.',
      confirmLabel: 'Delete connection',
    });
    if (!confirmed) return;
    try {
      await api(`/api/connections/${encodeURIComponent(connection.id)}`, { method: 'DELETE' });
      setFlash(`Connection “${connection.displayName}” deleted; its exports were stopped.`);
      if (context.alive()) refresh();
    } catch (error) {
      status.textContent = error.detail;
    }
  }

  const columns = [
    { key: 'name', title: 'Name', cell: c => h('a', { href: `#/connections/${encodeURIComponent(c.id)}` }, c.displayName) },
    { key: 'hostname', title: 'Account hostname', cell: c => h('code', null, c.hostname) },
    { key: 'key', title: 'API key', cell: c => [h('code', null, c.apiKeyHint), h('p', { class: c.keyRefusedAt ? 'hint key-state-refused' : 'hint', 'data-col': 'key-state' },
      c.keyRefusedAt ? ['Refused ', formatTime(c.keyRefusedAt), ': rotate it'] : ['Verified ', formatTime(c.keyVerifiedAt)])] },
    { key: 'access', title: 'Who can use it', cell: c => (c.allowContributors ? 'Admins and contributors' : 'Admins only') },
    { key: 'users', title: 'Export users', cell: c => c.exportUsers.join(', ') },
    { key: 'cap', title: 'Profile cap', numeric: true, cell: c => (c.profileCap ?? 'None') },
    { key: 'created', title: 'Created', cell: c => formatTime(c.createdAt) },
  ];
  if (session.isAdmin) {
    columns.push({ key: 'actions', title: 'Actions', cell: c => h('button', {
      type: 'button', class: 'button button-danger-quiet button-small', onclick: () => remove(c), 'aria-label': `Delete connection ${c.displayName}`,
    }, 'Delete') });
  }

  view.append(
    takeFlash() ?? '',
    pageHead('Connections', 'ActiveCampaign accounts that exports send to. API keys are never shown again after they are saved; open a connection to rotate its key or change it.',
      session.isAdmin ? h('a', { class: 'button', href: '#/connections/new' }, 'Add connection') : null),
    status,
    table({
      caption: 'Connections', columns, rows: connections.map(c => ({ key: c.id, value: c })),
      empty: session.isAdmin ? 'No connections yet. Add one to connect an ActiveCampaign account.' : 'No connections you may see yet. Ask an admin to add one.',
    }));
}
