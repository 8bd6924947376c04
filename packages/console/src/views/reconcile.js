import { api } from '../api.js';
import { fill, h } from '../lib/dom.js';
import { time } from '../lib/format.js';
import { loading } from './panel-state.js';

const panel = () => document.getElementById('reconcile');

/** The reconcile report: one row per tenant and event type, mismatches marked in colour and words. */
export function loadReconcile() {
  return loading(panel(), async () => {
    const report = await api('/operator/reconcile');
    const mismatched = new Set(report.mismatches.map((row) => `${row.tenantId}/${row.eventType}`));
    const pruned = report.prunedBefore
      ? ` Versions before ${time(report.prunedBefore)} are not checked: their published events were pruned.`
      : '';
    document.getElementById('reconcile-summary').textContent =
      (report.mismatches.length === 0
        ? `All ${report.rows.length} rows balance.`
        : `${report.mismatches.length} of ${report.rows.length} rows do not balance.`) + pruned;
    fill(
      document.getElementById('reconcile-rows'),
      report.rows.map((row) => {
        const bad = mismatched.has(`${row.tenantId}/${row.eventType}`);
        return h(
          'tr',
          { class: bad ? 'mismatch' : '' },
          h('td', null, row.tenantId),
          h('td', null, h('code', null, row.eventType)),
          h('td', { class: 'num' }, row.transitions),
          h('td', { class: 'num' }, row.audits),
          h('td', { class: 'num' }, row.events),
          h('td', null, bad ? 'No: mismatch' : 'Yes'),
        );
      }),
    );
  });
}
