// @ts-check
import { api } from '../api.js';
import { formatNumber, formatTime, h, replaceChildren, table } from '../dom.js';
import { mayUse, session } from '../session.js';
import { confirmDialog, pageHead, setFlash, takeFlash } from '../ui.js';
import { activitySection } from './export-activity.js';
import { heldBanner, memberSearch, runPreview } from './export-guard.js';
import { historyTable } from './export-history.js';
import { rejectionsSection } from './export-rejections.js';
import { isFinished, runStatus, runStatusLabel } from './run-status.js';

const POLL_MS = 1000;

const counters = [
  { key: 'members', label: 'Members' },
  { key: 'pending', label: 'Pending' },
  { key: 'inSync', label: 'In sync', tone: 'ok' },
  { key: 'optedOut', label: 'Opted out' },
  { key: 'rejected', label: 'Rejected', tone: 'bad' },
  { key: 'skippedByCap', label: 'Skipped by cap', tone: 'bad' },
  { key: 'eventsReceived', label: 'Events received' },
];

export async function render(view, [id], context) {
  const path = `/api/exports/${encodeURIComponent(id)}`;
  const [exported, connections] = await Promise.all([api(path), api('/api/connections')]);
  const connection = connections.find(c => c.id === exported.connectionId);
  const canChange = connection ? mayUse(connection) : session.canWrite;

  const liveStatus = h('p', { class: 'live-status', role: 'status', 'aria-live': 'polite', 'data-live-status': '' });
  const actionError = h('div', { class: 'alert alert-error', role: 'alert', 'data-action-error': '' });
  const paused = h('div', { class: 'alert alert-warn', role: 'status', 'data-paused': '' });
  const awaitingFirstRun = h('div', { class: 'alert alert-info', 'data-awaiting-first-run': '' },
    h('strong', null, 'Nothing has been sent to ActiveCampaign yet. '),
    canChange
      ? 'An export sends nothing before its first run: press Run now to send every member, or let its schedule start it. From then on, changes are sent as they arrive.'
      : 'An export sends nothing before its first run, which an admin or a contributor starts with Run now, or its schedule starts.');
  const counterValues = new Map(counters.map(c => [c.key, h('dd', { 'data-counter': c.key }, '0')]));
  const runsSlot = h('div', { 'data-runs': '' });
  const rejections = rejectionsSection(id, path);
  const activity = activitySection(path);
  const historySlot = h('div', { 'data-history': '' });
  const runButton = h('button', { type: 'button', class: 'button', onclick: runNow }, 'Run now');
  const editLink = h('a', { class: 'button button-secondary', href: `#/exports/${encodeURIComponent(id)}/edit` }, 'Edit');
  const pauseButton = h('button', { type: 'button', class: 'button button-secondary', onclick: () => setPaused(true) }, 'Pause');
  const resumeButton = h('button', { type: 'button', class: 'button button-secondary', onclick: () => setPaused(false) }, 'Resume');
  const reconcileButton = h('button', { type: 'button', class: 'button button-secondary', onclick: reconcile }, 'Reconcile');
  const reconciliationSlot = h('p', { class: 'hint', 'data-reconciliation': '' });
  const held = heldBanner(path, canChange, message => { actionError.textContent = message; }, () => refresh());
  const preview = runPreview(path);
  const members = memberSearch(path);
  const deleteButton = h('button', { type: 'button', class: 'button button-danger-quiet', onclick: remove }, 'Delete export');

  let timer = null;
  let lastRunsJson = '';
  let lastHistoryJson = '';
  let lastReconciliationJson = '';
  let heldBefore = -1;

  async function runNow() {
    actionError.textContent = '';
    runButton.disabled = true;
    try {
      const started = await api(`${path}/runs`, { method: 'POST' });
      liveStatus.textContent = `Run ${started.runId} started: ${formatNumber(started.total)} members to send.`;
      await refresh();
    } catch (error) {
      actionError.textContent = error.detail;
    } finally {
      runButton.disabled = false;
    }
  }

  async function reconcile() {
    actionError.textContent = '';
    reconcileButton.disabled = true;
    try {
      const started = await api(`${path}/reconciliations`, { method: 'POST' });
      liveStatus.textContent = `Reconciliation ${started.reconciliationId} started: reading the whole list.`;
      await refresh();
    } catch (error) {
      actionError.textContent = error.detail;
    } finally {
      reconcileButton.disabled = false;
    }
  }

  function showReconciliation(latest) {
    const json = JSON.stringify(latest ?? null);
    if (json === lastReconciliationJson) return;
    lastReconciliationJson = json;
    replaceChildren(reconciliationSlot, !latest
      ? 'No reconciliation yet. Reconcile reads the whole list: members deleted in ActiveCampaign are sent again, contacts unsubscribed there become opted out, contacts the export never sent are counted as strangers. It unsubscribes nobody.'
      : latest.status === 'running'
        ? `Reconciliation ${latest.reconciliationId} is running: ${formatNumber(latest.read)} contacts read.`
        : [`Last reconciliation ${latest.status} (`, formatTime(latest.finishedAt ?? latest.startedAt), `): ${formatNumber(latest.read)} read, `
          + `${formatNumber(latest.missing)} missing, ${formatNumber(latest.resent)} resent, ${formatNumber(latest.optedOut)} opted out, ${formatNumber(latest.strangers)} strangers.`
          + (latest.error ? ` ${latest.error}` : '')]);
  }

  async function setPaused(pause) {
    actionError.textContent = '';
    const button = pause ? pauseButton : resumeButton;
    button.disabled = true;
    try {
      showPaused((await api(`${path}/${pause ? 'pause' : 'resume'}`, { method: 'POST' })).paused);
      // The pressed button is hidden now: keyboard focus goes to the one that undoes it.
      (pause ? resumeButton : pauseButton).focus();
      await refresh();
    } catch (error) {
      actionError.textContent = error.detail;
    } finally {
      button.disabled = false;
    }
  }

  function showPaused(sentence) {
    paused.textContent = sentence ?? '';
    pauseButton.hidden = sentence !== null;
    resumeButton.hidden = sentence === null;
  }

  async function cancelRun(runId) {
    actionError.textContent = '';
    try {
      await api(`${path}/runs/${encodeURIComponent(runId)}/cancel`, { method: 'POST' });
      await refresh();
    } catch (error) {
      actionError.textContent = error.detail;
    }
  }

  async function remove() {
    const confirmed = await confirmDialog({
      title: `Delete export “${exported.displayName}”?`,
      body: 'It stops sending changes to ActiveCampaign, and its run history and rejections are deleted. Contacts already on the list stay there. This cannot be undone.',
      confirmLabel: 'Delete export',
    });
    if (!confirmed) return;
    actionError.textContent = '';
    try {
      await api(path, { method: 'DELETE' });
      stop();
      setFlash(`Export “${exported.displayName}” deleted.`);
      location.hash = '#/exports';
    } catch (error) {
      actionError.textContent = error.detail;
    }
  }

  function showStatus(status, runs) {
    for (const { key, tone } of counters) {
      const value = counterValues.get(key);
      value.textContent = formatNumber(status[key]);
      // Red only draws the eye when something was actually rejected or skipped.
      if (tone === 'bad') value.parentElement.classList.toggle('counter-bad', status[key] > 0);
    }
    showPaused(status.paused);
    awaitingFirstRun.hidden = !status.awaitingFirstRun;

    const active = runs.find(r => !isFinished(r.status));
    const latest = runs[0];
    let text;
    if (active) text = `Run ${active.runId} is ${runStatusLabel(active.status).toLowerCase()}.`;
    else if (status.paused) text = 'Paused: nothing is sent to ActiveCampaign.';
    else if (status.awaitingFirstRun && status.members > 0) text = `${formatNumber(status.members)} ${status.members === 1 ? 'member waits' : 'members wait'} for the first run.`;
    else if (status.pending > 0) text = 'Sending changes to ActiveCampaign…';
    else if (status.members > 0) text = `All ${formatNumber(status.inSync)} members are in sync.`;
    else text = 'No members yet: the export is waiting for segment events.';
    if (!active && latest && isFinished(latest.status) && latest.finishedAt && Date.now() - Date.parse(latest.finishedAt) < 60_000) {
      text = `Run ${latest.runId} ${runStatusLabel(latest.status).toLowerCase()}. ${text}`;
    }
    if (liveStatus.textContent !== text) liveStatus.textContent = text;
  }

  function showRuns(runs) {
    const json = JSON.stringify(runs);
    if (json === lastRunsJson) return;
    lastRunsJson = json;
    const focusedKey = /** @type {HTMLElement | null} */ (document.activeElement)?.dataset?.focusKey;
    replaceChildren(runsSlot, table({
      caption: 'Run history', label: 'Run history',
      rows: runs.map(r => ({ key: r.runId, value: r })),
      empty: 'No runs yet. Run now sends every current member in full.',
      columns: [
        { key: 'run', title: 'Run', cell: r => [h('code', null, r.runId), h('p', { class: 'hint', 'data-col': 'trigger' }, r.trigger)] },
        { key: 'status', title: 'Status', cell: r => [runStatus(r.status), r.error ? h('p', { class: 'hint' }, r.error) : null] },
        { key: 'progress', title: 'Progress', cell: r => h('span', { class: 'nowrap' },
          h('progress', { max: '1', value: String(r.progress), 'aria-label': `Run ${r.runId} progress` }), ` ${Math.round(r.progress * 100)}%`) },
        { key: 'total', title: 'Total', numeric: true, cell: r => formatNumber(r.total) },
        { key: 'sent', title: 'Sent', numeric: true, cell: r => formatNumber(r.sent) },
        { key: 'unsubscribed', title: 'Unsubscribed', numeric: true, cell: r => formatNumber(r.unsubscribed) },
        { key: 'failed', title: 'Failed', numeric: true, cell: r => formatNumber(r.failed) },
        { key: 'skippedByCap', title: 'Skipped by cap', numeric: true, cell: r => formatNumber(r.skippedByCap) },
        { key: 'time', title: 'Started / finished (UTC)', cell: r => [formatTime(r.startedAt, { zone: false }), h('br'), r.finishedAt ? formatTime(r.finishedAt, { zone: false }) : 'not yet'] },
        { key: 'actions', title: 'Actions', cell: r => (isFinished(r.status) || !canChange ? '' : h('button', {
          type: 'button', class: 'button button-secondary button-small', 'data-focus-key': `cancel-${r.runId}`,
          'aria-label': `Cancel run ${r.runId}`, onclick: () => cancelRun(r.runId) }, 'Cancel')) },
      ],
    }));
    if (focusedKey) runsSlot.querySelector(`[data-focus-key="${CSS.escape(focusedKey)}"]`)?.focus();
  }

  function showHistory(history) {
    const json = JSON.stringify(history);
    if (json === lastHistoryJson) return;
    lastHistoryJson = json;
    replaceChildren(historySlot, historyTable(history));
  }

  async function refresh() {
    try {
      const [status, runs, reconciliations] = await Promise.all([api(path), api(`${path}/runs`), api(`${path}/reconciliations`), rejections.refresh(), activity.refresh()]);
      if (!context.alive()) return;
      const heldNow = status.held?.count ?? 0;
      await Promise.all([held.show(status), canChange ? preview.refresh(heldNow !== heldBefore) : null]);
      heldBefore = heldNow;
      showStatus(status, runs);
      showReconciliation(reconciliations[0]);
      showRuns(runs);
      showHistory(status.history);
    } catch (error) {
      if (!context.alive()) return;
      actionError.textContent = error.status === 404 ? `Export “${exported.displayName}” no longer exists.` : error.detail;
      if (error.status === 404 || error.status === 401) stop();
    }
  }

  function schedule() {
    timer = setTimeout(async () => {
      if (!document.hidden) await refresh();
      if (timer !== null) schedule();
    }, POLL_MS);
  }

  function stop() {
    clearTimeout(timer);
    timer = null;
  }

  const m = exported.mapping;
  const mapped = [
    ['Email', m.email], ['First name', m.firstName], ['Last name', m.lastName], ['Phone', m.phone],
    ...m.fields.map(f => [`Custom field ${f.fieldId}`, f.attribute]),
  ].filter(([, attribute]) => attribute);

  view.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/exports' }, 'Exports'), ` / ${exported.displayName}`),
    takeFlash() ?? '',
    pageHead(exported.displayName,
      `Segments ${exported.segmentIds.join(', ')} to list ${exported.listId} on ${connection?.displayName ?? 'a deleted connection'}.`,
      ...(canChange ? [runButton, reconcileButton, editLink, pauseButton, resumeButton, deleteButton] : [])),
    canChange ? preview.element : null,
    actionError,
    held.element,
    awaitingFirstRun,
    paused,
    liveStatus,
    h('section', { 'aria-labelledby': 'status-title' },
      h('h2', { id: 'status-title' }, 'Status'),
      h('dl', { class: 'counters' }, counters.map(c => h('div', { class: `counter${c.tone === 'ok' ? ' counter-ok' : ''}` }, h('dt', null, c.label), counterValues.get(c.key)))),
      h('p', { class: 'hint' }, 'Opted out: contacts the person unsubscribed (or that bounced) in ActiveCampaign. OrleansExport never subscribes them again; only the person can.'),
      reconciliationSlot),
    members.element,
    activity.element,
    h('section', { 'aria-labelledby': 'runs-title' }, h('h2', { id: 'runs-title' }, 'Run history'), runsSlot),
    rejections.element,
    h('section', { 'aria-labelledby': 'definition-title', class: 'card' },
      h('h2', { id: 'definition-title' }, 'Definition'),
      h('dl', { class: 'definition' },
        h('dt', null, 'Connection'), h('dd', null, connection
          ? h('a', { href: `#/connections/${encodeURIComponent(connection.id)}` }, `${connection.displayName} (${connection.hostname})`)
          : `${exported.connectionId} (deleted)`),
        h('dt', null, 'List ID'), h('dd', null, exported.listId),
        h('dt', null, 'Segments'), h('dd', null, exported.segmentIds.join(', ')),
        mapped.map(([target, attribute]) => [h('dt', null, target), h('dd', null, 'from ', h('code', null, attribute))]),
        h('dt', null, 'Tags'), h('dd', null, m.tags.length ? m.tags.join(', ') : 'None'),
        h('dt', null, 'When a profile leaves'), h('dd', null, exported.onLeave === 'keep' ? 'Keep it on the list' : 'Unsubscribe it from the list'),
        h('dt', null, 'Mass-unsubscribe guard'), h('dd', null, exported.maxUnsubscribePercent === null
          ? 'Off: unsubscribes are sent however many there are'
          : `Holds unsubscribes above ${exported.maxUnsubscribePercent}% of the list (and over 100)`),
        h('dt', null, 'Schedule'), h('dd', null, exported.schedule ? h('code', null, `${exported.schedule} (UTC)`) : 'None: runs only with Run now'),
        h('dt', null, 'ActiveCampaign webhook'), h('dd', { 'data-activecampaign-webhook': '' }, exported.webhookRegistered
          ? 'Registered on the list: unsubscribes and bounces are known within seconds'
          : 'Not registered: opt-outs are learned before each re-subscribe and by reconciliations'),
        h('dt', null, 'Alert webhook'), h('dd', { 'data-alert-webhook': '' }, exported.alertWebhook ? h('code', null, exported.alertWebhook) : 'None: failures show only here'),
        h('dt', null, 'Created'), h('dd', null, formatTime(exported.createdAt), ` by ${exported.createdBy}`))),
    h('section', { 'aria-labelledby': 'history-title' },
      h('h2', { id: 'history-title' }, 'Definition history'),
      h('p', { class: 'hint' }, 'Who created, changed, paused or resumed this export, and when.'), historySlot));

  await refresh();
  schedule();
  return stop;
}
