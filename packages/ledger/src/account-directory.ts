import type { OpenAccount } from './accounts';

/**
 * The accounts this process has seen committed, by tenant, code and
 * currency, so that booking an entry to known accounts needs no lookup.
 * Safe to keep: an account never changes or goes away (the database refuses
 * both). Only accounts of a committed transaction may be remembered; one
 * opened by a transaction that rolled back does not exist. Bounded: the
 * oldest are forgotten first.
 */
export class AccountDirectory {
  private readonly accounts = new Map<string, OpenAccount>();

  constructor(private readonly capacity = 10_000) {}

  find(tenantId: string, ref: { code: string; currency: string }): OpenAccount | undefined {
    return this.accounts.get(keyOf(tenantId, ref));
  }

  /** Call after the commit of the transaction that used (or opened) them. */
  remember(tenantId: string, accounts: readonly OpenAccount[]): void {
    for (const account of accounts) {
      const key = keyOf(tenantId, account);
      if (this.accounts.has(key)) continue;
      if (this.accounts.size >= this.capacity) {
        const oldest = this.accounts.keys().next();
        if (!oldest.done) this.accounts.delete(oldest.value);
      }
      this.accounts.set(key, account);
    }
  }
}

const keyOf = (tenantId: string, ref: { code: string; currency: string }) =>
  `${tenantId}\u0000${ref.currency}\u0000${ref.code}`;
