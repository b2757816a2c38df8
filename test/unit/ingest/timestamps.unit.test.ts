import { describe, expect, it } from 'vitest';
import { correctClockSkew, parseIsoTimestamp, readTimestampField, resolveEventTimestamp } from '../../../src/ingest/timestamps.ts';

const at = (iso: string): number => Date.parse(iso);

describe('parseIsoTimestamp', () => {
  it.each([
    ['2015-12-10T04:08:31.905Z', at('2015-12-10T04:08:31.905Z')],
    ['2015-12-10T04:08:31Z', at('2015-12-10T04:08:31.000Z')],
    ['2015-12-10T04:08Z', at('2015-12-10T04:08:00.000Z')],
    ['2015-12-10t04:08:31z', at('2015-12-10T04:08:31.000Z')],
    ['2015-12-10T06:08:31.905+02:00', at('2015-12-10T04:08:31.905Z')],
    ['2015-12-10T06:08:31.905+0200', at('2015-12-10T04:08:31.905Z')],
    ['2015-12-10T01:08:31.905-03', at('2015-12-10T04:08:31.905Z')],
    ['2015-12-10T04:08:31.905123456Z', at('2015-12-10T04:08:31.905Z')],
    ['2015-12-10T04:08:31.5Z', at('2015-12-10T04:08:31.500Z')],
    ['2015-12-10', at('2015-12-10T00:00:00.000Z')],
    ['2024-02-29T00:00:00Z', at('2024-02-29T00:00:00.000Z')],
  ])('reads %s', (text, expected) => {
    expect(parseIsoTimestamp(text)).toBe(expected);
  });

  it('reads a date-time without a zone as UTC, whatever the process time zone', () => {
    expect(parseIsoTimestamp('2015-12-10T04:08:31.905')).toBe(at('2015-12-10T04:08:31.905Z'));
  });

  it.each([
    'yesterday',
    '1700000000000',
    'Thu, 10 Dec 2015 04:08:31 GMT',
    '2015-12-10 04:08:31Z',
    '2015-13-01T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2015-04-31',
    '2015-12-10T24:00:00Z',
    '2015-12-10T04:60:00Z',
    '2015-12-10Z',
    '',
  ])('rejects %j', (text) => {
    expect(parseIsoTimestamp(text)).toBeUndefined();
  });
});

describe('readTimestampField', () => {
  it('treats absent and null as not sent', () => {
    expect(readTimestampField(undefined, 'timestamp')).toEqual({ ok: true, value: undefined });
    expect(readTimestampField(null, 'timestamp')).toEqual({ ok: true, value: undefined });
  });

  it('rejects an unparseable string with invalid_timestamp naming the field', () => {
    const result = readTimestampField('not a date', 'sentAt');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_timestamp');
    expect(result.error.message).toContain('sentAt');
  });

  it('rejects a number with invalid_timestamp naming the field', () => {
    const result = readTimestampField(1_700_000_000_000, 'originalTimestamp');
    expect(result).toEqual({
      ok: false,
      error: { code: 'invalid_timestamp', message: 'originalTimestamp must be an ISO-8601 string, got a number' },
    });
  });

  it('rejects a time before 1970', () => {
    const result = readTimestampField('1969-12-31T23:59:59.999Z', 'timestamp');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_timestamp');
    expect(result.error.message).toContain('timestamp is before 1970');
  });

  it('accepts 1970-01-01T00:00:00Z and a 1969 local time that is 1970 in UTC', () => {
    expect(readTimestampField('1970-01-01T00:00:00Z', 'timestamp')).toEqual({ ok: true, value: 0 });
    expect(readTimestampField('1969-12-31T20:00:00-05:00', 'timestamp')).toEqual({ ok: true, value: 3_600_000 });
  });

  it('rejects years before 100 rather than reading them as 19xx', () => {
    expect(readTimestampField('0099-06-01T00:00:00Z', 'timestamp').ok).toBe(false);
  });
});

