import { describe, expect, it } from 'vitest';
import { judgeAttempt, MAX_RETRIES, nextAttemptAt, retryDelayMs, type AttemptResult } from '../../../src/sync/retry-policy.ts';

const now = Date.UTC(2026, 0, 1);

function status(code: number, headers: { retryAfter?: string | null; location?: string | null } = {}): AttemptResult {
  return { kind: 'response', status: code, ...headers };
}

describe('judging one attempt', () => {
  it('counts any 2xx as delivered', () => {
    for (const code of [200, 201, 202, 204, 299]) expect(judgeAttempt(status(code), now)).toEqual({ kind: 'delivered' });
  });

  it('retries 408, 429 and every 5xx', () => {
    for (const code of [408, 429, 500, 502, 503, 504, 599]) {
      expect(judgeAttempt(status(code), now)).toEqual({ kind: 'retry', status: code, error: `HTTP ${code}` });
    }
  });

  it('retries network errors and timeouts, without a status', () => {
    expect(judgeAttempt({ kind: 'network-error', error: 'connect ECONNREFUSED 127.0.0.1:9' }, now)).toEqual({
      kind: 'retry',
      status: null,
      error: 'connect ECONNREFUSED 127.0.0.1:9',
    });
    expect(judgeAttempt({ kind: 'timeout', timeoutMs: 10_000 }, now)).toEqual({ kind: 'retry', status: null, error: 'timed out after 10000 ms' });
  });

  it('honours Retry-After on 429 and 503, in seconds or as an HTTP date', () => {
    expect(judgeAttempt(status(429, { retryAfter: '30' }), now)).toEqual({ kind: 'retry', status: 429, error: 'HTTP 429', notBefore: now + 30_000 });
    expect(judgeAttempt(status(503, { retryAfter: 'Thu, 01 Jan 2026 00:02:00 GMT' }), now)).toEqual({
      kind: 'retry',
      status: 503,
      error: 'HTTP 503',
      notBefore: now + 120_000,
    });
  });

  it('ignores garbage Retry-After, and Retry-After on other statuses', () => {
    expect(judgeAttempt(status(429, { retryAfter: 'later please' }), now)).toEqual({ kind: 'retry', status: 429, error: 'HTTP 429' });
    expect(judgeAttempt(status(429, { retryAfter: null }), now)).toEqual({ kind: 'retry', status: 429, error: 'HTTP 429' });
    expect(judgeAttempt(status(500, { retryAfter: '30' }), now)).toEqual({ kind: 'retry', status: 500, error: 'HTTP 500' });
    expect(judgeAttempt(status(408, { retryAfter: '30' }), now)).toEqual({ kind: 'retry', status: 408, error: 'HTTP 408' });
  });

  it('disables the destination on 410', () => {
    expect(judgeAttempt(status(410), now)).toEqual({ kind: 'disable', status: 410, error: 'HTTP 410' });
  });

  it('fails redirects at once, naming where they pointed', () => {
    expect(judgeAttempt(status(301, { location: 'https://x' }), now)).toEqual({ kind: 'fail', status: 301, error: 'redirect to https://x not followed' });
    expect(judgeAttempt(status(307, { location: '/elsewhere' }), now)).toEqual({ kind: 'fail', status: 307, error: 'redirect to /elsewhere not followed' });
    expect(judgeAttempt(status(302), now)).toEqual({ kind: 'fail', status: 302, error: 'redirect (HTTP 302) without a Location not followed' });
    expect(judgeAttempt(status(304, { location: null }), now)).toEqual({ kind: 'fail', status: 304, error: 'redirect (HTTP 304) without a Location not followed' });
  });

  it('fails other 4xx, 1xx and out-of-range statuses at once', () => {
    for (const code of [400, 401, 403, 404, 409, 413, 422, 499, 100, 101, 0, 600, 999]) {
      expect(judgeAttempt(status(code), now)).toEqual({ kind: 'fail', status: code, error: `HTTP ${code}` });
    }
  });
});

describe('backoff', () => {
  it('allows 5 retries, so 6 attempts', () => {
    expect(MAX_RETRIES).toBe(5);
  });

  it('is full-jitter exponential: random × min(cap, 1 s × 2^(n−1))', () => {
    const half = () => 0.5;
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, half))).toEqual([5000, 10_000, 20_000, 40_000, 80_000]);
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, () => 0.999))).toEqual([9990, 19_980, 39_960, 79_920, 159_840]);
    expect(retryDelayMs(3, () => 0)).toBe(0);
    expect(retryDelayMs(1, () => 0.1234)).toBe(1234);
  });

  it('caps the window at 5 minutes', () => {
    expect(retryDelayMs(5, () => 0.5)).toBe(80_000);
    expect(retryDelayMs(6, () => 0.5)).toBe(150_000);
    expect(retryDelayMs(60, () => 0.5)).toBe(150_000);
    expect(retryDelayMs(2000, () => 0.5)).toBe(150_000);
  });

  it('takes another base and cap', () => {
    expect(retryDelayMs(3, () => 0.5, 100, 250)).toBe(125);
    expect(retryDelayMs(2, () => 0.5, 100, 250)).toBe(100);
  });

  it('refuses a retry number below 1 or fractional', () => {
    expect(() => retryDelayMs(0, () => 0.5)).toThrow(new RangeError('retryNumber must be an integer ≥ 1, got 0'));
    expect(() => retryDelayMs(1.5, () => 0.5)).toThrow(RangeError);
  });

  it('schedules the next attempt after the backoff, or at Retry-After when that is later', () => {
    const plain = { kind: 'retry', status: 500, error: 'HTTP 500' } as const;
    expect(nextAttemptAt(plain, 2, now, () => 0.5)).toBe(now + 10_000);
    expect(nextAttemptAt({ ...plain, status: 429, notBefore: now + 30_000 }, 2, now, () => 0.5)).toBe(now + 30_000);
    expect(nextAttemptAt({ ...plain, status: 429, notBefore: now + 300 }, 2, now, () => 0.5)).toBe(now + 10_000);
  });
});
