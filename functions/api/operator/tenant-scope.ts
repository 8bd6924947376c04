import { AppError } from '@auditflow/core';
import { type DB, getPlatformDb, readAsTenant } from '@auditflow/db';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { SCOPES } from '../scopes';

/** `?tenant=`: a tenant id as tokens carry it, or `*` for every tenant. */
export const tenantParam = z
  .string()
  .regex(/^(\*|[A-Za-z0-9][A-Za-z0-9._-]{0,63})$/, 'must be a tenant id, or * for every tenant')
  .optional();

/**
 * Which tenant an operator route answers for: null means every tenant. An
 * operator sees the token's own tenant; naming another (or `*`) needs the
 * platform scope, else 403 forbidden rather than an empty answer, so a
 * missing scope is not mistaken for a quiet tenant.
 */
export function selectTenant(
  principal: { tenantId: string; scopes: ReadonlySet<string> },
  asked: string | undefined,
): string | null {
  if (asked === undefined || asked === principal.tenantId) return principal.tenantId;
  if (!principal.scopes.has(SCOPES.platform)) {
    throw new AppError('forbidden', 'Seeing another tenant needs the platform scope.');
  }
  return asked === '*' ? null : asked;
}

/**
 * Runs an operator's statements for the tenant `selectTenant` chose. One
 * tenant: on the route's own connection, in a transaction that names the
 * tenant, so row-level security shows nothing else. Every tenant (null): on
 * the platform connection, the operator role's, which alone may read (and
 * retry) across tenants.
 */
export function forTenant<R>(
  db: Kysely<DB>,
  tenant: string | null,
  work: (db: Kysely<DB>, tenant: string | undefined) => Promise<R>,
): Promise<R> {
  if (tenant === null) return work(getPlatformDb(), undefined);
  return readAsTenant(db, tenant, (trx) => work(trx, tenant));
}