describe('correctClockSkew', () => {
  it('applies timestamp = receivedAt - (sentAt - originalTimestamp)', () => {
    // The device clock is 1 hour behind: it stamped the event at 10:00 and sent it at 10:05.
    const occurredAt = at('2024-05-01T10:00:00Z');
    const sentAt = at('2024-05-01T10:05:00Z');
    const receivedAt = at('2024-05-01T11:05:00Z');
    expect(correctClockSkew({ receivedAt, sentAt, occurredAt })).toBe(at('2024-05-01T11:00:00Z'));
  });

  it('takes the event time as given without sentAt', () => {
    expect(correctClockSkew({ receivedAt: 5_000, occurredAt: 1_000 })).toBe(1_000);
  });

  it('uses receivedAt when the event has no time, with or without sentAt', () => {
    expect(correctClockSkew({ receivedAt: 5_000 })).toBe(5_000);
    expect(correctClockSkew({ receivedAt: 5_000, sentAt: 4_000 })).toBe(5_000);
  });
});

describe('resolveEventTimestamp', () => {
  const receivedAt = at('2024-05-01T12:00:00Z');

  it('corrects with the event own sentAt', () => {
    const result = resolveEventTimestamp(
      { timestamp: '2024-05-01T09:00:00Z', sentAt: '2024-05-01T09:00:10Z' },
      receivedAt,
      undefined,
    );
    expect(result).toEqual({ ok: true, value: receivedAt - 10_000 });
  });

  it('uses the batch sentAt for an event without its own', () => {
    const result = resolveEventTimestamp({ timestamp: '2024-05-01T09:00:00Z' }, receivedAt, at('2024-05-01T09:00:30Z'));
    expect(result).toEqual({ ok: true, value: receivedAt - 30_000 });
  });

  it("prefers the event's own sentAt over the batch's", () => {
    const result = resolveEventTimestamp(
      { timestamp: '2024-05-01T09:00:00Z', sentAt: '2024-05-01T09:00:05Z' },
      receivedAt,
      at('2024-05-01T09:00:30Z'),
    );
    expect(result).toEqual({ ok: true, value: receivedAt - 5_000 });
  });

  it('falls back to originalTimestamp when timestamp is absent (RudderStack)', () => {
    const result = resolveEventTimestamp(
      { originalTimestamp: '2024-05-01T09:00:00Z', sentAt: '2024-05-01T09:00:02Z' },
      receivedAt,
      undefined,
    );
    expect(result).toEqual({ ok: true, value: receivedAt - 2_000 });
  });

  it('prefers timestamp over originalTimestamp', () => {
    const result = resolveEventTimestamp(
      { timestamp: '2024-05-01T09:00:00Z', originalTimestamp: '2024-05-01T08:00:00Z' },
      receivedAt,
      undefined,
    );
    expect(result).toEqual({ ok: true, value: at('2024-05-01T09:00:00Z') });
  });

  it('takes timestamp as given without sentAt', () => {
    const result = resolveEventTimestamp({ timestamp: '2020-01-01T00:00:00Z' }, receivedAt, undefined);
    expect(result).toEqual({ ok: true, value: at('2020-01-01T00:00:00Z') });
  });

  it('uses receivedAt when there is no timestamp at all', () => {
    expect(resolveEventTimestamp({}, receivedAt, undefined)).toEqual({ ok: true, value: receivedAt });
    expect(resolveEventTimestamp({ timestamp: null }, receivedAt, at('2024-05-01T09:00:00Z'))).toEqual({ ok: true, value: receivedAt });
  });

  it.each(['timestamp', 'originalTimestamp', 'sentAt'])('rejects a bad %s naming it', (field) => {
    const result = resolveEventTimestamp({ [field]: 'garbage' }, receivedAt, undefined);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_timestamp');
    expect(result.error.message).toContain(field);
  });

  it('rejects a correction that lands before 1970', () => {
    const result = resolveEventTimestamp(
      { timestamp: '1970-01-01T00:00:00Z', sentAt: '2100-01-01T00:00:00Z' },
      receivedAt,
      undefined,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_timestamp');
    expect(result.error.message).toContain('timestamp');
  });
});
