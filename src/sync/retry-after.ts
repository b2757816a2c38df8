import type { EpochMs } from '../shared/ids.ts';

/**
 * The longest wait a `Retry-After` can impose. A receiver asking for more (a bug, or a date years
 * ahead) would otherwise hold its destination's queue for that profile indefinitely, since
 * per-profile order is kept; past this the usual retry budget decides instead.
 */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
// The three date forms RFC 9110 §5.6.7 has recipients accept. The day name is redundant and not checked.
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC_850 = new RegExp(`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * When a `Retry-After` header (delay-seconds or an HTTP date) allows the next attempt, capped at
 * `now + MAX_RETRY_AFTER_MS`. `undefined` when the header is absent, unreadable, or allows it now.
 *
 * @example retryAfterAt('120', 1_000) // 121_000
 */
export function retryAfterAt(header: string | null | undefined, now: EpochMs): EpochMs | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  const at = /^\d+$/.test(value) ? now + Number(value) * 1000 : httpDate(value, now);
  if (at === undefined || !(at > now)) return undefined;
  return Math.min(at, now + MAX_RETRY_AFTER_MS);
}

function httpDate(value: string, now: EpochMs): EpochMs | undefined {
  const imf = IMF_FIXDATE.exec(value);
  if (imf !== null) return utc(Number(imf[3]), imf[2], Number(imf[1]), imf.slice(4));
  const rfc850 = RFC_850.exec(value);
  if (rfc850 !== null) return utc(fullYear(Number(rfc850[3]), now), rfc850[2], Number(rfc850[1]), rfc850.slice(4));
  const asctime = ASCTIME.exec(value);
  if (asctime !== null) return utc(Number(asctime[6]), asctime[1], Number(asctime[2]), asctime.slice(3, 6));
  return undefined;
}

// RFC 9110: a two-digit year more than 50 years ahead is the latest past year with those digits.
function fullYear(twoDigits: number, now: EpochMs): number {
  const currentYear = new Date(now).getUTCFullYear();
  const year = currentYear - (currentYear % 100) + twoDigits;
  return year > currentYear + 50 ? year - 100 : year;
}

function utc(year: number, monthName: string | undefined, day: number, time: readonly (string | undefined)[]): EpochMs | undefined {
  const month = MONTHS.indexOf(monthName ?? '');
  const [hours, minutes, seconds] = time.map(Number);
  if (hours === undefined || minutes === undefined || seconds === undefined) return undefined;
  const at = Date.UTC(year, month, day, hours, minutes, seconds);
  // Date.UTC rolls over (31 Feb is 3 Mar, 24:00 the next day) and reads years below 100 as 19xx:
  // a date that does not come back field for field is garbage, not a time.
  const back = new Date(at);
  const exact =
    back.getUTCFullYear() === year &&
    back.getUTCMonth() === month &&
    back.getUTCDate() === day &&
    back.getUTCHours() === hours &&
    back.getUTCMinutes() === minutes &&
    back.getUTCSeconds() === seconds;
  return exact ? at : undefined;
}
