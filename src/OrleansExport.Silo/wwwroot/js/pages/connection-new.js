// @ts-check
import { api } from '../api.js';
import { h } from '../dom.js';
import { checkboxField, clearErrors, formAlert, radioGroup, showError, submitting, textField } from '../forms.js';
import { session } from '../session.js';
import { pageHead, setFlash } from '../ui.js';

export function render(view) {
  if (!session.isAdmin) {
    view.append(pageHead('Add connection'), h('div', { class: 'alert alert-warn', role: 'status' }, 'Only admins can add connections. Ask an admin to add one and to allow contributors on it.'));
    return;
  }

  const form = h('form', { novalidate: true, 'aria-labelledby': 'connection-title' },
    formAlert(),
    h('fieldset', null, h('legend', null, 'Connection'),
      textField({ id: 'display-name', label: 'Display name', field: 'displayName', required: true, hint: 'How exports and people will recognise this account, e.g. “Marketing EU”.' }),
      radioGroup({ id: 'access', legend: 'Who can use it', field: 'allowContributors', value: 'admins', options: [
        { value: 'admins', label: 'Admins only', hint: 'The default.' },
        { value: 'contributors', label: 'Admins and contributors', hint: 'Contributors can pick this connection when they add an export.' },
      ] }),
      textField({ id: 'profile-cap', label: 'Profile cap', field: 'profileCap', type: 'number', inputmode: 'numeric', min: 1,
        hint: 'Most profiles this connection may send across all its exports. Leave empty for no cap.' })),
    h('fieldset', null, h('legend', null, 'ActiveCampaign account'),
      textField({ id: 'hostname', label: 'REST endpoint hostname', field: 'hostname', required: true, placeholder: 'e.g. youraccount.api-us1.com',
        hint: 'Hostname only, without https://. Find it in ActiveCampaign under Settings > Developer (API Access URL).' }),
      textField({ id: 'api-key', label: 'API key', field: 'apiKey', type: 'password', required: true,
        hint: 'From Settings > Developer in ActiveCampaign. It is stored encrypted and never shown again.' })),
    h('fieldset', null, h('legend', null, 'Data privacy and compliance'),
      h('p', { class: 'notice', id: 'privacy-notice' },
        'Exports send profile data (email address, name, phone and the attributes you map) to ActiveCampaign, a third party. ',
        'You confirm that you have a lawful basis to share this data with ActiveCampaign, that its processing there complies with your ',
        'data privacy policies and applicable law, and that people who withdraw consent are removed from the exported segments.'),
      checkboxField({ id: 'consent', label: 'I agree to the data privacy and compliance notice', field: 'dataPrivacyConsent', hint: 'Required to connect.' })),
    h('fieldset', null, h('legend', null, 'Export users'),
      h('p', null, 'People who manage this connection’s exports. You are added as its first export user: ', h('strong', { 'data-export-user': '' }, session.me.user), '.')),
    h('div', { class: 'form-footer' },
      h('button', { type: 'submit', class: 'button' }, 'Connect and save'),
      h('a', { href: '#/connections', class: 'button button-secondary' }, 'Cancel'),
      h('p', { class: 'hint', id: 'connect-hint' }, 'Connecting verifies the API key with ActiveCampaign. Nothing is saved if the key is refused.')),
    h('p', { class: 'live-status', role: 'status', 'data-connect-status': '' }));

  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearErrors(form);
    const capText = form.elements.profileCap.value.trim();
    const body = {
      displayName: form.elements.displayName.value.trim(),
      hostname: form.elements.hostname.value.trim(),
      apiKey: form.elements.apiKey.value.trim(),
      allowContributors: form.elements.allowContributors.value === 'contributors',
      dataPrivacyConsent: form.elements.dataPrivacyConsent.checked,
      profileCap: capText === '' ? null : Number(capText),
    };
    if (capText !== '' && !Number.isSafeInteger(body.profileCap)) {
      showError(form, { field: 'profileCap', detail: 'Enter a whole number of profiles, or leave it empty for no cap.' });
      return;
    }

    const status = form.querySelector('[data-connect-status]');
    status.textContent = `Connecting to ${body.hostname || 'ActiveCampaign'}…`;
    await submitting(form, 'Connecting…', async () => {
      try {
        const connection = await api('/api/connections', { method: 'POST', body });
        setFlash(`Connected: ActiveCampaign accepted the API key (${connection.apiKeyHint}). Connection “${connection.displayName}” is saved, with ${connection.exportUsers.join(', ')} as export user.`);
        location.hash = '#/connections';
      } catch (error) {
        status.textContent = '';
        showError(form, error);
      }
    });
  });

  view.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/connections' }, 'Connections'), ' / Add connection'),
    h('div', { class: 'card' }, pageHead('Add connection', 'Connect an ActiveCampaign account that exports can send to.'), form));
  view.querySelector('h1').id = 'connection-title';
}
