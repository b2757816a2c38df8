import { compileBlockedValues, isBlockedValue } from '../../src/identity/blocked-values.ts';
import { MAX_FUTURE_MS } from '../../src/ingest/limits.ts';
import { parseIsoTimestamp } from '../../src/ingest/timestamps.ts';
import type { LoggedEvent } from '../load/event-log.ts';

/**
 * The first pass over the log, in JavaScript: which events ingestion would keep, who they belong
 * to, when each person became known, and each event's time. Everything here is per event and
 * cheap; what depends on the instant is left to SQL.
 */
export interface LogScan {
  /** `persons[pid]`: the person's name in the log. */
  readonly persons: readonly string[];
  /** `knownFrom[pid]`: the earliest `sentAt` of a call giving a user_id or email identifier; null when none. */
  readonly knownFrom: readonly (number | null)[];
  /** Occurrence name → id. */
  readonly nameIds: ReadonlyMap<string, number>;
  /** Indices into the log of the kept occurrences, grouped by name id. */
  readonly occurrencesByName: readonly (readonly number[])[];
  /** Indices into the log of the kept identify calls, in log order. */
  readonly identifies: readonly number[];
  /** Person id of each kept event (by log index). */
  readonly pidOf: Int32Array;
  /** Event time of each kept event (by log index), epoch ms. */
  readonly timestamps: Float64Array;
}

const BLOCKED = compileBlockedValues([], false);

export function scanLog(events: readonly LoggedEvent[]): LogScan {
  const persons: string[] = [];
  const pids = new Map<string, number>();
  const knownFrom: (number | null)[] = [];
  const nameIds = new Map<string, number>();
  const occurrencesByName: number[][] = [];
  const identifies: number[] = [];
  const pidOf = new Int32Array(events.length);
  const timestamps = new Float64Array(events.length);
  const seen = new Set<string>();

  for (let index = 0; index < events.length; index++) {
    const logged = events[index]!;
    const { call } = logged;
    let pid = pids.get(logged.person);
    if (pid === undefined) {
      pid = persons.length;
      pids.set(logged.person, pid);
      persons.push(logged.person);
      knownFrom.push(null);
    }
    // Ingestion keeps the first event of a messageId and refuses a time it cannot read, before
    // 1970, or more than a year ahead of arrival (timestamps.ts).
    if (seen.has(call.messageId)) continue;
    seen.add(call.messageId);
    const ts = parseTimestamp(call.timestamp);
    if (ts === undefined || ts < 0 || ts - logged.sentAt > MAX_FUTURE_MS) continue;
    if (call.type === 'track' && typeof call.event !== 'string') continue;
    pidOf[index] = pid;
    timestamps[index] = ts;

    const known = knownFrom[pid] ?? null;
    // Checked only while it can lower the person's known-from time (the log is mostly in send order).
    if ((known === null || logged.sentAt < known) && carriesKnownIdentifier(call)) knownFrom[pid] = logged.sentAt;

    const name = call.type === 'track' ? call.event : call.type === 'page' ? 'Page Viewed' : undefined;
    if (name !== undefined) {
      let id = nameIds.get(name);
      if (id === undefined) {
        id = nameIds.size;
        nameIds.set(name, id);
        occurrencesByName.push([]);
      }
      occurrencesByName[id]!.push(index);
    } else if (call.type === 'identify') identifies.push(index);
  }
  return { persons, knownFrom, nameIds, occurrencesByName, identifies, pidOf, timestamps };
}

/**
 * Whether the call gives its profile a user_id or an email identifier (extract-identifiers.ts:
 * `userId`, and `traits.email` except on group calls, whose traits describe the group), after
 * the default blocked values: the "known" identifier types of recompute-definitions.ts that a
 * logged call can carry (the log has no `context`, so no advertising ids).
 */
function carriesKnownIdentifier(call: LoggedEvent['call']): boolean {
  if (typeof call.userId === 'string' && !isBlockedValue(BLOCKED, call.userId)) return true;
  const email = call.type === 'group' || call.traits === undefined ? undefined : call.traits['email'];
  return typeof email === 'string' && !isBlockedValue(BLOCKED, email);
}

const ZERO = 48;

/**
 * Ingestion's reading of a timestamp (timestamps.ts `parseIsoTimestamp`), with a fast path for
 * the form the load generator writes (`toISOString()`: `2026-01-05T10:00:00.000Z`), which takes
 * the regular expression's share of loading a million events down to a few milliseconds.
 */
export function parseTimestamp(text: string): number | undefined {
  if (text.length === 24 && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45 && text.charCodeAt(10) === 84 && text.charCodeAt(13) === 58 && text.charCodeAt(16) === 58 && text.charCodeAt(19) === 46 && text.charCodeAt(23) === 90) {
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 2);
    const day = digits(text, 8, 2);
    const hour = digits(text, 11, 2);
    const minute = digits(text, 14, 2);
    const second = digits(text, 17, 2);
    const ms = digits(text, 20, 3);
    // Days past the 28th need the month's length: the slow path checks them.
    if (year >= 1970 && month >= 1 && month <= 12 && day >= 1 && day <= 28 && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && ms >= 0) {
      return Date.UTC(year, month - 1, day, hour, minute, second, ms);
    }
  }
  return parseIsoTimestamp(text);
}

/** The decimal number written at `text[from, from + count)`, or -1 when a character is not a digit. */
function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}
