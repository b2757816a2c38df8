import { describe, expect, it } from 'vitest';
import { MAX_EVENT_BYTES } from '../../../src/ingest/limits.ts';
import type { EventType } from '../../../src/ingest/tracked-event.ts';
import { validateEvent, type ValidateEventOptions } from '../../../src/ingest/validate-event.ts';
import type { ErrorData } from '../../../src/shared/errors.ts';

const receivedAt = Date.parse('2024-05-01T12:00:00Z');

function validate(raw: unknown, options: Partial<ValidateEventOptions> = {}) {
  return validateEvent(raw, { type: 'track', receivedAt, ...options });
}

/** The error of a rejected event; fails the test if it was accepted. */
function rejection(raw: unknown, options: Partial<ValidateEventOptions> = {}): ErrorData {
  const result = validate(raw, options);
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  return result.error;
}

const track = { userId: 'u1', event: 'Signed Up' };

describe('validateEvent: accepted events', () => {
  it('normalises a track call, omitting absent fields entirely', () => {
    const result = validate({ ...track, properties: { plan: 'pro' }, writeKey: 'wk', version: 2 });
    expect(result).toEqual({
      ok: true,
      value: { type: 'track', userId: 'u1', event: 'Signed Up', properties: { plan: 'pro' }, timestamp: receivedAt, receivedAt },
    });
    if (!result.ok) return;
    expect(Object.keys(result.value)).toEqual(['type', 'timestamp', 'receivedAt', 'userId', 'event', 'properties']);
  });

  it('keeps messageId when sent and leaves it absent otherwise', () => {
    const withId = validate({ ...track, messageId: 'm-1' });
    expect(withId.ok && withId.value.messageId).toBe('m-1');
    const without = validate({ ...track, messageId: '' });
    expect(without.ok && 'messageId' in without.value).toBe(false);
  });

  it.each(['page', 'screen'] as const)('keeps name and category on %s and does not invent an event name', (type) => {
    const result = validate({ anonymousId: 'a1', name: 'Home', category: 'Docs', properties: { url: '/x' } }, { type });
    expect(result).toEqual({
      ok: true,
      value: { type, anonymousId: 'a1', name: 'Home', category: 'Docs', properties: { url: '/x' }, timestamp: receivedAt, receivedAt },
    });
  });

  it('treats null fields as not sent (browser clients send userId: null)', () => {
    const result = validate({ userId: null, anonymousId: 'a1', event: 'E', properties: null, timestamp: null, name: null }, {});
    expect(result).toEqual({ ok: true, value: { type: 'track', anonymousId: 'a1', event: 'E', timestamp: receivedAt, receivedAt } });
  });

  it('keeps only the fields of its type', () => {
    const raw = { userId: 'u1', traits: { a: 1 }, properties: { b: 2 }, event: 'E', groupId: 'g', previousId: 'p' };
    const kept = (type: EventType) => {
      const result = validate(raw, { type });
      if (!result.ok) throw new Error(result.error.message);
      return Object.keys(result.value).filter((k) => !['type', 'timestamp', 'receivedAt', 'userId'].includes(k));
    };
    expect(kept('identify')).toEqual(['traits']);
    expect(kept('track')).toEqual(['event', 'properties']);
    expect(kept('group')).toEqual(['groupId', 'traits']);
    expect(kept('alias')).toEqual(['previousId']);
  });

  it('ignores a body type on a single-event route: the route decides', () => {
    const result = validate({ ...track, type: 'identify' }, { type: 'track' });
    expect(result.ok && result.value.type).toBe('track');
  });

  it('merges batch context and integrations under the item own keys', () => {
    const merged = validate(
      { ...track, type: 'track', context: { ip: '1.1.1.1', traits: { email: 'x@y.z' } }, integrations: { All: false } },
      {
        type: undefined,
        batch: { context: { ip: '8.8.8.8', locale: 'en-US', traits: { name: 'batch' } }, integrations: { All: true, Mixpanel: false } },
      },
    );
    expect(merged.ok && merged.value.context).toEqual({ ip: '1.1.1.1', locale: 'en-US', traits: { email: 'x@y.z' } });
    expect(merged.ok && merged.value.integrations).toEqual({ All: false, Mixpanel: false });
  });

  it('takes the batch context as is when the item has none', () => {
    const merged = validate({ ...track, type: 'track' }, { type: undefined, batch: { context: { ip: '8.8.8.8' } } });
    expect(merged.ok && merged.value.context).toEqual({ ip: '8.8.8.8' });
  });
});

