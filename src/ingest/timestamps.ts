import type { ErrorData } from '../shared/errors.ts';
import type { EpochMs } from '../shared/ids.ts';
import type { JsonObject } from '../shared/json.ts';
import { err, ok, type Result } from '../shared/result.ts';
import { describeType, quote } from './describe-value.ts';
import { MAX_FUTURE_MS } from './limits.ts';

/**
 * ISO-8601 / RFC 3339 date or date-time: `2024-05-01`, `2024-05-01T10:00`,
 * `2024-05-01T10:00:00.123Z`, `2024-05-01T12:00:00+02:00` (or `+0200`, `+02`).
 * Parsed by hand rather than with Date.parse, whose reading of a date-time without a zone depends
 * on the process's local time zone: ingestion must give the same answer on every machine.
 */
const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

const MS_PER_MINUTE = 60_000;

/**
 * Epoch ms of an ISO-8601 string, or undefined when it is not one or names an impossible date.
 * Without a zone the time is read as UTC, as Segment's spec says all timestamps are.
 * Digits past milliseconds are truncated. May be negative (before 1970); callers decide.
 */
export function parseIsoTimestamp(text: string): EpochMs | undefined {
  const m = ISO_TIMESTAMP.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  const offsetHours = m[10] === undefined ? 0 : Number(m[10]);
  const offsetMinutes = m[11] === undefined ? 0 : Number(m[11]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  // Date.UTC maps years 0-99 to 1900-1999; those years are before 1970 anyway, but keep them
  // negative rather than wrong.
  if (year < 100) return -1;
  const offset = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * MS_PER_MINUTE;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysInMonth(year: number, month: number): number {
  if (month === 2 && isLeapYear(year)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Reads one timestamp field of an event. Absent and `null` are both "not sent" (browser clients
 * send nulls for unset fields). Anything else must be an ISO-8601 string at or after 1970.
 */
export function readTimestampField(value: unknown, field: string): Result<EpochMs | undefined, ErrorData> {
  if (value === undefined || value === null) return ok(undefined);
  if (typeof value !== 'string') {
    return err({ code: 'invalid_timestamp', message: `${field} must be an ISO-8601 string, got ${describeType(value)}` });
  }
  const at = parseIsoTimestamp(value);
  if (at === undefined) {
    return err({ code: 'invalid_timestamp', message: `${field} is not an ISO-8601 date: ${quote(value)}` });
  }
  if (at < 0) {
    return err({ code: 'invalid_timestamp', message: `${field} is before 1970: ${quote(value)}` });
  }
  return ok(at);
}

/** The times an event carries, already parsed. */
export interface EventClock {
  readonly receivedAt: EpochMs;
  readonly sentAt?: EpochMs;
  /** The event's `timestamp`, else its `originalTimestamp`. */
  readonly occurredAt?: EpochMs;
}

/**
 * Segment's clock-skew correction: `receivedAt - (sentAt - originalTimestamp)`. The client's
 * sentAt and our receivedAt are taken as the same instant, so their difference is the device's
 * clock skew. Without sentAt there is nothing to correct against and the event's own time is
 * taken as given; with no time at all, the event happened when it arrived.
 */
export function correctClockSkew(clock: EventClock): EpochMs {
  if (clock.occurredAt === undefined) return clock.receivedAt;
  if (clock.sentAt === undefined) return clock.occurredAt;
  return clock.receivedAt - (clock.sentAt - clock.occurredAt);
}

/**
 * The skew-corrected timestamp of one event. `timestamp` wins over `originalTimestamp`
 * (RudderStack sends only the latter); the event's own `sentAt` wins over the batch's.
 */
export function resolveEventTimestamp(
  item: JsonObject,
  receivedAt: EpochMs,
  batchSentAt: EpochMs | undefined,
): Result<EpochMs, ErrorData> {
  const timestamp = readTimestampField(item['timestamp'], 'timestamp');
  if (!timestamp.ok) return timestamp;
  const originalTimestamp = readTimestampField(item['originalTimestamp'], 'originalTimestamp');
  if (!originalTimestamp.ok) return originalTimestamp;
  const sentAt = readTimestampField(item['sentAt'], 'sentAt');
  if (!sentAt.ok) return sentAt;

  const skewSentAt = sentAt.value ?? batchSentAt;
  const corrected = correctClockSkew({
    receivedAt,
    sentAt: skewSentAt,
    occurredAt: timestamp.value ?? originalTimestamp.value,
  });
  // A sentAt far ahead of the event time can push the corrected time before 1970.
  if (corrected < 0) {
    return err({ code: 'invalid_timestamp', message: 'timestamp is before 1970 after correcting for sentAt' });
  }
  if (corrected - receivedAt > MAX_FUTURE_MS) {
    const field = timestamp.value !== undefined ? 'timestamp' : 'originalTimestamp';
    const note = skewSentAt === undefined ? '' : ' after correcting for sentAt';
    return err({
      code: 'invalid_timestamp',
      message: `${field} is more than a year after the event was received${note} (${new Date(corrected).toISOString()}); future-dated events are accepted up to a year ahead`,
    });
  }
  return ok(corrected);
}
