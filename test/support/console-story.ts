import { setTimeout as sleep } from 'node:timers/promises';
import { anEwaRequest, aPayrollRun } from './api';

/** Signs a development token for the local stack (signDevToken with the stack's key). */
export type Mint = (claims: { tenant: string; sub: string; scopes?: string[] }) => Promise<string>;

async function post(apiUrl: string, token: string, pathname: string, body?: unknown) {
  const response = await fetch(`${apiUrl}${pathname}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'x-correlation-id': `story-${pathname.split('/').at(-1)}-${Date.now()}`,
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as { id: string };
  if (!response.ok) throw new Error(`POST ${pathname}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * Through the local stack's API, as people would: Alice's advance for
 * November, approved and disbursed by Bob; the November run, submitted by
 * Alice, approved and paid by Bob. Its payment reaches the settling
 * subscriber through the relay and the local bus, which settles the
 * advance. Resolves once the advance is SETTLED.
 */
export async function paidRunWithSettledAdvance(apiUrl: string, mint: Mint, tenant: string) {
  const alice = await mint({ tenant, sub: 'alice' });
  const bob = await mint({ tenant, sub: 'bob' });
  const advance = await post(apiUrl, alice, '/ewa-requests', anEwaRequest);
  await post(apiUrl, bob, `/ewa-requests/${advance.id}/approve`);
  await post(apiUrl, bob, `/ewa-requests/${advance.id}/disburse`);
  const run = await post(apiUrl, alice, '/payroll-runs', aPayrollRun);
  await post(apiUrl, alice, `/payroll-runs/${run.id}/submit`);
  await post(apiUrl, bob, `/payroll-runs/${run.id}/approve`);
  await post(apiUrl, bob, `/payroll-runs/${run.id}/mark-paid`);
  for (let i = 0; i < 500; i++) {
    const response = await fetch(`${apiUrl}/ewa-requests/${advance.id}`, {
      headers: { authorization: `Bearer ${alice}` },
    });
    const body = (await response.json()) as { status: string };
    if (body.status === 'SETTLED') return { runId: run.id, advanceId: advance.id };
    await sleep(20);
  }
  throw new Error('the advance was not settled');
}

/** `count` drafts of payroll runs, each one event, for a tenant. */
export async function draftRuns(apiUrl: string, mint: Mint, tenant: string, count: number) {
  const alice = await mint({ tenant, sub: 'alice' });
  const ids: string[] = [];
  for (let i = 0; i < count; i++)
    ids.push((await post(apiUrl, alice, '/payroll-runs', aPayrollRun)).id);
  return ids;
}
