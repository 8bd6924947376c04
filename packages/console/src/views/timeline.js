import { api } from '../api.js';
import { diffSnapshots } from '../lib/diff.js';
import { fill, h, saveJson } from '../lib/dom.js';
import { money, shortId, time } from '../lib/format.js';
import { loading } from './panel-state.js';

const panel = () => document.getElementById('timeline');
/** The last answer, as the API gave it: what "Export JSON" saves. */
let shown = null;

/**
 * Every version of the entities the search names, oldest first: the
 * transition, the audit row's before/after as a diff with actor and time,
 * the event and its delivery, each subscriber's receipt and what it caused;
 * then the journal entries its events booked.
 * @param {{ kind: 'entity' | 'correlation' | 'event', value: string }} search
 */
export function loadTimeline(search) {
  return loading(panel(), async () => {
    const body = await api('/operator/timeline', { query: { [search.kind]: search.value } });
    shown = { search, exportedAt: new Date().toISOString(), entities: body.entities };
    document.getElementById('timeline-export').disabled = body.entities.length === 0;
    fill(
      document.getElementById('timeline-results'),
      body.entities.length === 0
        ? h('p', { class: 'empty' }, `Nothing found for ${search.kind} ${search.value}.`)
        : body.entities.map(renderEntity),
    );
  });
}

function renderEntity(entity) {
  const heading = `${entity.aggregateType} ${entity.aggregateId}`;
  return h(
    'article',
    { class: 'entity', 'aria-label': heading },
    h('h3', null, entity.aggregateType, ' ', h('code', null, entity.aggregateId)),
    h(
      'p',
      { class: 'meta' },
      `Tenant ${entity.tenantId}, ${entity.versions.length} versions `,
      h(
        'button',
        {
          type: 'button',
          'aria-label': `Export ${heading} with proofs`,
          onclick: () => exportProofs(entity),
        },
        'Export with proofs',
      ),
    ),
    h('ol', { class: 'versions' }, entity.versions.map(renderVersion)),
    h(
      'section',
      { class: 'ledger', 'aria-label': 'Ledger entries' },
      h('h4', null, 'Ledger entries'),
      entity.ledger.length === 0
        ? h('p', { class: 'empty' }, 'None of its events moved money: no ledger entries.')
        : entity.ledger.map(renderLedgerEntry),
    ),
  );
}

/** One journal entry: which version booked it, and its postings, debits first. */
function renderLedgerEntry(entry) {
  return h(
    'table',
    { class: 'ledger-entry', 'data-entry': entry.id },
    h(
      'caption',
      null,
      `v${entry.version} ${entry.eventType}: ${entry.description}, at ${time(entry.occurredAt)}`,
    ),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { scope: 'col' }, 'Account'),
        h('th', { scope: 'col' }, 'Debit'),
        h('th', { scope: 'col' }, 'Credit'),
      ),
    ),
    h(
      'tbody',
      null,
      entry.postings.map((posting) =>
        h(
          'tr',
          null,
          h('th', { scope: 'row' }, h('code', null, posting.account)),
          h(
            'td',
            null,
            posting.side === 'debit' ? money(posting.amountMinor, posting.currency) : '',
          ),
          h(
            'td',
            null,
            posting.side === 'credit' ? money(posting.amountMinor, posting.currency) : '',
          ),
        ),
      ),
    ),
  );
}

function renderVersion(version) {
  const { event } = version;
  return h(
    'li',
    { class: 'version', 'data-version': version.version },
    h(
      'h4',
      null,
      `v${version.version} ${version.command}: ${version.fromStatus ?? '(new)'} → ${version.toStatus}`,
    ),
    h(
      'p',
      { class: 'meta' },
      `${version.audit.action} by ${version.actor} at ${time(version.occurredAt)}, correlation `,
      h('code', null, version.correlationId),
    ),
    renderDiff(version.audit.before, version.audit.after),
    h(
      'p',
      { class: 'event' },
      'Event ',
      h('code', { title: event.id }, event.type ?? '(pruned)'),
      ' ',
      h('span', { class: `status-${event.status}` }, event.status),
      event.publishedAt ? ` at ${time(event.publishedAt)}` : '',
      event.attempts !== null ? `, ${event.attempts} attempt(s)` : '',
      event.lastError ? `, last error: ${event.lastError}` : '',
    ),
    version.receipts.length > 0 &&
      h(
        'ul',
        { class: 'receipts', 'aria-label': `Receipts of v${version.version}'s event` },
        version.receipts.map((receipt) =>
          h('li', null, `Received by ${receipt.subscriber} at ${time(receipt.processedAt)}`),
        ),
      ),
    // Changes anywhere whose audit row names this event as its cause.
    version.caused.length > 0 &&
      h(
        'ul',
        { class: 'caused', 'aria-label': `Changes v${version.version}'s event caused` },
        version.caused.map((change) =>
          h(
            'li',
            null,
            `Caused ${change.aggregateType} `,
            h(
              'a',
              { href: `#/timeline/entity/${change.aggregateId}` },
              shortId(change.aggregateId),
            ),
            ` v${change.version} ${change.command}`,
          ),
        ),
      ),
  );
}

function renderDiff(before, after) {
  const changes = diffSnapshots(before, after);
  if (changes.length === 0) return h('p', { class: 'empty' }, 'No field changed.');
  const show = (value) => (value === undefined ? '' : JSON.stringify(value));
  return h(
    'table',
    { class: 'diff' },
    h('caption', { class: 'visually-hidden' }, 'Audit row: before and after'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { scope: 'col' }, 'Field'),
        h('th', { scope: 'col' }, 'Before'),
        h('th', { scope: 'col' }, 'After'),
      ),
    ),
    h(
      'tbody',
      null,
      changes.map((change) =>
        h(
          'tr',
          { 'data-field': change.field },
          h('th', { scope: 'row' }, h('code', null, change.field)),
          h(
            'td',
            { class: change.before === undefined ? '' : 'removed' },
            h('code', null, show(change.before)),
          ),
          h(
            'td',
            { class: change.after === undefined ? '' : 'added' },
            h('code', null, show(change.after)),
          ),
        ),
      ),
    ),
  );
}

/** Saves what is shown, exactly as the API answered, as a JSON file. */
export function exportTimeline() {
  if (!shown) return;
  saveJson(`timeline-${shown.search.kind}-${shown.search.value}.json`, shown);
}

/**
 * Saves one entity's history with its proofs: the document `npm run audit --
 * export` writes, which `npm run audit -- check-export` checks offline.
 */
async function exportProofs(entity) {
  const error = document.getElementById('error');
  error.hidden = true;
  try {
    const proofs = await api('/operator/audit-export', {
      query: { entity: entity.aggregateId, tenant: entity.tenantId },
    });
    saveJson(`audit-export-${entity.aggregateId}.json`, proofs);
  } catch (failure) {
    error.textContent = `Export failed: ${failure.message}`;
    error.hidden = false;
  }
}
