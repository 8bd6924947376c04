/** How long, for people: 850 ms, 12 s, 3 min, 2 h 5 min. */
export function duration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * An instant in UTC to the millisecond, `2026-12-03 17:35:36.123 UTC`: the
 * same for every reader of a dispute, in the order it sorts, and matching
 * the exported JSON. Built from the ISO string, not Intl, whose first use
 * costs a page tens of milliseconds.
 */
export function time(iso) {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return `${date.toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}

/** The hour and minute of an instant, in UTC: `17:35`. */
export function clock(iso) {
  return new Date(iso).toISOString().slice(11, 16);
}

/** The first eight characters of a UUID, for tables; the full id goes in the title. */
export function shortId(id) {
  return id.slice(0, 8);
}

/** One formatter per currency: building one is what costs, formatting with it is cheap. */
const moneyFormats = new Map();

/** An amount in minor units as money in its currency (2 decimals for EUR, none for JPY). */
export function money(minor, currency) {
  try {
    let format = moneyFormats.get(currency);
    if (!format) {
      format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
      moneyFormats.set(currency, format);
    }
    return format.format(minor / 10 ** format.resolvedOptions().maximumFractionDigits);
  } catch {
    return `${minor} ${currency} (minor units)`;
  }
}
