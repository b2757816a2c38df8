import { parseIsoTimestamp } from '../../ingest/timestamps.ts';
import type { ErrorData } from '../../shared/errors.ts';
import type { EpochMs } from '../../shared/ids.ts';
import { err, ok, type Result } from '../../shared/result.ts';

/**
 * Readers for the Profile API's query parameters. Each failure is an `invalid_request_error`
 * naming the parameter, in Segment's wording ("The parameter `limit` …"). A repeated parameter
 * counts once, by its first value; unknown parameters are ignored (Segment's own cursor URLs carry
 * extra ones such as `:collection`).
 */
export type ParamResult<T> = Result<T, ErrorData>;

export function invalidParam(name: string, problem: string): ParamResult<never> {
  return err({ code: 'invalid_request_error', message: `The parameter \`${name}\` ${problem}.` });
}

/** `limit`: a positive integer; above `max` it is clamped (contract), absent it is `fallback`. */
export function readLimit(query: URLSearchParams, bounds: { fallback: number; max: number }): ParamResult<number> {
  const raw = query.get('limit');
  if (raw === null) return ok(bounds.fallback);
  if (!/^\d+$/.test(raw)) return invalidParam('limit', 'must be a positive integer');
  const value = Number(raw);
  if (value < 1) return invalidParam('limit', 'must be a positive integer');
  return ok(Math.min(value, bounds.max));
}

/** A comma list (`include=a,b`). Absent or empty means "no filter": undefined. */
export function readList(query: URLSearchParams, name: string): ReadonlySet<string> | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const items = raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  return items.length === 0 ? undefined : new Set(items);
}

/** One of a fixed set of words; undefined when absent. */
export function readChoice<T extends string>(query: URLSearchParams, name: string, choices: readonly T[]): ParamResult<T | undefined> {
  const raw = query.get(name);
  if (raw === null) return ok(undefined);
  const found = choices.find((choice) => choice === raw);
  if (found === undefined) return invalidParam(name, `must be one of ${choices.map((c) => `\`${c}\``).join(', ')}`);
  return ok(found);
}

/** `verbose=true|false`, default false. */
export function readFlag(query: URLSearchParams, name: string): ParamResult<boolean> {
  const choice = readChoice(query, name, ['true', 'false'] as const);
  return choice.ok ? ok(choice.value === 'true') : choice;
}

/** An ISO-8601 date or date-time (read as UTC without a zone, like event timestamps). */
export function readIsoTime(query: URLSearchParams, name: string): ParamResult<EpochMs | undefined> {
  const raw = query.get(name);
  if (raw === null) return ok(undefined);
  const at = parseIsoTimestamp(raw);
  if (at === undefined) return invalidParam(name, 'must be an ISO-8601 date or date-time');
  return ok(at);
}
