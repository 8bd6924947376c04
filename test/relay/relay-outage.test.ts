import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { useKillableDatabase } from '../support/killable-database';
import { recordingTelemetry } from '../support/recording-telemetry';
import {
  acceptedCounts,
  outboxStatusCounts,
  relayFor,
  useEventBridgeEndpoint,
} from '../support/relay';
import { seedPayrollRuns } from '../support/seed';
import { waitFor } from '../support/wait';

const database = useKillableDatabase();
const endpoint = useEventBridgeEndpoint();

let stopDrain: AbortController | undefined;
afterEach(() => stopDrain?.abort());

/** Runs the relay's drain as the local loop does, until the test is done with it. */
function startDraining(relay: ReturnType<typeof relayFor>) {
  stopDrain = new AbortController();
  const drained = relay.drain({
    until: Date.now() + 120_000,
    whenIdle: 'wait',
    maxPollMs: 200,
    signal: stopDrain.signal,
  });
  // Read after the abort; a failure here would otherwise go unheard until then.
  drained.catch(() => {});
  return drained;
}

describe('the relay when the database goes away', () => {
  it('reports the outage once when it begins and once when it ends, however many attempts fail, then publishes what was committed', async () => {
    const tenantId = 'relay-outage';
    await seedPayrollRuns(database, { tenantId, runs: 20 });
    await database.kill();
    const telemetry = recordingTelemetry();
    const drained = startDraining(relayFor(database, endpoint(), { telemetry }));

    // Long enough for several attempts: they back off from 100 ms up to 2 s.
    await waitFor('the outage to be reported', () =>
      telemetry.lines.some((line) => line.message.startsWith('database unavailable')),
    );
    await sleep(3_000);
    await database.restart();
    await waitFor('every event to be published', async () => {
      return (await outboxStatusCounts(database, tenantId)).published === 20;
    });
    stopDrain?.abort();
    await drained;

    const reported = telemetry.lines.filter(
      (line) => line.level !== 'info' || /database/.test(line.message),
    );
    expect(reported.map((line) => [line.level, line.message.replace(/\d+ ms/, 'N ms')])).toEqual([
      ['warn', 'database unavailable; the relay retries until it is back'],
      ['info', 'database available again, after N ms'],
    ]);
    expect(reported[1]?.attributes.outageMs).toBeGreaterThanOrEqual(3_000);
    expect([...acceptedCounts(endpoint()).values()]).toEqual(Array(20).fill(1));
  });

  it('marks what EventBridge accepted before the connection was lost as published once the database is back, without sending it again', async () => {
    const tenantId = 'relay-outage-accepted';
    await seedPayrollRuns(database, { tenantId, runs: 10 });
    let killed = false;
    const relay = relayFor(database, endpoint(), {
      // Far longer than the test: only the relay's own record can mark them.
      leaseMs: 600_000,
      hooks: {
        async afterPublish() {
          if (killed) return;
          killed = true;
          await database.kill();
        },
      },
    });
    const drained = startDraining(relay);
    await waitFor('the database to be killed between PutEvents and its record', () => killed);
    expect(acceptedCounts(endpoint()).size).toBe(10);
    expect(await database.accepting()).toBe(false);
    await database.restart();

    await waitFor('the accepted events to be marked published', async () => {
      return (await outboxStatusCounts(database, tenantId)).published === 10;
    });
    stopDrain?.abort();
    await drained;
    expect([...acceptedCounts(endpoint()).values()]).toEqual(Array(10).fill(1));
  });
});
