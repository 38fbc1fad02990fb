import { api } from '../api.js';
import { h } from '../dom.js';
import { clearErrors, formAlert, radioGroup, selectField, showError, submitting, textField } from '../forms.js';
import { mayUse, session } from '../session.js';
import { pageHead, setFlash } from '../ui.js';

const schedules = [
  { value: '', label: 'No schedule: run only with Run now' },
  { value: '0 * * * *', label: 'Every hour (0 * * * *)' },
  { value: '0 2 * * *', label: 'Every day at 02:00 UTC (0 2 * * *)' },
  { value: '0 2 * * 1', label: 'Every Monday at 02:00 UTC (0 2 * * 1)' },
  { value: 'custom', label: 'Custom cron expression…' },
];

export async function render(view) {
  const breadcrumb = h('p', { class: 'breadcrumb' }, h('a', { href: '#/exports' }, 'Exports'), ' / Add destination');
  if (!session.canWrite) {
    view.append(breadcrumb, pageHead('Add destination'), h('div', { class: 'alert alert-warn', role: 'status' }, 'Viewers cannot add exports. Ask an admin or a contributor.'));
    return;
  }

  const usable = (await api('/api/connections')).filter(mayUse);
  if (usable.length === 0) {
    view.append(breadcrumb, pageHead('Add destination'), h('div', { class: 'alert alert-warn', role: 'status' },
      session.isAdmin
        ? ['There is no connection yet. ', h('a', { href: '#/connections/new' }, 'Add a connection'), ' first.']
        : 'No connection allows contributors yet. Ask an admin to add one, or to allow contributors on an existing one.'));
    return;
  }

  const fieldRows = h('div', { 'data-rows': 'fields' });
  const tagRows = h('div', { 'data-rows': 'tags' });
  let rowCounter = 0;

  function addFieldRow() {
    const n = ++rowCounter;
    const row = h('div', { class: 'repeat-row', 'data-field-row': '' },
      textField({ id: `field-attribute-${n}`, label: `Profile attribute ${fieldRows.children.length + 1}`, field: `field-attribute-${n}`, required: true, placeholder: 'e.g. Tier' }),
      textField({ id: `field-id-${n}`, label: 'ActiveCampaign field ID', field: `field-id-${n}`, type: 'number', inputmode: 'numeric', min: 1, required: true, placeholder: 'e.g. 7' }),
      h('button', { type: 'button', class: 'button button-secondary button-small', 'aria-label': `Remove profile attribute ${fieldRows.children.length + 1}`,
        onclick: () => { row.remove(); form.querySelector('[data-add="field"]').focus(); } }, 'Remove'));
    fieldRows.append(row);
    row.querySelector('input').focus();
  }

  function addTagRow() {
    const n = ++rowCounter;
    const row = h('div', { class: 'repeat-row', 'data-tag-row': '' },
      textField({ id: `tag-${n}`, label: `Tag ${tagRows.children.length + 1}`, field: `tag-${n}`, required: true, placeholder: 'e.g. from-segments' }),
      h('button', { type: 'button', class: 'button button-secondary button-small', 'aria-label': `Remove tag ${tagRows.children.length + 1}`,
        onclick: () => { row.remove(); form.querySelector('[data-add="tag"]').focus(); } }, 'Remove'));
    tagRows.append(row);
    row.querySelector('input').focus();
  }

  const customCron = textField({ id: 'schedule-cron', label: 'Cron expression (UTC)', field: 'schedule-cron', placeholder: 'e.g. */30 * * * *',
    hint: 'Five fields: minute hour day-of-month month day-of-week.' });
  customCron.hidden = true;
  const schedule = selectField({ id: 'schedule', label: 'Schedule', field: 'schedule', options: schedules,
    hint: 'A scheduled run resends every member in full. Changes between runs are sent as they arrive.' });
  // The cron box belongs to the schedule: an error about the schedule shows under both.
  schedule.querySelector(':scope > .field-error').before(customCron);
  const cronInput = customCron.querySelector('input');
  cronInput.setAttribute('aria-describedby', `${cronInput.getAttribute('aria-describedby')} schedule-error`);

  const form = h('form', { novalidate: true, 'aria-labelledby': 'export-title' },
    formAlert(),
    h('fieldset', null, h('legend', null, 'Destination'),
      textField({ id: 'display-name', label: 'Export name', field: 'displayName', required: true, hint: 'e.g. “High-value customers to newsletter”.' }),
      selectField({ id: 'connection', label: 'Connection', field: 'connectionId', required: true,
        hint: 'Only connections you may use are listed.',
        options: [{ value: '', label: 'Choose a connection…' }, ...usable.map(c => ({ value: c.id, label: `${c.displayName} (${c.hostname})` }))] }),
      textField({ id: 'list-id', label: 'List ID', field: 'listId', required: true, inputmode: 'numeric',
        hint: 'The id of the ActiveCampaign list to keep in step (in ActiveCampaign, open the list: the id is in the address).' }),
      textField({ id: 'segments', label: 'Segments', field: 'segmentIds', required: true,
        hint: 'Segment ids whose members are exported, separated by commas, e.g. high-value, newsletter.' })),
    h('fieldset', null, h('legend', null, 'Data matching'),
      h('p', { class: 'hint' }, 'For each ActiveCampaign contact field, the profile attribute that fills it. Contacts are matched by email.'),
      textField({ id: 'map-email', label: 'Email', field: 'mapping.email', required: true, placeholder: 'e.g. EmailAddress', hint: 'Profile attribute holding the email address.' }),
      textField({ id: 'map-first-name', label: 'First name', field: 'mapping.firstName', placeholder: 'e.g. FirstName' }),
      textField({ id: 'map-last-name', label: 'Last name', field: 'mapping.lastName', placeholder: 'e.g. LastName' }),
      textField({ id: 'map-phone', label: 'Phone', field: 'mapping.phone', placeholder: 'e.g. Phone' }),
      h('fieldset', { 'data-field': 'mapping.fields' }, h('legend', null, 'Custom fields'),
        h('p', { class: 'hint' }, 'Send more profile attributes to ActiveCampaign custom fields (by field ID).'),
        fieldRows,
        h('button', { type: 'button', class: 'button button-secondary', 'data-add': 'field', onclick: addFieldRow }, 'Add attribute'),
        h('p', { class: 'field-error', id: 'mapping-fields-error' })),
      h('fieldset', { 'data-field': 'mapping.tags' }, h('legend', null, 'Tags'),
        h('p', { class: 'hint' }, 'Tags added to every exported contact.'),
        tagRows,
        h('button', { type: 'button', class: 'button button-secondary', 'data-add': 'tag', onclick: addTagRow }, 'Add tag'),
        h('p', { class: 'field-error', id: 'mapping-tags-error' }))),
    h('fieldset', null, h('legend', null, 'Sending'),
      radioGroup({ id: 'on-leave', legend: 'When a profile leaves the segments', field: 'onLeave', value: 'unsubscribe', options: [
        { value: 'unsubscribe', label: 'Unsubscribe it from the list', hint: 'The default.' },
        { value: 'keep', label: 'Keep it on the list' },
      ] }),
      schedule),
    h('div', { class: 'form-footer' },
      h('button', { type: 'submit', class: 'button' }, 'Save'),
      h('a', { href: '#/exports', class: 'button button-secondary' }, 'Cancel'),
      h('p', { class: 'hint', id: 'save-hint' }, 'Saving does not run the export. Run it from its page with Run now.')));

  const scheduleChoice = form.querySelector('#schedule');
  scheduleChoice.addEventListener('change', () => {
    customCron.hidden = scheduleChoice.value !== 'custom';
    if (!customCron.hidden) cronInput.focus();
  });

  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearErrors(form);
    const value = name => form.querySelector(`[data-field="${name}"] input, [data-field="${name}"] select`).value.trim();
    const body = {
      displayName: value('displayName'),
      connectionId: value('connectionId'),
      listId: value('listId'),
      segmentIds: value('segmentIds').split(',').map(s => s.trim()).filter(Boolean),
      mapping: {
        email: value('mapping.email'),
        firstName: value('mapping.firstName') || null,
        lastName: value('mapping.lastName') || null,
        phone: value('mapping.phone') || null,
        fields: [...fieldRows.querySelectorAll('[data-field-row]')].map(row => {
          const [attribute, fieldId] = row.querySelectorAll('input');
          return { attribute: attribute.value.trim(), fieldId: Number.parseInt(fieldId.value, 10) || 0 };
        }),
        tags: [...tagRows.querySelectorAll('input')].map(i => i.value.trim()).filter(Boolean),
      },
      onLeave: form.elements.onLeave.value,
      schedule: scheduleChoice.value === 'custom' ? cronInput.value.trim() || null : scheduleChoice.value || null,
    };

    await submitting(form, 'Saving…', async () => {
      try {
        const saved = await api('/api/exports', { method: 'POST', body });
        setFlash(`Export “${saved.displayName}” saved. Saving does not run it: use Run now to send every current member. New changes are sent as they arrive.`);
        location.hash = `#/exports/${encodeURIComponent(saved.id)}`;
      } catch (error) {
        showError(form, error);
      }
    });
  });

  view.append(breadcrumb, h('div', { class: 'card' }, pageHead('Add destination', 'Send the members of your segments to an ActiveCampaign list.'), form));
  view.querySelector('h1').id = 'export-title';
}
