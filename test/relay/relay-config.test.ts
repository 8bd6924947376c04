import { relayConfigFromEnv } from '@auditflow/relay';
import { describe, expect, it } from 'vitest';

describe('the relay configuration from the environment', () => {
  it('takes the defaults when only the bus is given', () => {
    expect(relayConfigFromEnv({ EVENT_BUS_NAME: 'payroll' })).toEqual({
      busName: 'payroll',
      endpoint: undefined,
      batchSize: 500,
      concurrency: 16,
      parallelPasses: 3,
      leaseMs: 60_000,
      maxAttempts: 10,
      retentionMs: 7 * 24 * 3_600_000,
      idempotencyRetentionMs: 7 * 24 * 3_600_000,
      safetyMarginMs: 10_000,
      minPollMs: 50,
      maxPollMs: 2_000,
      listen: true,
      listenHost: undefined,
    });
  });

  it('sends the LISTEN connection to another host when told, or turns it off', () => {
    expect(
      relayConfigFromEnv({
        EVENT_BUS_NAME: 'payroll',
        RELAY_LISTEN_HOST: 'db-instance.abc.eu-west-1.rds.amazonaws.com:5432',
      }),
    ).toMatchObject({
      listen: true,
      listenHost: 'db-instance.abc.eu-west-1.rds.amazonaws.com:5432',
    });
    expect(relayConfigFromEnv({ EVENT_BUS_NAME: 'payroll', RELAY_LISTEN: 'off' })).toMatchObject({
      listen: false,
    });
    // A URL could name another role: only an address is accepted.
    expect(() =>
      relayConfigFromEnv({
        EVENT_BUS_NAME: 'payroll',
        RELAY_LISTEN_HOST: 'postgres://owner:secret@db:5432/auditflow',
      }),
    ).toThrow(/RELAY_LISTEN_HOST: must be host or host:port/);
  });

  it('reads numbers from their strings and prefers the linked bus', () => {
    const config = relayConfigFromEnv({
      EVENT_BUS_NAME: 'ignored',
      SST_RESOURCE_Bus: JSON.stringify({ name: 'linked-bus', arn: 'arn:aws:events:…' }),
      EVENTBRIDGE_ENDPOINT: 'http://127.0.0.1:4010',
      RELAY_BATCH_SIZE: '480',
      RELAY_RETENTION_HOURS: '1',
    });
    expect(config).toMatchObject({
      busName: 'linked-bus',
      endpoint: 'http://127.0.0.1:4010',
      batchSize: 480,
      retentionMs: 3_600_000,
    });
  });

  it('names every invalid variable with what is wrong with it', () => {
    const attempt = () =>
      relayConfigFromEnv({
        EVENT_BUS_NAME: 'payroll',
        RELAY_BATCH_SIZE: 'lots',
        RELAY_MAX_ATTEMPTS: '-2',
        RELAY_LEASE_MS: '1.5',
        EVENTBRIDGE_ENDPOINT: 'not a url',
      });
    expect(attempt).toThrow(/^Invalid relay configuration: /);
    const message = (() => {
      try {
        attempt();
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain('RELAY_BATCH_SIZE: Invalid input: expected number');
    expect(message).toContain('RELAY_MAX_ATTEMPTS: Too small: expected number to be >0');
    expect(message).toContain('RELAY_LEASE_MS: Invalid input: expected int');
    expect(message).toContain('EVENTBRIDGE_ENDPOINT: Invalid URL');
  });

  it('refuses settings outside their bounds: a lease too short to cover a request, too many passes', () => {
    expect(() =>
      relayConfigFromEnv({
        EVENT_BUS_NAME: 'payroll',
        RELAY_LEASE_MS: '10000',
        RELAY_PARALLEL_PASSES: '50',
        RELAY_CONCURRENCY: '0',
      }),
    ).toThrow(
      /RELAY_CONCURRENCY: Too small: expected number to be >=1; RELAY_PARALLEL_PASSES: Too big: expected number to be <=8; RELAY_LEASE_MS: Too small: expected number to be >=30000/,
    );
  });

  it('refuses a missing bus, and a linked bus that is not JSON or has no name', () => {
    expect(() => relayConfigFromEnv({})).toThrow(/No event bus configured/);
    expect(() => relayConfigFromEnv({ SST_RESOURCE_Bus: '{not json' })).toThrow(
      /SST_RESOURCE_Bus is not JSON/,
    );
    expect(() => relayConfigFromEnv({ SST_RESOURCE_Bus: '{"name":""}' })).toThrow(
      /SST_RESOURCE_Bus name: Too small/,
    );
  });
});
