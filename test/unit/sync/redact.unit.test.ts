import { describe, expect, it } from 'vitest';
import { redactHeaders, redactSecret } from '../../../src/sync/redact.ts';

describe('redacting secrets', () => {
  it('shows the last 4 characters of a value of 12 or more', () => {
    expect(redactSecret('Bearer sk_live_1234abcd')).toBe('••••abcd');
    expect(redactSecret('123456789012')).toBe('••••9012');
  });

  it('shows nothing of a shorter value, nor of an empty one', () => {
    expect(redactSecret('12345678901')).toBe('••••');
    expect(redactSecret('abcd')).toBe('••••');
    expect(redactSecret('')).toBe('••••');
  });

  it('counts characters, not UTF-16 units', () => {
    expect(redactSecret('secret-key-😀😀')).toBe('••••y-😀😀');
    expect(redactSecret('😀'.repeat(11))).toBe('••••');
  });

  it('redacts every header value and keeps the names', () => {
    const headers = { authorization: 'Bearer abcdefghijklmnop', 'x-short': 'tiny' };
    expect(redactHeaders(headers)).toEqual({ authorization: '••••mnop', 'x-short': '••••' });
    expect(redactHeaders({})).toEqual({});
    expect(headers).toEqual({ authorization: 'Bearer abcdefghijklmnop', 'x-short': 'tiny' });
  });
});
