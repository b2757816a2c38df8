/**
 * A `?limit=` query value: `fallback` when absent, undefined (a 400 for the caller) unless a whole
 * number from 1 to `max`.
 */
export function pageLimit(raw: string | undefined, fallback: number, max: number): number | undefined {
  if (raw === undefined) return fallback;
  if (!/^\d{1,7}$/.test(raw)) return undefined;
  const limit = Number(raw);
  return limit >= 1 && limit <= max ? limit : undefined;
}
