import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { entrySize, MAX_ENTRIES_PER_REQUEST, MAX_REQUEST_BYTES } from '@auditflow/relay';

/** An entry as PutEvents received it, with the id it was given. */
export interface AcceptedEvent {
  eventId: string;
  receivedAt: number;
  source: string;
  detailType: string;
  /** Detail parsed from its JSON string. */
  detail: unknown;
  eventBusName: string;
  time: string | undefined;
}

interface WireEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: number | string;
}

export type RequestFault = 'throttle' | 'server-error' | 'timeout';

/**
 * Faults to inject, settable at any time: latency per request, whole-request
 * failures for the next N requests, and per-entry error codes.
 */
export interface EndpointFaults {
  latencyMs: number;
  nextRequests: RequestFault[];
  /** Returns an ErrorCode to fail that entry with, or undefined to accept it. */
  entryError?: (entry: {
    source: string;
    detailType: string;
    detail: unknown;
  }) => string | undefined;
}

/**
 * A local EventBridge PutEvents endpoint speaking the AWS JSON 1.1 protocol,
 * so the real `@aws-sdk/client-eventbridge` client talks to it over HTTP. It
 * applies EventBridge's limits (10 entries, 256 KB), records what it
 * accepted, and can inject latency, throttling, 5xx, timeouts and per-entry
 * failures.
 */
export async function startEventBridgeEndpoint(options: { port?: number; host?: string } = {}) {
  const accepted: AcceptedEvent[] = [];
  const listeners = new Set<(events: AcceptedEvent[]) => void>();
  const faults: EndpointFaults = { latencyMs: 0, nextRequests: [] };
  let requests = 0;
  const hanging = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    // A malformed request must get an error answer, never take the process down.
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        awsError(res, 400, 'SerializationException', `cannot read request: ${String(error)}`);
      }
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    requests++;
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || target !== 'AWSEvents.PutEvents') {
      return awsError(
        res,
        400,
        'UnknownOperationException',
        `unsupported operation ${String(target)}`,
      );
    }
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    const fault = faults.nextRequests.shift();
    if (fault === 'timeout') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (fault === 'throttle') return awsError(res, 400, 'ThrottlingException', 'Rate exceeded');
    if (fault === 'server-error')
      return awsError(res, 500, 'InternalException', 'Internal failure');

    let entries: WireEntry[];
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: unknown };
      if (!Array.isArray(body.Entries) || !body.Entries.every(isObject)) throw new Error('Entries');
      entries = body.Entries as WireEntry[];
    } catch {
      return awsError(res, 400, 'SerializationException', 'Entries must be a list of objects');
    }
    if (entries.length === 0 || entries.length > MAX_ENTRIES_PER_REQUEST) {
      return awsError(
        res,
        400,
        'ValidationException',
        `1 to ${MAX_ENTRIES_PER_REQUEST} entries per request, got ${entries.length}`,
      );
    }
    const size = entries.reduce((sum, { Time: _time, ...entry }) => sum + entrySize(entry), 0);
    if (size > MAX_REQUEST_BYTES) {
      return awsError(
        res,
        400,
        'ValidationException',
        `request is ${size} bytes; the limit is ${MAX_REQUEST_BYTES}`,
      );
    }
    const results: ({ EventId: string } | { ErrorCode: string; ErrorMessage: string })[] = [];
    const batch: AcceptedEvent[] = [];
    for (const entry of entries) {
      const invalid = validate(entry);
      const detail = invalid ? undefined : (JSON.parse(entry.Detail ?? '{}') as unknown);
      const injected = invalid
        ? undefined
        : faults.entryError?.({
            source: entry.Source ?? '',
            detailType: entry.DetailType ?? '',
            detail,
          });
      const errorCode = invalid ? 'InvalidArgument' : injected;
      if (errorCode) {
        results.push({ ErrorCode: errorCode, ErrorMessage: invalid ?? `injected ${errorCode}` });
        continue;
      }
      const event: AcceptedEvent = {
        eventId: randomUUID(),
        receivedAt: Date.now(),
        source: entry.Source ?? '',
        detailType: entry.DetailType ?? '',
        detail,
        eventBusName: entry.EventBusName ?? 'default',
        time:
          entry.Time === undefined ? undefined : new Date(Number(entry.Time) * 1000).toISOString(),
      };
      batch.push(event);
      results.push({ EventId: event.eventId });
    }
    accepted.push(...batch);
    for (const listener of listeners) listener(batch);
    const failed = results.filter((result) => 'ErrorCode' in result).length;
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify({ FailedEntryCount: failed, Entries: results }));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;

  return {
    url: `http://${address}:${port}`,
    accepted,
    faults,
    /** PutEvents requests received, failed ones included. */
    requestCount: () => requests,
    /** Calls `listener` with each batch of accepted events. Returns a function that unsubscribes. */
    onAccepted(listener: (events: AcceptedEvent[]) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reset() {
      accepted.length = 0;
      faults.latencyMs = 0;
      faults.nextRequests.length = 0;
      faults.entryError = undefined;
      requests = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type EventBridgeEndpoint = Awaited<ReturnType<typeof startEventBridgeEndpoint>>;

const isObject = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function validate(entry: WireEntry): string | undefined {
  if (!entry.Source) return 'Source is required';
  if (!entry.DetailType) return 'DetailType is required';
  if (!entry.Detail) return 'Detail is required';
  try {
    const detail = JSON.parse(entry.Detail) as unknown;
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return 'Detail must be a JSON object';
    }
  } catch {
    return 'Detail is not valid JSON';
  }
  return undefined;
}

function awsError(res: http.ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-errortype': type,
  });
  res.end(JSON.stringify({ __type: type, message }));
}
