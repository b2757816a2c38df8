import { assertNever } from '../shared/assert-never.ts';
import type { EpochMs } from '../shared/ids.ts';
import { retryAfterAt } from './retry-after.ts';

/**
 * How one HTTP attempt to a destination is judged, and when the next one may go (contract
 * "Destinations and sync", segment-reference §6.4). Pure: the IO side reports what happened and
 * the time, and retries on the verdict's class alone, never by reading the response again.
 */

/** What one attempt came to, as the sender observed it. */
export type AttemptResult =
  | { readonly kind: 'response'; readonly status: number; readonly retryAfter?: string | null; readonly location?: string | null }
  | { readonly kind: 'network-error'; readonly error: string }
  | { readonly kind: 'timeout'; readonly timeoutMs: number };

export type AttemptVerdict =
  | { readonly kind: 'delivered' }
  /** Worth another attempt; not before `notBefore` when the receiver said so (`Retry-After`). */
  | { readonly kind: 'retry'; readonly status: number | null; readonly error: string; readonly notBefore?: EpochMs }
  /** Will not succeed as sent: a hard failure at once. */
  | { readonly kind: 'fail'; readonly status: number | null; readonly error: string }
  /** 410 Gone: the receiver says the endpoint is no more, so the destination is disabled. */
  | { readonly kind: 'disable'; readonly status: 410; readonly error: string };

export type RetryVerdict = Extract<AttemptVerdict, { kind: 'retry' }>;
export type FailedVerdict = Exclude<AttemptVerdict, { kind: 'delivered' }>;

/** Engage retries "up to five times" before a hard failure: at most 6 attempts in all. */
export const MAX_RETRIES = 5;

/**
 * The first retry waits up to 10 s, doubling to the 5-minute cap: five retries span up to ~5 min,
 * so a destination that is down for a deploy or a restart gets its messages (measured: with a 1 s
 * base, a receiver refusing connections turned 35 of 200 messages into hard failures within
 * 3 seconds).
 */
export const RETRY_BASE_MS = 10_000;
export const RETRY_CAP_MS = 5 * 60_000;

export function judgeAttempt(result: AttemptResult, now: EpochMs): AttemptVerdict {
  switch (result.kind) {
    case 'response':
      return judgeResponse(result.status, result.retryAfter, result.location, now);
    case 'network-error':
      return { kind: 'retry', status: null, error: result.error };
    case 'timeout':
      return { kind: 'retry', status: null, error: `timed out after ${result.timeoutMs} ms` };
    default:
      return assertNever(result);
  }
}

function judgeResponse(status: number, retryAfter: string | null | undefined, location: string | null | undefined, now: EpochMs): AttemptVerdict {
  if (status >= 200 && status <= 299) return { kind: 'delivered' };
  const error = `HTTP ${status}`;
  if (status === 408 || (status >= 500 && status <= 599)) return withNotBefore(status, error, status === 503 ? retryAfterAt(retryAfter, now) : undefined);
  if (status === 429) return withNotBefore(status, error, retryAfterAt(retryAfter, now));
  if (status === 410) return { kind: 'disable', status, error };
  // Redirects are never followed: the request would go somewhere the destination's owner did not
  // configure, with its secret headers. The owner fixes the URL instead.
  if (status >= 300 && status <= 399) {
    const where = location === null || location === undefined || location === '' ? `redirect (HTTP ${status}) without a Location` : `redirect to ${location}`;
    return { kind: 'fail', status, error: `${where} not followed` };
  }
  // Other 4xx, 1xx, and anything outside the HTTP range: sending the same request again cannot help.
  return { kind: 'fail', status, error };
}

function withNotBefore(status: number, error: string, notBefore: EpochMs | undefined): RetryVerdict {
  return notBefore === undefined ? { kind: 'retry', status, error } : { kind: 'retry', status, error, notBefore };
}

/**
 * The wait before retry number `retryNumber` (1 for the first retry): "full jitter" exponential
 * backoff, uniformly random up to `min(capMs, baseMs · 2^(retryNumber−1))`, so that receivers
 * coming back after an outage are not hit by every sender at once.
 *
 * @example retryDelayMs(3, () => 0.5) // 2000: half of 4 s
 */
export function retryDelayMs(retryNumber: number, random: () => number, baseMs = RETRY_BASE_MS, capMs = RETRY_CAP_MS): number {
  if (!Number.isInteger(retryNumber) || retryNumber < 1) throw new RangeError(`retryNumber must be an integer ≥ 1, got ${retryNumber}`);
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** (retryNumber - 1)));
}

/** When retry number `retryNumber` may go: after its backoff, and not before the receiver asked. */
export function nextAttemptAt(verdict: RetryVerdict, retryNumber: number, now: EpochMs, random: () => number): EpochMs {
  return Math.max(now + retryDelayMs(retryNumber, random), verdict.notBefore ?? now);
}
