// @ts-check
import { api } from '../api.js';
import { formatNumber, formatTime, h, replaceChildren } from '../dom.js';

const MINUTES = 60;
const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 64, right: 16, top: 20, bottom: 28 };

// SVG elements need their namespace; attributes are set as attributes and text as text nodes, like h().
function s(tag, attributes, ...children) {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes ?? {})) element.setAttribute(name, String(value));
  for (const child of children.flat(Infinity)) if (child !== null && child !== undefined) element.append(child instanceof Node ? child : String(child));
  return element;
}

// A share too small for two decimals still says that something was used.
export const percent = share => (share > 0 && share < 0.0001 ? 'under 0.01%' : `${(share * 100).toLocaleString('en-US', { maximumFractionDigits: share < 0.1 ? 2 : 1 })}%`);
const clock = iso => new Date(iso).toISOString().slice(11, 16);

/**
 * Contacts accepted (and rejected) per minute over the last hour as bars, against the account's ceiling. When the
 * ceiling is far above what the export sends, the bars keep a readable scale and the ceiling is named at the top.
 */
export function activityChart(activity) {
  const buckets = activity.buckets;
  const peak = Math.max(...buckets.map(b => b.accepted + b.rejected), 0);
  const ceiling = activity.ceilingContactsPerMinute;
  const ceilingInView = ceiling <= Math.max(peak, 1) * 4;
  const top = ceilingInView ? ceiling * 1.1 : Math.max(peak * 1.25, 10);
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const y = value => PAD.top + plotHeight - (value / top) * plotHeight;
  const slot = plotWidth / buckets.length;
  const barWidth = Math.max(1, slot - 2);

  const grid = [0, top / 2, top].map(value => [
    s('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(value), y2: y(value), class: 'chart-grid' }),
    s('text', { x: PAD.left - 6, y: y(value) + 4, 'text-anchor': 'end', class: 'chart-label' }, formatNumber(Math.round(value))),
  ]);
  const bars = buckets.map((b, i) => {
    const x = PAD.left + i * slot + 1;
    return s('g', { 'data-minute': b.minute },
      s('title', null, `${clock(b.minute)} UTC: ${formatNumber(b.accepted)} accepted, ${formatNumber(b.rejected)} rejected, ${formatNumber(b.imports)} imports`),
      b.accepted > 0 ? s('rect', { x, y: y(b.accepted), width: barWidth, height: y(0) - y(b.accepted), class: 'chart-accepted' }) : null,
      b.rejected > 0 ? s('rect', { x, y: y(b.accepted + b.rejected), width: barWidth, height: y(b.accepted) - y(b.accepted + b.rejected), class: 'chart-rejected' }) : null);
  });
  const ticks = buckets.map((b, i) => (i % 10 === 0 || i === buckets.length - 1
    ? s('text', { x: PAD.left + i * slot + slot / 2, y: HEIGHT - 8, 'text-anchor': 'middle', class: 'chart-label' }, clock(b.minute))
    : null));
  const ceilingMark = ceilingInView
    ? [s('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(ceiling), y2: y(ceiling), class: 'chart-ceiling', 'data-ceiling': '' }),
      s('text', { x: WIDTH - PAD.right, y: y(ceiling) - 5, 'text-anchor': 'end', class: 'chart-ceiling-label' }, `Account ceiling ${formatNumber(ceiling)}/min`)]
    : s('text', { x: WIDTH - PAD.right, y: PAD.top - 6, 'text-anchor': 'end', class: 'chart-ceiling-label', 'data-ceiling': '' },
      `Account ceiling ${formatNumber(ceiling)}/min (above this scale)`);

  const accepted = buckets.reduce((sum, b) => sum + b.accepted, 0);
  return s('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'activity-chart', role: 'img', 'data-activity-chart': '',
    'aria-label': `Contacts accepted per minute over the last ${buckets.length} minutes: ${formatNumber(accepted)} in all, at most ${formatNumber(peak)} in a minute, against an account ceiling of ${formatNumber(ceiling)} per minute.`,
  }, grid, ceilingMark, bars, ticks);
}

/** The export page's delivery section: the chart, the share of the account's import budget and a running run's ETA. */
export function activitySection(path) {
  const chartSlot = h('div', { class: 'chart-wrap' });
  const summary = h('p', { 'data-activity-summary': '' });
  const eta = h('p', { class: 'hint', 'data-activity-eta': '' });
  const element = h('section', { 'aria-labelledby': 'activity-title', class: 'card' },
    h('h2', { id: 'activity-title' }, 'Delivery, last hour'),
    h('p', { class: 'hint' },
      h('span', { class: 'legend legend-accepted' }), ' accepted ', h('span', { class: 'legend legend-rejected' }), ' rejected, contacts per minute (UTC).'),
    chartSlot, summary, eta);
  let lastJson = '';

  async function refresh() {
    const activity = await api(`${path}/activity?minutes=${MINUTES}`);
    const json = JSON.stringify({ ...activity, eta: null });
    if (json !== lastJson) {
      lastJson = json;
      replaceChildren(chartSlot, activityChart(activity));
      const accepted = activity.buckets.reduce((sum, b) => sum + b.accepted, 0);
      const rejected = activity.buckets.reduce((sum, b) => sum + b.rejected, 0);
      summary.textContent = `${formatNumber(accepted)} contacts accepted and ${formatNumber(rejected)} rejected in ${formatNumber(activity.importsUsed)} imports: `
        + `${percent(activity.budgetShare)} of the account's import budget for the hour (${formatNumber(Math.round(activity.importBudget))} imports; `
        + `at most ${formatNumber(activity.ceilingContactsPerMinute)} contacts per minute).`;
    }
    replaceChildren(eta, activity.eta
      ? [`Run ${activity.runId} should end at about `, formatTime(activity.eta), ' at the account’s pace.']
      : 'No run is going.');
  }

  return { element, refresh };
}
