// @ts-check
import { api } from '../api.js';
import { formatNumber, h, table } from '../dom.js';
import { percent } from './export-activity.js';


// Set through the CSSOM: the console's Content-Security-Policy refuses style attributes.
function shareBar(fraction) {
  const bar = h('span', { class: 'usage-bar', 'aria-hidden': 'true' });
  bar.style.width = `${(fraction * 8).toFixed(2)}rem`;
  return bar;
}

/** Which exports share the connection's ActiveCampaign account, and how much of its import budget each used in the last hour. */
export async function usageSection(path) {
  const usage = await api(`${path}/usage?minutes=60`);
  const busiest = Math.max(...usage.exports.map(e => e.imports), 1);
  return h('section', { 'aria-labelledby': 'usage-title', class: 'card', 'data-usage': '' },
    h('h2', { id: 'usage-title' }, 'Account budget, last hour'),
    h('p', { 'data-usage-summary': '' },
      `Every export to ${usage.hostname} shares its budget of ${formatNumber(usage.ceilingImportsPerMinute)} imports `
      + `(${formatNumber(usage.ceilingContactsPerMinute)} contacts) per minute. In the last hour they used ${formatNumber(usage.importsUsed)} `
      + `of ${formatNumber(Math.round(usage.importBudget))} imports: ${percent(usage.budgetShare)}.`),
    table({
      caption: 'Exports sharing the account', label: 'Exports sharing the account',
      rows: usage.exports.map(e => ({ key: e.exportId, value: e })),
      empty: 'No export sends to this account yet.',
      columns: [
        { key: 'export', title: 'Export', cell: e => [h('a', { href: `#/exports/${encodeURIComponent(e.exportId)}` }, e.displayName),
          e.connectionId !== usage.connectionId ? h('p', { class: 'hint' }, `through connection ${e.connectionId}`) : null] },
        { key: 'imports', title: 'Imports', numeric: true, cell: e => formatNumber(e.imports) },
        { key: 'share', title: 'Share of the budget', cell: e => h('span', { class: 'nowrap' }, shareBar(e.imports / busiest), percent(e.budgetShare)) },
        { key: 'sent', title: 'Contacts sent', numeric: true, cell: e => formatNumber(e.sent) },
        { key: 'accepted', title: 'Accepted', numeric: true, cell: e => formatNumber(e.accepted) },
      ],
    }));
}
