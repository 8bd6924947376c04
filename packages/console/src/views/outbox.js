import { api } from '../api.js';
import { throughputChart } from '../lib/chart.js';
import { fill, h } from '../lib/dom.js';
import { duration, shortId, time } from '../lib/format.js';
import { loading } from './panel-state.js';

const panel = () => document.getElementById('outbox');

/** Counts, the last hour's throughput and the dead events, in one answer. */
export function loadOutbox() {
  return loading(panel(), async () => {
    const {
      status,
      throughput: flow,
      deadEvents,
    } = await api('/operator/outbox/overview', { query: { bucketSeconds: '60', buckets: '60' } });
    for (const [name, value] of Object.entries(status)) {
      const cell = panel().querySelector(`[data-count="${name}"]`);
      if (cell) cell.textContent = name === 'oldestPendingAgeMs' ? duration(value) : String(value);
    }
    fill(
      document.getElementById('throughput-chart'),
      throughputChart(
        flow.buckets,
        `Per minute over the last hour: ${sum(flow.buckets, 'occurred')} events written, ${sum(flow.buckets, 'published')} published`,
      ),
    );
    renderDead(deadEvents);
  });
}

const sum = (buckets, kind) => buckets.reduce((total, bucket) => total + bucket[kind], 0);

function renderDead(events) {
  document.getElementById('no-dead').hidden = events.length > 0;
  fill(
    document.getElementById('dead-events'),
    events.map((event) =>
      h(
        'tr',
        { 'data-event-id': event.id },
        h('td', null, h('code', { title: event.id }, shortId(event.id))),
        h('td', null, event.eventType),
        h('td', null, h('code', null, event.aggregate)),
        h('td', { class: 'num' }, event.attempts),
        h('td', null, event.reason ?? '–', h('br'), h('small', null, time(event.occurredAt))),
        h(
          'td',
          null,
          h(
            'button',
            {
              type: 'button',
              'aria-label': `Retry event ${shortId(event.id)} (${event.eventType})`,
              onclick: () => confirmRetry(event),
            },
            'Retry',
          ),
        ),
      ),
    ),
  );
}

/**
 * The confirmation dialog: a native modal <dialog>, which traps focus and
 * closes on Escape by itself. The retry is sent only on "Retry event", with
 * the reason the operator gave; the page then follows the event until the
 * relay has published it.
 */
function confirmRetry(event) {
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById('retry-dialog'));
  const reason = /** @type {HTMLTextAreaElement} */ (document.getElementById('retry-reason'));
  document.getElementById('retry-event').textContent = `${event.id} (${event.eventType})`;
  reason.value = '';
  // A previous confirmation must not count for a dialog closed with Escape.
  dialog.returnValue = '';
  const opener = document.activeElement;
  dialog.addEventListener(
    'close',
    async () => {
      if (opener instanceof HTMLElement) opener.focus();
      if (dialog.returnValue !== 'confirm') return;
      const error = document.getElementById('error');
      try {
        await api(`/operator/dead-events/${event.id}/retry`, {
          method: 'POST',
          body: { reason: reason.value },
        });
        await followUntilPublished(event.id);
      } catch (failure) {
        error.textContent = `Retry failed: ${failure.message}`;
        error.hidden = false;
      }
    },
    { once: true },
  );
  dialog.showModal();
}

/** Reloads the view a few times a second until the retried event has left the dead list and nothing is pending. */
async function followUntilPublished(eventId) {
  for (let i = 0; i < 40; i++) {
    await loadOutbox();
    const stillDead = panel().querySelector(`tr[data-event-id="${eventId}"]`);
    const pending = panel().querySelector('[data-count="pending"]')?.textContent;
    if (!stillDead && pending === '0') return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
