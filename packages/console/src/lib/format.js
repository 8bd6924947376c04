/** How long, for people: 850 ms, 12 s, 3 min, 2 h 5 min. */
export function duration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** An instant as the operator's local date and time, to the millisecond (order matters here). */
export function time(iso) {
  if (!iso) return '–';
  const date = new Date(iso);
  return `${date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/** The first eight characters of a UUID, for tables; the full id goes in the title. */
export function shortId(id) {
  return id.slice(0, 8);
}

/** An amount in minor units as money in its currency (2 decimals for EUR, none for JPY). */
export function money(minor, currency) {
  try {
    const format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    return format.format(minor / 10 ** format.resolvedOptions().maximumFractionDigits);
  } catch {
    return `${minor} ${currency} (minor units)`;
  }
}
