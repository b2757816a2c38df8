import { ok, err, type Result } from '../shared/result.ts';

// YYYY-MM-DD, optionally THH:MM[:SS[.fraction]] and a zone (Z, ±HH:MM or ±HHMM).
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/;

export type IsoProblem = 'not_iso' | 'no_zone' | 'not_a_date';

/**
 * An ISO-8601 date or date-time as epoch ms, computed from its fields rather than `Date.parse`:
 * V8 reads a date-time without a zone as local time (a host-dependent answer) and rolls
 * `2023-02-30` over to March. A date alone is UTC midnight; a date-time must carry its zone
 * (Segment's docs: a timestamp without its `Z` is not a valid ISO timestamp).
 */
export function parseIsoInstant(text: string): Result<number, IsoProblem> {
  const m = ISO_8601.exec(text);
  if (m === null) return err('not_iso');
  const [, y, mo, d, h, mi, s, fraction, zulu, sign, offH, offM] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return err('not_a_date');
  if (h === undefined) return ok(utc(year, month, day, 0, 0, 0, 0));
  if (zulu === undefined && sign === undefined) return err('no_zone');
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (hour > 23 || minute > 59 || second > 59) return err('not_a_date');
  // Milliseconds are the first three fraction digits (finer digits are truncated, not rounded).
  const ms = fraction === undefined ? 0 : Number(`${fraction}00`.slice(0, 3));
  let offsetMinutes = 0;
  if (sign !== undefined) {
    const oh = Number(offH);
    const om = Number(offM);
    if (oh > 23 || om > 59) return err('not_a_date');
    offsetMinutes = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return ok(utc(year, month, day, hour, minute, second, ms) - offsetMinutes * 60_000);
}

function utc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  return daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). Plain arithmetic,
 * where `Date.UTC` would map the years 0–99 to 1900–1999.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
