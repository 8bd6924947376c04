import { api } from '../api.js';
import { fill, h } from '../lib/dom.js';
import { time } from '../lib/format.js';
import { loading } from './panel-state.js';

const panel = () => document.getElementById('reconcile');

/**
 * The reconcile report: the history (transitions, audit rows, events) and
 * the books (money-moving events, journal entries, audit rows; balanced
 * entries; running balances), one row per tenant and event type, every
 * mismatch marked in colour and in words.
 */
export function loadReconcile() {
  return loading(panel(), async () => {
    const report = await api('/operator/reconcile');
    const pruned = report.prunedBefore
      ? ` Versions before ${time(report.prunedBefore)} are not checked: their published events were pruned.`
      : '';
    document.getElementById('reconcile-summary').textContent =
      balance(report.rows.length, report.mismatches.length) + pruned;
    fill(
      document.getElementById('reconcile-rows'),
      rows(report.rows, report.mismatches, (row) => [row.transitions, row.audits, row.events]),
    );
    const { books } = report;
    const faults = [
      ...books.balanceMismatches.map(
        (m) =>
          `Account ${m.code} (${m.currency}) of ${m.tenantId}: its counters say debits ${m.debitsPosted}, credits ${m.creditsPosted}; its postings add up to debits ${m.debitsOfPostings}, credits ${m.creditsOfPostings} (minor units).`,
      ),
      ...books.entryFaults.map(
        (f) =>
          `Journal entry ${f.entryId} of ${f.tenantId}: ${f.fault}${f.currency ? ` (${f.currency})` : ''}.`,
      ),
    ];
    document.getElementById('books-summary').textContent =
      books.rows.length === 0 && faults.length === 0
        ? 'No money moved in the checked period.'
        : `${balance(books.rows.length, books.mismatches.length)}${faults.length > 0 ? ` ${faults.length} fault(s) in the books, listed below.` : ''}`;
    fill(
      document.getElementById('books-rows'),
      rows(books.rows, books.mismatches, (row) => [
        row.events,
        row.entries,
        row.audits,
        row.unmatched,
      ]),
    );
    fill(
      document.getElementById('books-faults'),
      faults.map((fault) => h('li', { class: 'mismatch' }, fault)),
    );
  });
}

const balance = (all, bad) =>
  bad === 0 ? `All ${all} rows balance.` : `${bad} of ${all} rows do not balance.`;

/** One table row per report row: tenant, event type, its counts, and whether it balances. */
function rows(all, mismatches, counts) {
  const mismatched = new Set(mismatches.map((row) => `${row.tenantId}/${row.eventType}`));
  return all.map((row) => {
    const bad = mismatched.has(`${row.tenantId}/${row.eventType}`);
    return h(
      'tr',
      { class: bad ? 'mismatch' : '' },
      h('td', null, row.tenantId),
      h('td', null, h('code', null, row.eventType)),
      counts(row).map((count) => h('td', { class: 'num' }, count)),
      h('td', null, bad ? 'No: mismatch' : 'Yes'),
    );
  });
}
