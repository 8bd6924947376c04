import { type EventBridgeEndpoint, startEventBridgeEndpoint } from '@auditflow/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let endpoint: EventBridgeEndpoint;
beforeAll(async () => {
  endpoint = await startEventBridgeEndpoint();
});
afterAll(() => endpoint.close());

const putEvents = (body: string) =>
  fetch(endpoint.url, {
    method: 'POST',
    headers: {
      'x-amz-target': 'AWSEvents.PutEvents',
      'content-type': 'application/x-amz-json-1.1',
    },
    body,
  });

describe('the local EventBridge endpoint', () => {
  it.each([
    ['a body that is not JSON', '{"Entries":'],
    ['Entries that is not a list', '{"Entries":{}}'],
    ['a null entry', '{"Entries":[null]}'],
    ['eleven entries', JSON.stringify({ Entries: Array.from({ length: 11 }, () => ({})) })],
  ])('answers %s with a 400 error and keeps serving', async (_label, body) => {
    const response = await putEvents(body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { __type: string }).__type).toMatch(/Exception$/);
    const healthy = await putEvents(
      JSON.stringify({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }),
    );
    expect(healthy.status).toBe(200);
  });

  it('fails an entry with no Source or a Detail that is not a JSON object, and accepts the rest', async () => {
    const response = await putEvents(
      JSON.stringify({
        Entries: [
          { DetailType: 'd', Detail: '{}' },
          { Source: 's', DetailType: 'd', Detail: '[1]' },
          { Source: 's', DetailType: 'd', Detail: '{"ok":true}' },
        ],
      }),
    );
    const body = (await response.json()) as { FailedEntryCount: number; Entries: object[] };
    expect(body.FailedEntryCount).toBe(2);
    expect(body.Entries[2]).toHaveProperty('EventId');
  });
});
