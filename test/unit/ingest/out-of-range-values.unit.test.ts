import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_FUTURE_MS } from '../../../src/ingest/limits.ts';
import { parseTrackingRequest } from '../../../src/ingest/parse-request.ts';
import { validateEvent } from '../../../src/ingest/validate-event.ts';

// Issue 9 "also decide": `1e400` parses as Infinity and would read back as null; an event a
// thousand years ahead would never show anywhere. Both are refused, naming the field.

const receivedAt = Date.parse('2024-05-01T12:00:00Z');
const DAY = 86_400_000;

function itemError(body: string): unknown {
  const parsed = parseTrackingRequest({ route: 'track', body, receivedAt });
  if (!parsed.ok) return parsed.error;
  const item = parsed.value.items[0]!;
  return item.ok ? undefined : item.error;
}

describe('numbers JSON.parse cannot hold', () => {
  const PLACES: ReadonlyArray<readonly [string, (n: string) => string]> = [
    ['properties.price', (n) => `{"userId":"u","event":"E","properties":{"price":${n}}}`],
    ['properties.items[1].qty', (n) => `{"userId":"u","event":"E","properties":{"items":[{},{"qty":${n}}]}}`],
    ['context.screen.width', (n) => `{"userId":"u","event":"E","context":{"screen":{"width":${n}}}}`],
    ['integrations.X.rate', (n) => `{"userId":"u","event":"E","integrations":{"X":{"rate":${n}}}}`],
  ];

  it('are refused with invalid_field naming the path (property over magnitudes and places)', () => {
    const huge = fc.tuple(fc.boolean(), fc.integer({ min: 309, max: 100_000 }), fc.integer({ min: 1, max: 9 })).map(([negative, exponent, digit]) => `${negative ? '-' : ''}${digit}e${exponent}`);
    fc.assert(
      fc.property(fc.constantFrom(...PLACES), huge, ([path, body], n) => {
        expect(itemError(body(n))).toEqual({
          code: 'invalid_field',
          message: `${path} is a number out of range: JSON numbers must be finite (at most ±1.7976931348623157e308)`,
        });
      }),
    );
  });

  it('accepts the largest finite double and tiny numbers that round to 0', () => {
    expect(itemError('{"userId":"u","event":"E","properties":{"max":1.7976931348623157e308,"tiny":1e-400}}')).toBeUndefined();
  });

  it('refuses one in a batch envelope as a request error', () => {
    const parsed = parseTrackingRequest({ route: 'batch', body: '{"context":{"n":1e400},"batch":[{"type":"track","userId":"u","event":"E"}]}', receivedAt });
    expect(parsed).toEqual({
      ok: false,
      error: { code: 'invalid_body', message: 'batch envelope: context.n is a number out of range: JSON numbers must be finite (at most ±1.7976931348623157e308)' },
    });
  });
});

describe('timestamps far in the future', () => {
  it('are accepted up to a year after receivedAt and refused beyond (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -30 * DAY, max: 2 * MAX_FUTURE_MS }), (offset) => {
        const timestamp = new Date(receivedAt + offset).toISOString();
        const result = validateEvent({ userId: 'u', event: 'E', timestamp }, { type: 'track', receivedAt });
        if (offset <= MAX_FUTURE_MS) {
          expect(result.ok && result.value.timestamp).toBe(receivedAt + offset);
        } else {
          expect(result).toEqual({
            ok: false,
            error: {
              code: 'invalid_timestamp',
              message: `timestamp is more than a year after the event was received (${timestamp}); future-dated events are accepted up to a year ahead`,
            },
          });
        }
      }),
    );
  });

  it('refuses the year 9999, in timestamp or originalTimestamp', () => {
    for (const field of ['timestamp', 'originalTimestamp']) {
      const result = validateEvent({ userId: 'u', event: 'E', [field]: '9999-12-31T23:59:59.999Z' }, { type: 'track', receivedAt });
      expect(result.ok ? undefined : result.error.code).toBe('invalid_timestamp');
      expect(result.ok ? undefined : result.error.message).toMatch(new RegExp(`^${field} is more than a year after`));
    }
  });

  it('judges the skew-corrected time: a sentAt two years behind pushes a present timestamp out', () => {
    const result = validateEvent(
      { userId: 'u', event: 'E', timestamp: new Date(receivedAt).toISOString(), sentAt: new Date(receivedAt - 2 * MAX_FUTURE_MS).toISOString() },
      { type: 'track', receivedAt },
    );
    expect(result.ok ? undefined : result.error.message).toMatch(/^timestamp is more than a year after the event was received after correcting for sentAt/);
    // A far-future sentAt and timestamp together are a skewed device clock: corrected to now.
    const skewed = validateEvent({ userId: 'u', event: 'E', timestamp: '9999-01-01T00:00:00Z', sentAt: '9999-01-01T00:00:00Z' }, { type: 'track', receivedAt });
    expect(skewed.ok && skewed.value.timestamp).toBe(receivedAt);
  });
});
