// @ts-check
import { api } from '../api.js';
import { formatNumber, formatTime, h, replaceChildren } from '../dom.js';
import { clearErrors, formAlert, pickerField, radioGroup, selectField, showError, submitting, textField } from '../forms.js';
import { session } from '../session.js';

const schedules = [
  { value: '', label: 'No schedule: run only with Run now' },
  { value: '0 * * * *', label: 'Every hour (0 * * * *)' },
  { value: '0 2 * * *', label: 'Every day at 02:00 UTC (0 2 * * *)' },
  { value: '0 2 * * 1', label: 'Every Monday at 02:00 UTC (0 2 * * 1)' },
  { value: 'custom', label: 'Custom cron expression…' },
];

const members = n => `${formatNumber(n)} ${n === 1 ? 'member' : 'members'}`;

/**
 * The export form of Add destination and of Edit. With `connections` the connection is chosen (POST body);
 * with `exported` the form starts from that export and shows its connection, which cannot change.
 * `segments` is GET /api/segments. The list and the custom fields are chosen by name from the connection's
 * account, tags suggested from it; when the account cannot be read, their ids are typed instead.
 * `save(body)` sends what the form holds; an ApiError it throws is shown next to the field it names.
 * Returns the form and `read`, which gives the body as the form holds it now.
 * @param {{ connections?: any[], connection?: any, exported?: any, segments: any[], firstRun: boolean, submitLabel: string,
 *   busyLabel: string, footerHint: string, cancelHref: string, save: (body: any) => Promise<void> }} options
 */
