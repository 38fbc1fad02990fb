// @ts-check
import { api } from '../api.js';
import { h } from '../dom.js';
import { formAlert, showError, submitting, textField } from '../forms.js';
import { session } from '../session.js';
import { takeFlash } from '../ui.js';

export function render(view) {
  const form = h('form', { novalidate: true, 'aria-labelledby': 'signin-title' },
    formAlert(),
    textField({ id: 'api-key', label: 'API key', field: 'apiKey', type: 'password', required: true, autocomplete: 'off',
      hint: 'Paste an OrleansExport API key (configured as Api:Keys on the silo). It is kept in this browser tab only and removed when you sign out or close the tab.' }),
    h('button', { type: 'submit', class: 'button' }, 'Sign in'));

  form.addEventListener('submit', async event => {
    event.preventDefault();
    const key = form.elements.apiKey.value.trim();
    if (!key) {
      showError(form, { field: 'apiKey', detail: 'Paste your API key.' });
      return;
    }

    await submitting(form, 'Signing in…', async () => {
      try {
        const me = await api('/api/me', { key });
        session.signIn(key, me);
        location.hash = '#/exports';
      } catch (error) {
        showError(form, error.status === 401 ? { field: 'apiKey', detail: 'This API key is not accepted. Check that you pasted the whole key.' } : error);
      }
    });
  });

  view.append(h('div', { class: 'card narrow' },
    takeFlash(),
    h('h1', { id: 'signin-title', tabindex: '-1' }, 'Sign in'),
    h('p', null, 'Set up and watch the exports that keep ActiveCampaign lists in step with your segments.'),
    form));
  form.elements.apiKey.setAttribute('data-autofocus', '');
}
