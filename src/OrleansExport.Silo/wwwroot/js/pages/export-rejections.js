// @ts-check
import { api, download } from '../api.js';
import { formatNumber, formatTime, h, replaceChildren, table } from '../dom.js';

const PAGE_SIZE = 100;

const kindLabels = {
  missingEmail: 'Missing email',
  invalidEmail: 'Invalid email address',
  overCap: 'Over the profile cap',
  refusedByActiveCampaign: 'Refused by ActiveCampaign',
  failedInImport: 'Failed in ActiveCampaign’s import',
  tooLarge: 'Too large to import',
  other: 'Other',
};

const kindLabel = kind => kindLabels[kind] ?? kind;

/**
 * An export's rejections: counted by reason with the latest examples, then one page of them, filtered by reason,
 * and the CSV download of every rejection the export keeps. `refresh()` reads them again (the page polls).
 */
export function rejectionsSection(exportId, path) {
  const summarySlot = h('div', { 'data-rejection-summary': '' });
  const listSlot = h('div', { 'data-rejections': '' });
  const pageStatus = h('p', { class: 'hint', 'data-rejection-page': '', 'aria-live': 'polite' });
  const error = h('div', { class: 'alert alert-error', role: 'alert' });
  const reasonSelect = h('select', { id: 'rejection-reason', 'data-rejection-filter': '', onchange: () => { offset = 0; reload(); } },
    h('option', { value: '' }, 'All reasons'));
  const previousButton = h('button', { type: 'button', class: 'button button-secondary button-small', onclick: () => turn(-PAGE_SIZE) }, 'Previous 100');
  const nextButton = h('button', { type: 'button', class: 'button button-secondary button-small', onclick: () => turn(PAGE_SIZE) }, 'Next 100');
  const downloadButton = h('button', { type: 'button', class: 'button button-secondary', 'data-download-csv': '', onclick: saveCsv }, 'Download CSV');

  let offset = 0;
  let kept = 0;
  let requests = 0;
  let lastKinds = '';
  let lastSummaryJson = '';
  let lastPageJson = '';

  function reload() {
    error.textContent = '';
    refresh().catch(failure => { error.textContent = failure.detail; });
  }

  async function saveCsv() {
    error.textContent = '';
    downloadButton.disabled = true;
    try {
      await download(`${path}/rejections.csv`, `${exportId}-rejections.csv`);
    } catch (failure) {
      error.textContent = failure.detail;
    } finally {
      downloadButton.disabled = false;
    }
  }

  function turn(by) {
    offset = Math.max(0, offset + by);
    reload();
  }

  function showSummary(summary) {
    const json = JSON.stringify(summary);
    if (json === lastSummaryJson) return;
    lastSummaryJson = json;

    // The options change only when a new reason appears, so that polling never closes the list under the pointer.
    const chosen = reasonSelect.value;
    const kinds = summary.kinds.map(k => k.kind);
    if (chosen && !kinds.includes(chosen)) kinds.push(chosen);
    if (kinds.join() !== lastKinds) {
      lastKinds = kinds.join();
      reasonSelect.replaceChildren(h('option', { value: '' }, 'All reasons'),
        ...kinds.map(kind => h('option', { value: kind }, kindLabel(kind))));
      reasonSelect.value = chosen;
    }

    replaceChildren(summarySlot, table({
      caption: 'Rejections by reason', label: 'Rejections by reason',
      rows: summary.kinds.map(k => ({ key: k.kind, value: k })),
      empty: 'No rejections: every contact sent so far was accepted.',
      columns: [
        { key: 'reason', title: 'Reason', cell: k => kindLabel(k.kind) },
        { key: 'count', title: 'Rejections', numeric: true, cell: k => formatNumber(k.count) },
        { key: 'examples', title: 'Latest examples', cell: k => h('ul', { class: 'examples' },
          k.latest.map(r => h('li', null, h('code', null, r.profileId), ` ${r.reason}`))) },
      ],
    }));
  }

  function showPage(rejections) {
    const json = JSON.stringify([offset, rejections]);
    if (json === lastPageJson) return;
    lastPageJson = json;
    replaceChildren(listSlot, table({
      caption: 'Rejections', label: 'Rejections',
      rows: rejections.map((r, i) => ({ key: `${r.profileId}-${offset + i}`, value: r })),
      empty: offset > 0 ? 'No more rejections.' : 'No rejections of this reason.',
      columns: [
        { key: 'profile', title: 'Profile', cell: r => h('code', null, r.profileId) },
        { key: 'email', title: 'Email', cell: r => r.email ?? '—' },
        { key: 'reason', title: 'Reason', cell: r => [kindLabel(r.kind), h('p', { class: 'hint' }, r.reason)] },
        { key: 'at', title: 'When', cell: r => formatTime(r.at) },
      ],
    }));
    const shown = rejections.length ? `${formatNumber(offset + 1)}–${formatNumber(offset + rejections.length)}` : 'none';
    pageStatus.textContent = `Showing ${shown} of ${formatNumber(kept)} kept, newest first.`;
    previousButton.disabled = offset === 0;
    nextButton.disabled = offset + rejections.length >= kept;
  }

  async function refresh() {
    const reason = reasonSelect.value;
    const query = `limit=${PAGE_SIZE}&offset=${offset}${reason ? `&reason=${encodeURIComponent(reason)}` : ''}`;
    const request = ++requests;
    const [summary, rejections] = await Promise.all([api(`${path}/rejections/summary`), api(`${path}/rejections?${query}`)]);
    if (request !== requests) return;
    kept = reason ? (summary.kinds.find(k => k.kind === reason)?.kept ?? 0) : summary.kept;
    showSummary(summary);
    showPage(rejections);
  }

  const element = h('section', { 'aria-labelledby': 'rejections-title' },
    h('div', { class: 'section-head' }, h('h2', { id: 'rejections-title' }, 'Rejections'), downloadButton),
    h('p', { class: 'hint' }, 'Contacts that ActiveCampaign refused or that could not be sent, counted by reason. '
      + 'The export keeps the latest 1,000 per shard; Download CSV saves every one it keeps.'),
    error,
    summarySlot,
    h('div', { class: 'filters' },
      h('div', { class: 'field' }, h('label', { for: 'rejection-reason' }, 'Reason'), reasonSelect),
      h('div', { class: 'actions' }, previousButton, nextButton)),
    pageStatus,
    listSlot);
  return { element, refresh };
}
