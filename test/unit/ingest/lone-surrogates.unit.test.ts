import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTrackingRequest } from '../../../src/ingest/parse-request.ts';
import type { EventType } from '../../../src/ingest/tracked-event.ts';
import { validateEvent } from '../../../src/ingest/validate-event.ts';
import type { JsonObject } from '../../../src/shared/json.ts';

// Issue 9 class 2: an unpaired UTF-16 surrogate is not valid Unicode; msgpack and LMDB store it as
// something else, so two different strings can come back equal. Every string of an event, key or
// value, id or property, is refused with invalid_unicode naming where it is.

const receivedAt = Date.parse('2024-05-01T12:00:00Z');

/** ASCII around one surrogate unit, so nothing can pair with it. */
const loneSurrogateText = fc
  .tuple(fc.string({ maxLength: 20 }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ maxLength: 20 }), fc.boolean())
  .map(([before, unit, after, doubled]) => {
    // Also the reversed pair (low then high): two surrogates, neither of them paired.
    const surrogate = doubled ? '\udc00\ud800' : String.fromCharCode(unit);
    return `${before}${surrogate}${after}`;
  });

interface Place {
  readonly type: EventType;
  /** The event with `text` at this place. */
  readonly event: (text: string) => JsonObject;
  /** How the message names the place. */
  readonly path: (text: string) => string;
}

const track = { userId: 'u1', event: 'E' };

const PLACES: readonly Place[] = [
  { type: 'track', event: (t) => ({ ...track, messageId: t }), path: () => 'messageId' },
  { type: 'track', event: (t) => ({ ...track, userId: t }), path: () => 'userId' },
  { type: 'track', event: (t) => ({ ...track, anonymousId: t }), path: () => 'anonymousId' },
  { type: 'alias', event: (t) => ({ userId: 'u1', previousId: t }), path: () => 'previousId' },
  { type: 'group', event: (t) => ({ userId: 'u1', groupId: t }), path: () => 'groupId' },
  { type: 'track', event: (t) => ({ userId: 'u1', event: t }), path: () => 'event' },
  { type: 'page', event: (t) => ({ userId: 'u1', name: t, category: 'c' }), path: () => 'name' },
  { type: 'track', event: (t) => ({ ...track, properties: { label: t } }), path: () => 'properties.label' },
  { type: 'track', event: (t) => ({ ...track, properties: { list: [1, 'a', t] } }), path: () => 'properties.list[2]' },
  { type: 'identify', event: (t) => ({ userId: 'u1', traits: { email: t } }), path: () => 'traits.email' },
  { type: 'identify', event: (t) => ({ userId: 'u1', traits: { nested: { deeper: t } } }), path: () => 'traits.nested.deeper' },
  { type: 'identify', event: (t) => ({ userId: 'u1', traits: { [t]: 1 } }), path: (t) => `the key at traits.${t.toWellFormed()}` },
  { type: 'track', event: (t) => ({ ...track, context: { traits: { email: t } } }), path: () => 'context.traits.email' },
  { type: 'track', event: (t) => ({ ...track, context: { externalIds: [{ id: t, type: 'phone' }] } }), path: () => 'context.externalIds[0].id' },
  { type: 'track', event: (t) => ({ ...track, context: { externalIds: [{ id: '1', type: t }] } }), path: () => 'context.externalIds[0].type' },
  { type: 'track', event: (t) => ({ ...track, integrations: { [t]: true } }), path: (t) => `the key at integrations.${t.toWellFormed()}` },
];

describe('unpaired surrogates in an event', () => {
  it('are refused with invalid_unicode naming the field, wherever they are (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PLACES), loneSurrogateText, (place, text) => {
        const result = validateEvent(place.event(text), { type: place.type, receivedAt });
        expect(result).toEqual({
          ok: false,
          error: { code: 'invalid_unicode', message: `${place.path(text)} holds an unpaired UTF-16 surrogate (not valid Unicode; it cannot be stored exactly)` },
        });
        // The same event with the surrogate made whole (U+FFFD) is not refused for it.
        const repaired = validateEvent(place.event(text.toWellFormed()), { type: place.type, receivedAt });
        expect(repaired.ok ? undefined : repaired.error.code).not.toBe('invalid_unicode');
      }),
      { numRuns: 300 },
    );
  });

  it('accepts well-formed text of any script, emoji included (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), (text) => {
        const result = validateEvent({ ...track, properties: { [`k${text}`]: text }, context: { traits: { name: text } } }, { type: 'track', receivedAt });
        expect(result.ok).toBe(true);
      }),
    );
  });

  it('the one-scan fast path over the body refuses exactly what checking every string does (property)', () => {
    // Any UTF-16 units, so lone surrogates, proper pairs and plain text all occur.
    const units = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)), maxLength: 6 });
    const raw = fc.dictionary(units, fc.oneof(units, fc.array(units, { maxLength: 3 })), { maxKeys: 4 });
    fc.assert(
      fc.property(raw, fc.constantFrom('stringified', 'all-escaped'), (properties, form) => {
        const event = { ...track, properties };
        // JSON.stringify escapes lone surrogates (`\ud800`) and writes pairs raw; `all-escaped`
        // writes every non-ASCII unit as an escape, pairs included.
        const json = JSON.stringify(event);
        const body = form === 'stringified' ? json : json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
        expect(JSON.parse(body)).toEqual(event);
        const parsed = parseTrackingRequest({ route: 'track', body, receivedAt });
        const fast = parsed.ok ? (parsed.value.items[0]!.ok ? 'ok' : parsed.value.items[0]!.error) : parsed.error;
        const slow = validateEvent(JSON.parse(body), { type: 'track', receivedAt });
        expect(fast).toEqual(slow.ok ? 'ok' : slow.error);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a body writeKey with one before looking it up', () => {
    for (const route of ['track', 'batch'] as const) {
      const body = route === 'batch' ? { writeKey: 'k\ud800', batch: [{ type: 'track', ...track }] } : { writeKey: 'k\ud800', ...track };
      const parsed = parseTrackingRequest({ route, body: JSON.stringify(body), receivedAt });
      expect(parsed).toEqual({ ok: false, error: { code: 'invalid_unicode', message: 'writeKey holds an unpaired UTF-16 surrogate (not valid Unicode; it cannot be stored exactly)' } });
    }
  });

  it('refuses a batch whose envelope holds one: it would be merged into every item', () => {
    const parsed = parseTrackingRequest({ route: 'batch', body: JSON.stringify({ context: { page: { title: 'a\udfff' } }, batch: [{ type: 'track', ...track }] }), receivedAt });
    expect(parsed).toEqual({
      ok: false,
      error: { code: 'invalid_body', message: 'batch envelope: context.page.title holds an unpaired UTF-16 surrogate (not valid Unicode; it cannot be stored exactly)' },
    });
  });

  it('refuses only the affected item of a batch, read from JSON escapes', () => {
    const body = '{"batch":[{"type":"track","userId":"u1","event":"E"},{"type":"track","userId":"u2\\ud83d","event":"E"},{"type":"track","userId":"u3\\ud83d\\ude00","event":"E"}]}';
    const parsed = parseTrackingRequest({ route: 'batch', body, receivedAt });
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(parsed.value.items.map((item) => (item.ok ? item.event.userId : item.error.code))).toEqual(['u1', 'invalid_unicode', 'u3😀']);
  });
});