export function exportForm({ connections, connection, exported, segments, firstRun, submitLabel, busyLabel, footerHint, cancelHref, save }) {
  const fieldRows = h('div', { 'data-rows': 'fields' });
  const tagRows = h('div', { 'data-rows': 'tags' });
  const tagSuggestions = h('datalist', { id: 'tag-suggestions' });
  const accountStatus = h('div', { class: 'account-status', role: 'status', 'data-account-status': '' });
  const listSlot = h('div', { 'data-list-slot': '' });
  // The ids the form holds, whichever control (picker or typed) shows them now.
  let listId = String(exported?.listId ?? '');
  const rows = [];
  let account = { state: 'none' };
  let loads = 0;
  let rowCounter = 0;

  function addFieldRow({ attribute = '', fieldId = '' } = {}, focus = true) {
    const n = ++rowCounter;
    const position = fieldRows.children.length + 1;
    const entry = { n, fieldId: String(fieldId), slot: h('div', { class: 'field-slot' }) };
    const row = h('div', { class: 'repeat-row', 'data-field-row': '' },
      textField({ id: `field-attribute-${n}`, label: `Profile attribute ${position}`, field: `field-attribute-${n}`, required: true, placeholder: 'e.g. Tier', value: attribute }),
      entry.slot,
      h('button', { type: 'button', class: 'button button-secondary button-small', 'aria-label': `Remove profile attribute ${position}`,
        onclick: () => { rows.splice(rows.indexOf(entry), 1); row.remove(); form.querySelector('[data-add="field"]').focus(); } }, 'Remove'));
    entry.attribute = row.querySelector('input');
    rows.push(entry);
    showFieldChooser(entry);
    fieldRows.append(row);
    if (focus) entry.attribute.focus();
  }

  function addTagRow(tag = '', focus = true) {
    const n = ++rowCounter;
    const row = h('div', { class: 'repeat-row', 'data-tag-row': '' },
      textField({ id: `tag-${n}`, label: `Tag ${tagRows.children.length + 1}`, field: `tag-${n}`, required: true, placeholder: 'e.g. from-segments', value: tag }),
      h('button', { type: 'button', class: 'button button-secondary button-small', 'aria-label': `Remove tag ${tagRows.children.length + 1}`,
        onclick: () => { row.remove(); form.querySelector('[data-add="tag"]').focus(); } }, 'Remove'));
    row.querySelector('input').setAttribute('list', tagSuggestions.id);
    tagRows.append(row);
    if (focus) row.querySelector('input').focus();
  }

  /** The account's items as options; an id the export holds that the account no longer has stays choosable. */
  function options(items, value, label) {
    const known = items.map(item => ({ value: item.id, label: `${label(item)} (ID ${item.id})` }));
    return value && !items.some(item => item.id === value) ? [...known, { value, label: `ID ${value} (not in this account)` }] : known;
  }

  const typed = () => account.state === 'failed' || account.state === 'unavailable';
  const waiting = () => (account.state === 'none' ? 'Choose a connection first' : 'Loading from ActiveCampaign…');

  function showListChooser() {
    const hint = 'The ActiveCampaign list to keep in step.';
    replaceChildren(listSlot, typed()
      ? textField({ id: 'list-id', label: 'List ID', field: 'listId', required: true, inputmode: 'numeric', value: listId,
        hint: 'The id of the ActiveCampaign list (in ActiveCampaign, open the list: the id is in the address).' })
      : pickerField({ id: 'list-id', label: 'List', field: 'listId', required: true, hint, noun: 'lists', filterLabel: 'Find a list by name',
        disabled: account.state !== 'loaded', placeholder: account.state === 'loaded' ? 'Choose a list…' : waiting(),
        items: account.state === 'loaded' ? options(account.lists, listId, l => l.name) : [], value: listId,
        onchange: value => { listId = value; } }));
    if (typed()) listSlot.querySelector('input').addEventListener('input', event => { listId = event.target.value.trim(); });
  }

  function showFieldChooser(entry) {
    const id = `field-id-${entry.n}`;
    replaceChildren(entry.slot, typed()
      ? textField({ id, label: 'ActiveCampaign field ID', field: id, type: 'number', inputmode: 'numeric', min: 1, required: true, placeholder: 'e.g. 7', value: entry.fieldId })
      : pickerField({ id, label: 'ActiveCampaign field', field: id, required: true, noun: 'fields', filterLabel: 'Find a field by title',
        disabled: account.state !== 'loaded', placeholder: account.state === 'loaded' ? 'Choose a field…' : waiting(),
        items: account.state === 'loaded' ? options(account.fields, entry.fieldId, f => f.title) : [], value: entry.fieldId,
        onchange: value => { entry.fieldId = value; } }));
    if (typed()) entry.slot.querySelector('input').addEventListener('input', event => { entry.fieldId = event.target.value.trim(); });
  }

  function showAccount() {
    showListChooser();
    rows.forEach(showFieldChooser);
    replaceChildren(tagSuggestions, account.state === 'loaded' ? account.tags.map(t => h('option', { value: t.tag })) : []);
    accountStatus.className = typed() ? 'account-status alert alert-warn' : 'account-status hint';
    replaceChildren(accountStatus, accountMessage());
  }

  function accountMessage() {
    const plural = (n, one) => `${formatNumber(n)} ${one}${n === 1 ? '' : 's'}`;
    switch (account.state) {
      case 'none': return 'Choose a connection to pick from its account’s lists, custom fields and tags.';
      case 'loading': return 'Loading the account’s lists, custom fields and tags…';
      case 'unavailable': return 'Its connection no longer exists: type the IDs of the list and the custom fields.';
      case 'loaded': return `From the account: ${plural(account.lists.length, 'list')}, ${plural(account.fields.length, 'custom field')} and ${plural(account.tags.length, 'tag')}.`;
      default: return [pickerFailure(account.error, account.connectionId), ' Type the IDs of the list and the custom fields instead. ',
        h('button', { type: 'button', class: 'button button-secondary button-small', onclick: () => load(account.connectionId) }, 'Try again')];
    }
  }

  /** Reads the connection's lists, fields and tags for the pickers; a later choice of connection wins. */
  async function load(connectionId) {
    const token = ++loads;
    if (!connectionId) {
      account = { state: 'none' };
      showAccount();
      return;
    }

    account = { state: 'loading' };
    showAccount();
    const base = `/api/connections/${encodeURIComponent(connectionId)}`;
    let next;
    try {
      const [lists, fields, tags] = await Promise.all(['lists', 'fields', 'tags'].map(what => api(`${base}/${what}`)));
      next = { state: 'loaded', lists, fields, tags };
    } catch (error) {
      next = { state: 'failed', error, connectionId };
    }

    if (token !== loads) return;
    account = next;
    showAccount();
  }

  const customCron = textField({ id: 'schedule-cron', label: 'Cron expression (UTC)', field: 'schedule-cron', placeholder: 'e.g. 0 */6 * * *',
    hint: 'Five fields: minute hour day-of-month month day-of-week.' });
  const schedule = selectField({ id: 'schedule', label: 'Schedule', field: 'schedule', options: schedules,
    hint: 'A scheduled run resends every member in full. Changes between runs are sent as they arrive.' });
  // The cron box belongs to the schedule: an error about the schedule shows under both.
  schedule.querySelector(':scope > .field-error').before(customCron);
  const cronInput = customCron.querySelector('input');
  cronInput.setAttribute('aria-describedby', `${cronInput.getAttribute('aria-describedby')} schedule-error`);
  const scheduleChoice = schedule.querySelector('select');
  const current = exported?.schedule ?? '';
  const preset = schedules.some(s => s.value === current && s.value !== 'custom');
  scheduleChoice.value = preset ? current : 'custom';
  cronInput.value = preset ? '' : current;
  customCron.hidden = preset;
  scheduleChoice.addEventListener('change', () => {
    customCron.hidden = scheduleChoice.value !== 'custom';
    if (!customCron.hidden) cronInput.focus();
  });

  const picker = segmentPicker(segments, exported?.segmentIds ?? [], firstRun);
  const form = h('form', { novalidate: true, 'aria-labelledby': 'export-title' },
    formAlert(),
    h('fieldset', null, h('legend', null, 'Destination'),
      textField({ id: 'display-name', label: 'Export name', field: 'displayName', required: true, value: exported?.displayName,
        hint: 'e.g. “High-value customers to newsletter”.' }),
      connections
        ? selectField({ id: 'connection', label: 'Connection', field: 'connectionId', required: true,
          hint: 'Only connections you may use are listed.',
          options: [{ value: '', label: 'Choose a connection…' }, ...connections.map(c => ({ value: c.id, label: `${c.displayName} (${c.hostname})` }))] })
        : h('div', { class: 'field' },
          h('p', { class: 'label' }, 'Connection'),
          h('p', { 'data-connection': '' }, connection ? `${connection.displayName} (${connection.hostname})` : `${exported.connectionId} (deleted)`),
          h('p', { class: 'hint' }, 'An export keeps its connection. To send to another account, add a destination.')),
      accountStatus,
      listSlot,
      picker.fieldset),
    h('fieldset', null, h('legend', null, 'Data matching'),
      h('p', { class: 'hint' }, 'For each ActiveCampaign contact field, the profile attribute that fills it. Contacts are matched by email.'),
      textField({ id: 'map-email', label: 'Email', field: 'mapping.email', required: true, placeholder: 'e.g. EmailAddress', value: exported?.mapping.email,
        hint: 'Profile attribute holding the email address.' }),
      textField({ id: 'map-first-name', label: 'First name', field: 'mapping.firstName', placeholder: 'e.g. FirstName', value: exported?.mapping.firstName }),
      textField({ id: 'map-last-name', label: 'Last name', field: 'mapping.lastName', placeholder: 'e.g. LastName', value: exported?.mapping.lastName }),
      textField({ id: 'map-phone', label: 'Phone', field: 'mapping.phone', placeholder: 'e.g. Phone', value: exported?.mapping.phone }),
      h('fieldset', { 'data-field': 'mapping.fields' }, h('legend', null, 'Custom fields'),
        h('p', { class: 'hint' }, 'Send more profile attributes to custom fields of the ActiveCampaign account.'),
        fieldRows,
        h('button', { type: 'button', class: 'button button-secondary', 'data-add': 'field', onclick: () => addFieldRow() }, 'Add attribute'),
        h('p', { class: 'field-error', id: 'mapping-fields-error' })),
      h('fieldset', { 'data-field': 'mapping.tags' }, h('legend', null, 'Tags'),
        h('p', { class: 'hint' }, 'Tags added to every exported contact. The account’s tags are suggested as you type; a new tag is created in ActiveCampaign when it is first sent.'),
        tagRows,
        tagSuggestions,
        h('button', { type: 'button', class: 'button button-secondary', 'data-add': 'tag', onclick: () => addTagRow() }, 'Add tag'),
        h('p', { class: 'field-error', id: 'mapping-tags-error' }))),
    h('fieldset', null, h('legend', null, 'Sending'),
      radioGroup({ id: 'on-leave', legend: 'When a profile leaves the segments', field: 'onLeave', value: exported?.onLeave ?? 'unsubscribe', options: [
        { value: 'unsubscribe', label: 'Unsubscribe it from the list', hint: 'The default.' },
        { value: 'keep', label: 'Keep it on the list' },
      ] }),
      schedule,
      textField({ id: 'alert-webhook', label: 'Alert webhook', field: 'alertWebhook', type: 'url', placeholder: 'https://hooks.example.com/…',
        value: exported?.alertWebhook ?? '',
        hint: 'Optional https URL that receives a small JSON message when a run fails or ends partially, when the export pauses itself or resumes, and when unsubscribes are held. It never carries contacts or keys.' }),
      textField({ id: 'max-unsubscribe-percent', label: 'Hold mass unsubscribes above (%)', field: 'maxUnsubscribePercent', type: 'number', inputmode: 'numeric', min: 1,
        value: exported ? String(exported.maxUnsubscribePercent ?? '') : '20',
        hint: 'Protects the list from a broken upstream snapshot or a wrong segment edit: when more than this percent of the contacts the export subscribed (and over 100) would be unsubscribed at once, they wait for you to release them. Empty switches the guard off.' })),
    h('div', { class: 'form-footer' },
      h('button', { type: 'submit', class: 'button' }, submitLabel),
      h('a', { href: cancelHref, class: 'button button-secondary' }, 'Cancel'),
      h('p', { class: 'hint', id: 'save-hint' }, footerHint)));

  exported?.mapping.fields.forEach(f => addFieldRow(f, false));
  exported?.mapping.tags.forEach(t => addTagRow(t, false));
  if (connections) {
    form.querySelector('#connection').addEventListener('change', event => load(event.target.value));
    showAccount();
  } else if (connection) {
    load(connection.id);
  } else {
    account = { state: 'unavailable' };
    showAccount();
  }

  function read() {
    const value = name => form.querySelector(`[data-field="${name}"] input, [data-field="${name}"] select`).value.trim();
    const percent = value('maxUnsubscribePercent');
    return {
      displayName: value('displayName'),
      ...(connections ? { connectionId: value('connectionId') } : {}),
      listId: listId.trim(),
      segmentIds: picker.selected(),
      mapping: {
        email: value('mapping.email'),
        firstName: value('mapping.firstName') || null,
        lastName: value('mapping.lastName') || null,
        phone: value('mapping.phone') || null,
        fields: rows.map(row => ({ attribute: row.attribute.value.trim(), fieldId: Number.parseInt(row.fieldId, 10) || 0 })),
        tags: [...tagRows.querySelectorAll('input')].map(i => i.value.trim()).filter(Boolean),
      },
      onLeave: form.elements.onLeave.value,
      schedule: scheduleChoice.value === 'custom' ? cronInput.value.trim() || null : scheduleChoice.value || null,
      alertWebhook: value('alertWebhook') || null,
      // Anything but a whole number goes as typed, so that the API's answer says what is wrong with it.
      maxUnsubscribePercent: percent === '' ? null : /^\d+$/.test(percent) ? Number(percent) : percent,
    };
  }

  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearErrors(form);
    await submitting(form, busyLabel, async () => {
      try {
        await save(read());
      } catch (error) {
        showError(form, error);
      }
    });
  });

  return { form, read };
}

