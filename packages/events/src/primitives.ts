import { z } from 'zod';

const ISO_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** An error message that says "is required" when the field is absent, `text` otherwise. */
export const unlessMissing =
  (text: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? 'is required' : text;

/** An ISO 4217 code the runtime knows, upper case: `EUR`. */
export const currencyCode = z
  .string({ error: unlessMissing('must be an ISO 4217 currency code in upper case, e.g. EUR') })
  .refine(
    (code) => /^[A-Z]{3}$/.test(code) && ISO_CURRENCIES.has(code),
    'must be an ISO 4217 currency code in upper case, e.g. EUR',
  );

/**
 * A calendar date, `YYYY-MM-DD`, that exists, within years a payroll can
 * mean (Postgres has no year 0, and far-off years are typos).
 */
export const calendarDate = z.iso
  .date({ error: unlessMissing('must be a date as YYYY-MM-DD') })
  .refine((date) => date >= '1900-01-01' && date <= '2999-12-31', {
    message: 'must be between 1900-01-01 and 2999-12-31',
  });

/**
 * Money in integer minor units (cents). Bounded so it stays exact in a JSON
 * number and a Postgres bigint.
 */
export const minorUnits = z
  .number({ error: unlessMissing('must be an integer amount in minor units') })
  .int('must be an integer amount in minor units')
  .min(0, 'must not be negative')
  .max(Number.MAX_SAFE_INTEGER, 'is too large');

/**
 * Free text a person typed (a reason): Unicode-normalised (NFC), trimmed,
 * bounded, printable, and free of invisible format characters.
 */
export const reasonText = z
  .string({ error: unlessMissing('must be a string') })
  .normalize('NFC')
  .trim()
  .min(1, 'must not be empty')
  .max(500, 'must be at most 500 characters')
  // Controls (NUL among them, which Postgres text refuses) and lone UTF-16
  // surrogates (which jsonb refuses) would otherwise fail deep in the write.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting them is the point
  .refine((text) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\p{Cs}]/u.test(text), {
    message: 'must not contain control characters or unpaired surrogates',
  })
  // Format characters (Cf: zero-width spaces, the bidirectional overrides and
  // isolates, soft hyphens) are invisible: they let a reason read differently
  // on screen than in the record, as in "Trojan Source" attacks.
  .refine((text) => !/\p{Cf}/u.test(text), {
    message: 'must not contain invisible format or bidirectional control characters',
  });

/** An identifier from another system (an employee id): short, no spaces or controls. */
export const externalId = z
  .string({ error: unlessMissing('must be a string') })
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, 'may contain only letters, digits and . _ : @ -');