describe('validateEvent: rejections', () => {
  it.each([[[1]], ['text'], [null], [42]])('rejects a non-object item %j with invalid_event', (raw) => {
    const error = rejection(raw);
    expect(error.code).toBe('invalid_event');
    expect(error.message).toContain('event must be a JSON object');
  });

  it(`rejects an event over ${MAX_EVENT_BYTES} bytes of JSON with event_too_large`, () => {
    const base = JSON.stringify({ ...track, properties: { pad: '' } });
    const exact = { ...track, properties: { pad: 'x'.repeat(MAX_EVENT_BYTES - base.length) } };
    expect(Buffer.byteLength(JSON.stringify(exact))).toBe(MAX_EVENT_BYTES);
    expect(validate(exact).ok).toBe(true);
    const over = { ...track, properties: { pad: 'x'.repeat(MAX_EVENT_BYTES - base.length + 1) } };
    const error = rejection(over);
    expect(error.code).toBe('event_too_large');
    expect(error.message).toContain(`event is ${MAX_EVENT_BYTES + 1} bytes`);
  });

  it('counts UTF-8 bytes, not characters, for the event size', () => {
    const base = JSON.stringify({ ...track, properties: { pad: '' } });
    const chars = Math.ceil((MAX_EVENT_BYTES - base.length) / 2) + 1;
    expect(rejection({ ...track, properties: { pad: 'é'.repeat(chars) } }).code).toBe('event_too_large');
  });

  it('uses the byte length the caller knows instead of measuring', () => {
    expect(rejection(track, { byteLength: MAX_EVENT_BYTES + 1 }).code).toBe('event_too_large');
    expect(validate(track, { byteLength: MAX_EVENT_BYTES }).ok).toBe(true);
  });

  it('checks the shape before serialising: a 250,000-level property is nesting_too_deep, not a crash', () => {
    const depth = 250_000;
    const raw: unknown = JSON.parse(`{"userId":"u","event":"E","properties":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`);
    const error = rejection(raw);
    expect(error.code).toBe('nesting_too_deep');
    expect(error.message).toContain('properties.a');
  });

  it('rejects a forbidden key naming its path', () => {
    const error = rejection(JSON.parse('{"userId":"u","event":"E","properties":{"a":{"__proto__":{"x":1}}}}'));
    expect(error).toEqual({ code: 'forbidden_key', message: 'forbidden key at properties.a.__proto__' });
  });

  it('rejects a batch item without type with invalid_type', () => {
    const error = rejection(track, { type: undefined });
    expect(error.code).toBe('invalid_type');
    expect(error.message).toContain('type');
  });

  it.each([['Track'], ['purchase'], [3]])('rejects a batch item with type %j with invalid_type', (type) => {
    const error = rejection({ ...track, type }, { type: undefined });
    expect(error.code).toBe('invalid_type');
    expect(error.message).toContain('type must be one of identify, track, page, screen, group, alias');
  });

  it.each(['userId', 'anonymousId', 'previousId', 'groupId', 'messageId', 'event', 'name', 'category'])(
    'rejects a non-string %s with invalid_field naming it',
    (field) => {
      const error = rejection({ ...track, [field]: 12345 });
      expect(error).toEqual({ code: 'invalid_field', message: `${field} must be a string, got a number` });
    },
  );

  it.each(['traits', 'properties', 'context', 'integrations'])('rejects a non-object %s with invalid_field naming it', (field) => {
    expect(rejection({ ...track, [field]: 'x' })).toEqual({ code: 'invalid_field', message: `${field} must be an object, got a string` });
    expect(rejection({ ...track, [field]: [] })).toEqual({ code: 'invalid_field', message: `${field} must be an object, got an array` });
  });

  it('rejects an event without userId or anonymousId with no_user_anon_id', () => {
    const error = rejection({ event: 'E' });
    expect(error.code).toBe('no_user_anon_id');
    expect(error.message).toContain('userId or anonymousId');
  });

  it('counts empty ids as missing', () => {
    expect(rejection({ event: 'E', userId: '', anonymousId: '' }).code).toBe('no_user_anon_id');
  });

  it.each([[{}], [{ event: '' }]])('rejects a track without a non-empty event (%j) with missing_event_name', (extra) => {
    const error = rejection({ userId: 'u', ...extra });
    expect(error.code).toBe('missing_event_name');
    expect(error.message).toContain('event is required');
  });

  it('rejects a group without groupId with missing_group_id', () => {
    const error = rejection({ userId: 'u', groupId: '' }, { type: 'group' });
    expect(error.code).toBe('missing_group_id');
    expect(error.message).toContain('groupId');
  });

  it('rejects an alias without previousId with missing_previous_id', () => {
    const error = rejection({ userId: 'u' }, { type: 'alias' });
    expect(error.code).toBe('missing_previous_id');
    expect(error.message).toContain('previousId');
  });

  it.each(['userId', 'anonymousId', 'previousId'])('rejects a %s over 1536 UTF-8 bytes with id_too_long', (field) => {
    const raw = { userId: 'u', previousId: 'p', event: 'E' };
    // 768 two-byte characters: 1,536 bytes, accepted; one more is over.
    expect(validate({ ...raw, [field]: 'é'.repeat(768) }, { type: 'alias' }).ok).toBe(true);
    const error = rejection({ ...raw, [field]: 'é'.repeat(769) }, { type: 'alias' });
    expect(error).toEqual({ code: 'id_too_long', message: `${field} is longer than 1536 UTF-8 bytes` });
  });

  it('rejects a groupId over 500 characters with id_too_long, counting code points', () => {
    expect(validate({ userId: 'u', groupId: 'g'.repeat(500) }, { type: 'group' }).ok).toBe(true);
    // 500 CJK characters are 1,500 bytes: within both limits.
    expect(validate({ userId: 'u', groupId: '漢'.repeat(500) }, { type: 'group' }).ok).toBe(true);
    const error = rejection({ userId: 'u', groupId: 'g'.repeat(501) }, { type: 'group' });
    expect(error).toEqual({ code: 'id_too_long', message: 'groupId is longer than 500 characters' });
    // 500 emoji are 500 characters but 2,000 bytes: over the storage bound every id has.
    expect(rejection({ userId: 'u', groupId: '😀'.repeat(500) }, { type: 'group' })).toEqual({ code: 'id_too_long', message: 'groupId is longer than 1536 UTF-8 bytes' });
  });

  it('rejects a messageId over 100 characters with message_id_too_long', () => {
    expect(validate({ ...track, messageId: 'm'.repeat(100) }).ok).toBe(true);
    const error = rejection({ ...track, messageId: 'm'.repeat(101) });
    expect(error).toEqual({ code: 'message_id_too_long', message: 'messageId is longer than 100 characters' });
  });

  it('rejects an identify with 300 traits with too_many_traits, accepts 299', () => {
    const traits = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, i]));
    expect(validate({ userId: 'u', traits: traits(299) }, { type: 'identify' }).ok).toBe(true);
    const error = rejection({ userId: 'u', traits: traits(300) }, { type: 'identify' });
    expect(error.code).toBe('too_many_traits');
    expect(error.message).toContain('traits has 300 keys');
    // The limit is Engage's, on identify traits only.
    expect(validate({ ...track, properties: traits(300) }).ok).toBe(true);
  });

  it.each(['timestamp', 'originalTimestamp', 'sentAt'])('rejects a bad %s with invalid_timestamp naming it', (field) => {
    const error = rejection({ ...track, [field]: '12/31/2024' });
    expect(error.code).toBe('invalid_timestamp');
    expect(error.message).toContain(field);
  });

  it('applies the batch sentAt to skew-correct the timestamp', () => {
    const result = validate(
      { ...track, type: 'track', timestamp: '2024-05-01T09:00:00Z' },
      { type: undefined, batch: { sentAt: Date.parse('2024-05-01T09:01:00Z') } },
    );
    expect(result.ok && result.value.timestamp).toBe(receivedAt - 60_000);
  });
});
