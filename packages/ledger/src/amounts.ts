/**
 * A sum of minor units as the API shows it: a JSON number while it is exact
 * (below 2^53), the decimal string Postgres sent beyond that.
 */
export function minorAmount(decimal: string): number | string {
  const value = Number(decimal);
  return Number.isSafeInteger(value) ? value : decimal;
}

/** `a - b` of two decimal integer strings, exactly. */
export const difference = (a: string, b: string): string => (BigInt(a) - BigInt(b)).toString();