/** Why the pickers are empty: a refused key is the admin's to rotate on the connection's page. */
function pickerFailure(error, connectionId) {
  if (error.status === 422 && error.field === 'apiKey') {
    return ['ActiveCampaign refused this connection’s API key, so its lists, fields and tags cannot be read. ',
      session.isAdmin
        ? h('a', { href: `#/connections/${encodeURIComponent(connectionId)}` }, 'Rotate the key on the connection’s page.')
        : 'Ask an admin to rotate the key.'];
  }

  return `The account’s lists, fields and tags could not be read: ${error.detail}`;
}

/**
 * Segments to tick, from GET /api/segments with their member counts, and a box for ids that have not had an
 * event yet. Says how many members the first run sends: the sum of the ticked segments, an upper bound when
 * several share profiles.
 */
function segmentPicker(segments, chosenIds, firstRun) {
  const known = new Map(segments.map(s => [s.segmentId, s]));
  const chosen = new Set(chosenIds);
  const estimate = h('p', { class: 'member-estimate', id: 'segments-estimate', role: 'status', 'data-member-estimate': '' });
  const boxes = segments.map((s, i) => {
    const id = `segment-${i}`;
    return h('div', { class: 'choice' },
      h('input', { type: 'checkbox', id, name: 'segment', value: s.segmentId, checked: chosen.has(s.segmentId), 'aria-describedby': `${id}-hint` }),
      h('div', null,
        h('label', { for: id }, s.segmentId),
        h('p', { class: 'hint', id: `${id}-hint`, 'data-segment-members': s.segmentId },
          members(s.members), s.lastEventAt ? [', last event ', formatTime(s.lastEventAt)] : null)));
  });
  const other = textField({ id: 'other-segments', label: 'Other segment ids', field: 'otherSegmentIds',
    value: chosenIds.filter(id => !known.has(id)).join(', '),
    hint: 'Segments that have not received events yet, separated by commas, e.g. high-value, newsletter.' });

  const fieldset = h('fieldset', { class: 'field', 'data-field': 'segmentIds', 'aria-describedby': 'segments-hint segments-error' },
    h('legend', null, 'Segments ', h('span', { class: 'required-mark' }, '(required)')),
    h('p', { class: 'hint', id: 'segments-hint' }, segments.length
      ? 'The segments whose members are exported. A profile in several of them is one contact.'
      : 'No segment has received events yet: type the ids of the segments to export below.'),
    segments.length ? h('div', { class: 'segment-choices' }, boxes) : null,
    other,
    estimate,
    h('p', { class: 'field-error', id: 'segments-error' }));

  function selected() {
    const typed = other.querySelector('input').value.split(',').map(s => s.trim()).filter(Boolean);
    const ticked = [...fieldset.querySelectorAll('input[name="segment"]:checked')].map(b => b.value);
    return [...new Set([...ticked, ...typed])];
  }

  function showEstimate() {
    const ids = selected();
    const seen = ids.filter(id => known.has(id));
    const unseen = ids.filter(id => !known.has(id));
    if (ids.length === 0) {
      estimate.textContent = 'Choose at least one segment.';
      return;
    }

    const total = seen.reduce((sum, id) => sum + known.get(id).members, 0);
    const count = seen.length > 1 ? `at most ${members(total)}` : members(total);
    const sentences = [
      (firstRun ? `The first run will send ${count}` : `The export will have ${count}`)
        + (seen.length > 1 ? ': the sum of the segments’ members, fewer when they share profiles.' : '.'),
    ];
    if (unseen.length) {
      sentences.push(`${unseen.join(', ')} ${unseen.length === 1 ? 'has' : 'have'} not received events yet: members that join later are exported too.`);
    }
    estimate.textContent = sentences.join(' ');
  }

  fieldset.addEventListener('input', showEstimate);
  showEstimate();
  return { fieldset, selected };
}
