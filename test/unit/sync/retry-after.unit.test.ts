import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, retryAfterAt } from '../../../src/sync/retry-after.ts';

// 1994-11-06T08:49:37Z, the example date of RFC 9110 §5.6.7.
const example = Date.UTC(1994, 10, 6, 8, 49, 37);
const now = example - 60_000;

describe('Retry-After', () => {
  it('reads delay-seconds, surrounding whitespace allowed', () => {
    expect(retryAfterAt('120', now)).toBe(now + 120_000);
    expect(retryAfterAt(' 7 ', now)).toBe(now + 7_000);
  });

  it('reads the three HTTP date forms', () => {
    expect(retryAfterAt('Sun, 06 Nov 1994 08:49:37 GMT', now)).toBe(example);
    expect(retryAfterAt('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(example);
    expect(retryAfterAt('Sun Nov  6 08:49:37 1994', now)).toBe(example);
  });

  it('reads a two-digit year more than 50 years ahead as the past century', () => {
    const endOf2044 = Date.UTC(2044, 11, 31, 23, 59);
    expect(retryAfterAt('Sunday, 01-Jan-45 00:00:00 GMT', endOf2044)).toBe(endOf2044 + 60_000);
    const in2030 = Date.UTC(2030, 0, 1);
    // 2094 would be 64 years ahead: it means 1994, which is past, so no wait at all.
    expect(retryAfterAt('Saturday, 06-Nov-94 08:49:37 GMT', in2030)).toBeUndefined();
  });

  it('ignores absent, garbage, impossible and past values, and zero', () => {
    for (const header of [
      null,
      undefined,
      '',
      'soon',
      '-5',
      '1.5',
      '120s',
      '120, 120',
      '0x10',
      '2026-01-01T00:00:00Z',
      'Sun, 06 Nov 1994 08:49:37 UTC',
      'Sun, 31 Feb 1994 08:49:37 GMT',
      'Sun, 06 Nov 1994 24:00:00 GMT',
      'Sun, 06 Nov 0094 08:49:37 GMT',
      'Sun, 06 Nov 1994 08:48:37 GMT',
      '0',
    ]) {
      expect(retryAfterAt(header, now), String(header)).toBeUndefined();
    }
  });

  it('never waits more than an hour', () => {
    expect(MAX_RETRY_AFTER_MS).toBe(3_600_000);
    expect(retryAfterAt('3600', now)).toBe(now + 3_600_000);
    expect(retryAfterAt('3601', now)).toBe(now + 3_600_000);
    expect(retryAfterAt('99999999999999999999999', now)).toBe(now + 3_600_000);
    expect(retryAfterAt('Fri, 06 Nov 2099 08:49:37 GMT', now)).toBe(now + 3_600_000);
  });
});
