// @ts-check
import { h } from '../dom.js';

const labels = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  partiallySucceeded: 'Partially succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export const isFinished = status => status !== 'queued' && status !== 'running';

export const runStatusLabel = status => labels[status] ?? status;

/** A run's status as a badge; colour is never the only cue, the word is always there. */
export function runStatus(status) {
  return h('span', { class: `status status-${status}`, 'data-status': status }, runStatusLabel(status));
}
