// @ts-check
import { api } from '../api.js';
import { formatTime, h } from '../dom.js';
import { clearErrors, formAlert, radioGroup, showError, submitting, textField } from '../forms.js';
import { session } from '../session.js';
import { pageHead, refresh, setFlash, takeFlash } from '../ui.js';
import { usageSection } from './connection-usage.js';

const changeNames = { displayName: 'name', allowContributors: 'who can use it', profileCap: 'profile cap' };

/** One connection: its key's last verification and, for admins, editing and key rotation (PATCH /api/connections/{id}). */
export async function render(view, [id]) {
  const path = `/api/connections/${encodeURIComponent(id)}`;
  const [connection, usage] = await Promise.all([api(path), usageSection(path)]);
  const access = connection.allowContributors ? 'Admins and contributors' : 'Admins only';

  view.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/connections' }, 'Connections'), ` / ${connection.displayName}`),
    takeFlash() ?? '',
    pageHead(connection.displayName, `ActiveCampaign account ${connection.hostname}.`),
    keyRefused(connection),
    h('section', { 'aria-labelledby': 'key-title', class: 'card' },
      h('h2', { id: 'key-title' }, 'API key'),
      h('dl', { class: 'definition' },
        h('dt', null, 'Key'), h('dd', { 'data-key-hint': '' }, h('code', null, connection.apiKeyHint), ` (version ${connection.keyVersion})`),
        h('dt', null, 'Last verified'), h('dd', { 'data-key-verified': '' }, formatTime(connection.keyVerifiedAt), ': ActiveCampaign accepted it'),
        h('dt', null, 'Refused'), h('dd', { 'data-key-refused-at': '' }, connection.keyRefusedAt ? formatTime(connection.keyRefusedAt) : 'Not since it was verified')),
      session.isAdmin ? rotateForm(path) : null),
    h('section', { 'aria-labelledby': 'details-title', class: 'card' },
      h('h2', { id: 'details-title' }, 'Details'),
      h('dl', { class: 'definition' },
        h('dt', null, 'Account hostname'), h('dd', null, h('code', null, connection.hostname)),
        h('dt', null, 'Who can use it'), h('dd', null, access),
        h('dt', null, 'Profile cap'), h('dd', null, connection.profileCap ?? 'None'),
        h('dt', null, 'Export users'), h('dd', null, connection.exportUsers.join(', ')),
        h('dt', null, 'Created'), h('dd', null, formatTime(connection.createdAt))),
      session.isAdmin ? editForm(path, connection) : null),
    usage);
}

function keyRefused(connection) {
  if (!connection.keyRefusedAt) return null;
  return h('div', { class: 'alert alert-error key-refused', role: 'alert', 'data-key-refused': '' },
    h('strong', null, 'ActiveCampaign refused this connection’s API key'), ' (', formatTime(connection.keyRefusedAt), '). ',
    'Its exports are paused and send nothing until a new key is saved. ',
    session.isAdmin
      ? 'Copy a valid key from Settings > Developer in ActiveCampaign and save it under Rotate key: paused exports then resume by themselves.'
      : 'Ask an admin to rotate the key.');
}

function rotateForm(path) {
  const form = h('form', { class: 'card-form', novalidate: true, 'aria-labelledby': 'rotate-title', 'data-rotate-key': '' },
    h('h3', { id: 'rotate-title' }, 'Rotate key'),
    formAlert(),
    textField({ id: 'new-api-key', label: 'New API key', field: 'apiKey', type: 'password', required: true, autocomplete: 'new-password',
      hint: 'From Settings > Developer in ActiveCampaign. It is verified with ActiveCampaign first: if it is refused, the current key stays. It is stored encrypted and never shown again.' }),
    h('div', { class: 'form-footer' }, h('button', { type: 'submit', class: 'button' }, 'Verify and save key')));

  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearErrors(form);
    const apiKey = form.elements.apiKey.value.trim();
    if (!apiKey) {
      showError(form, { field: 'apiKey', detail: 'Paste the new API key.' });
      return;
    }

    await submitting(form, 'Verifying…', async () => {
      try {
        const saved = await api(path, { method: 'PATCH', body: { apiKey } });
        form.elements.apiKey.value = '';
        setFlash(`ActiveCampaign accepted the new key (${saved.apiKeyHint}). Exports paused because the old key was refused resume within seconds.`);
        refresh();
      } catch (error) {
        showError(form, error);
      }
    });
  });
  return form;
}

function editForm(path, connection) {
  const form = h('form', { class: 'card-form', novalidate: true, 'aria-labelledby': 'edit-title', 'data-edit-connection': '' },
    h('h3', { id: 'edit-title' }, 'Edit connection'),
    formAlert(),
    textField({ id: 'display-name', label: 'Display name', field: 'displayName', required: true, value: connection.displayName }),
    radioGroup({ id: 'access', legend: 'Who can use it', field: 'allowContributors', value: connection.allowContributors ? 'contributors' : 'admins', options: [
      { value: 'admins', label: 'Admins only' },
      { value: 'contributors', label: 'Admins and contributors', hint: 'Contributors can pick this connection when they add an export.' },
    ] }),
    textField({ id: 'profile-cap', label: 'Profile cap', field: 'profileCap', type: 'number', inputmode: 'numeric', min: 1,
      value: String(connection.profileCap ?? ''),
      hint: 'Most profiles this connection may send across all its exports. Leave empty for no cap.' }),
    h('div', { class: 'form-footer' }, h('button', { type: 'submit', class: 'button' }, 'Save changes')));

  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearErrors(form);
    const capText = form.elements.profileCap.value.trim();
    const profileCap = capText === '' ? null : Number(capText);
    if (capText !== '' && !Number.isSafeInteger(profileCap)) {
      showError(form, { field: 'profileCap', detail: 'Enter a whole number of profiles, or leave it empty for no cap.' });
      return;
    }

    const body = {
      displayName: form.elements.displayName.value.trim(),
      allowContributors: form.elements.allowContributors.value === 'contributors',
      profileCap,
    };
    const changed = Object.fromEntries(Object.entries(body).filter(([name, value]) => value !== connection[name]));
    const names = Object.keys(changed);
    await submitting(form, 'Saving…', async () => {
      try {
        if (names.length > 0) {
          await api(path, { method: 'PATCH', body: changed });
        }
        setFlash(names.length ? `Connection updated: ${names.map(name => changeNames[name]).join(', ')}.` : 'Nothing changed: the connection is as it was.');
        refresh();
      } catch (error) {
        showError(form, error);
      }
    });
  });
  return form;
}
