import { describe, expect, it } from 'vitest';
import { MAX_BATCH_ITEMS, MAX_EVENT_BYTES, MAX_REQUEST_BYTES } from '../../../src/ingest/limits.ts';
import { parseTrackingRequest, type ParsedRequest } from '../../../src/ingest/parse-request.ts';
import type { TrackingRoute } from '../../../src/ingest/tracking-route.ts';
import { trackingRouteFromPath } from '../../../src/ingest/tracking-route.ts';
import type { ErrorData } from '../../../src/shared/errors.ts';

const receivedAt = Date.parse('2024-05-01T12:00:00Z');

function parse(route: TrackingRoute, body: unknown): ReturnType<typeof parseTrackingRequest> {
  return parseTrackingRequest({ route, body: typeof body === 'string' ? body : JSON.stringify(body), receivedAt });
}

function accepted(route: TrackingRoute, body: unknown): ParsedRequest {
  const result = parse(route, body);
  if (!result.ok) throw new Error(`expected a parsed request, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function refused(route: TrackingRoute, body: unknown): ErrorData {
  const result = parse(route, body);
  if (result.ok) throw new Error('expected the request to be refused');
  return result.error;
}

const item = (i: number) => ({ type: 'track', userId: `u${i}`, event: 'E' });

describe('parseTrackingRequest: request-level errors', () => {
  it(`refuses a body over ${MAX_REQUEST_BYTES} bytes with request_too_large`, () => {
    const error = refused('batch', 'x'.repeat(MAX_REQUEST_BYTES + 1));
    expect(error.code).toBe('request_too_large');
    expect(error.message).toContain('body');
  });

  it('counts UTF-8 bytes, not characters, for the request size', () => {
    const body = JSON.stringify({ batch: [item(0)], pad: 'é'.repeat(MAX_REQUEST_BYTES / 2) });
    expect(body.length).toBeLessThan(MAX_REQUEST_BYTES);
    expect(refused('batch', body).code).toBe('request_too_large');
  });

  it('accepts a body of exactly the limit', () => {
    const prefix = JSON.stringify({ batch: [item(0)], pad: '' });
    const body = JSON.stringify({ batch: [item(0)], pad: ' '.repeat(MAX_REQUEST_BYTES - prefix.length) });
    expect(body.length).toBe(MAX_REQUEST_BYTES);
    expect(parse('batch', body).ok).toBe(true);
  });

  it.each(['{"userId":', '', 'undefined', "{'a':1}"])('refuses malformed JSON %j with invalid_json', (body) => {
    const error = refused('track', body);
    expect(error.code).toBe('invalid_json');
    expect(error.message).toContain('body is not valid JSON');
  });

  it.each([['[]'], ['"text"'], ['null'], ['7']])('refuses a non-object body %s with invalid_body', (body) => {
    const error = refused('track', body);
    expect(error.code).toBe('invalid_body');
    expect(error.message).toContain('body must be a JSON object');
  });

  it('refuses a 250,000-level nested array body without a crash', () => {
    const depth = 250_000;
    expect(refused('batch', '['.repeat(depth) + ']'.repeat(depth)).code).toBe('invalid_body');
  });

  it.each([[{}], [{ batch: {} }], [{ batch: 'x' }]])('refuses a batch body without a batch array (%j) with invalid_body', (body) => {
    const error = refused('batch', body);
    expect(error.code).toBe('invalid_body');
    expect(error.message).toContain('batch must be an array');
  });

  it('refuses an empty batch with batch_empty', () => {
    const error = refused('batch', { batch: [] });
    expect(error).toEqual({ code: 'batch_empty', message: 'batch has no items' });
  });

  it(`refuses more than ${MAX_BATCH_ITEMS} items with batch_too_large and accepts ${MAX_BATCH_ITEMS}`, () => {
    const items = Array.from({ length: MAX_BATCH_ITEMS }, (_, i) => ({ type: 'track', userId: `${i}`, event: 'E' }));
    expect(accepted('batch', { batch: items }).items).toHaveLength(MAX_BATCH_ITEMS);
    const error = refused('batch', { batch: [...items, item(0)] });
    expect(error.code).toBe('batch_too_large');
    expect(error.message).toContain(`batch has ${MAX_BATCH_ITEMS + 1} items`);
  });

  it('refuses a forbidden key in the batch envelope with invalid_body naming it', () => {
    const error = refused('batch', `{"batch":[${JSON.stringify(item(0))}],"context":{"__proto__":{"x":1}}}`);
    expect(error).toEqual({ code: 'invalid_body', message: 'batch envelope: forbidden key at context.__proto__' });
  });

  it('refuses a too-deep batch envelope with invalid_body', () => {
    const error = refused('batch', `{"batch":[${JSON.stringify(item(0))}],"context":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`);
    expect(error.code).toBe('invalid_body');
    expect(error.message).toContain('batch envelope: nesting deeper than 32 levels at context.a');
  });

  it.each(['context', 'integrations'])('refuses a non-object envelope %s with invalid_body naming it', (field) => {
    const error = refused('batch', { batch: [item(0)], [field]: [1] });
    expect(error).toEqual({ code: 'invalid_body', message: `batch envelope: ${field} must be an object, got an array` });
  });

  it('refuses a bad envelope sentAt with invalid_timestamp naming it', () => {
    const error = refused('batch', { batch: [item(0)], sentAt: 'soon' });
    expect(error.code).toBe('invalid_timestamp');
    expect(error.message).toContain('batch envelope: sentAt');
  });
});

describe('parseTrackingRequest: single-event routes', () => {
  it('takes the type from the route and strips writeKey from the event', () => {
    const parsed = accepted('identify', { userId: 'u1', traits: { plan: 'pro' }, writeKey: 'wk_1' });
    expect(parsed).toEqual({
      writeKey: 'wk_1',
      items: [{ index: 0, ok: true, event: { type: 'identify', userId: 'u1', traits: { plan: 'pro' }, timestamp: receivedAt, receivedAt } }],
    });
  });

  it('works with the short route names', () => {
    const route = trackingRouteFromPath('p');
    expect(route).toBe('page');
    if (route === undefined) return;
    const parsed = accepted(route, { anonymousId: 'a1', name: 'Home' });
    expect(parsed.items[0]).toMatchObject({ ok: true, event: { type: 'page', name: 'Home' } });
  });

  it('ignores a writeKey that is not a non-empty string', () => {
    expect('writeKey' in accepted('track', { ...item(0), writeKey: 5 })).toBe(false);
    expect('writeKey' in accepted('track', { ...item(0), writeKey: '' })).toBe(false);
  });

  it('rejects the one item, not the request, when the event is invalid', () => {
    const parsed = accepted('track', { userId: 'u1' });
    expect(parsed.items).toEqual([{ index: 0, ok: false, error: expect.objectContaining({ code: 'missing_event_name' }) }]);
  });

  it(`rejects a body over ${MAX_EVENT_BYTES} bytes as received with event_too_large`, () => {
    // Compact it fits; pretty-printed it does not, and the size that counts is the body as received.
    const emptyPad = JSON.stringify({ ...item(0), properties: { pad: '' } });
    const event = { ...item(0), properties: { pad: 'x'.repeat(MAX_EVENT_BYTES - 20 - emptyPad.length) } };
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    const body = JSON.stringify(event, null, 8);
    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_EVENT_BYTES);
    const parsed = accepted('track', body);
    expect(parsed.items[0]).toMatchObject({ ok: false, error: { code: 'event_too_large' } });
  });

  it('rejects a 250,000-level nested property as nesting_too_deep without a crash', () => {
    const depth = 250_000;
    const body = `{"userId":"u","event":"E","properties":{"deep":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    const parsed = accepted('track', body);
    expect(parsed.items[0]).toMatchObject({ ok: false, error: { code: 'nesting_too_deep' } });
  });

  it('skew-corrects with the body sentAt', () => {
    const parsed = accepted('track', { ...item(0), timestamp: '2024-05-01T10:00:00Z', sentAt: '2024-05-01T10:00:07Z' });
    expect(parsed.items[0]).toMatchObject({ ok: true, event: { timestamp: receivedAt - 7_000 } });
  });
});

describe('parseTrackingRequest: batches', () => {
  it('keeps the valid items and rejects the others with their indexes', () => {
    const parsed = accepted('batch', {
      writeKey: 'wk',
      batch: [item(0), { type: 'track', event: 'E' }, item(2), 'not an object', { type: 'nope', userId: 'u' }, item(5)],
    });
    expect(parsed.writeKey).toBe('wk');
    expect(parsed.items.map((i) => [i.index, i.ok ? 'ok' : i.error.code])).toEqual([
      [0, 'ok'],
      [1, 'no_user_anon_id'],
      [2, 'ok'],
      [3, 'invalid_event'],
      [4, 'invalid_type'],
      [5, 'ok'],
    ]);
    expect(parsed.items[5]).toMatchObject({ ok: true, event: { userId: 'u5' } });
  });

  it('accepts every event type in a batch, alias included (analytics-node batches it)', () => {
    const parsed = accepted('batch', {
      batch: [
        { type: 'identify', userId: 'u' },
        { type: 'track', userId: 'u', event: 'E' },
        { type: 'page', userId: 'u' },
        { type: 'screen', userId: 'u' },
        { type: 'group', userId: 'u', groupId: 'g' },
        { type: 'alias', userId: 'u', previousId: 'p' },
      ],
    });
    expect(parsed.items.every((i) => i.ok)).toBe(true);
  });

  it('merges the batch context and integrations into each item, item keys winning', () => {
    const parsed = accepted('batch', {
      context: { library: { name: 'analytics-node' }, ip: '8.8.8.8', traits: { email: 'batch@x.y' } },
      integrations: { All: true, Mixpanel: false },
      batch: [
        item(0),
        { ...item(1), context: { ip: '1.1.1.1', traits: { name: 'Ann' } }, integrations: { Mixpanel: true } },
      ],
    });
    expect(parsed.items[0]).toMatchObject({
      ok: true,
      event: {
        context: { library: { name: 'analytics-node' }, ip: '8.8.8.8', traits: { email: 'batch@x.y' } },
        integrations: { All: true, Mixpanel: false },
      },
    });
    const second = parsed.items[1];
    expect(second?.ok && second.event.context).toEqual({ library: { name: 'analytics-node' }, ip: '1.1.1.1', traits: { name: 'Ann' } });
    expect(second?.ok && second.event.integrations).toEqual({ All: true, Mixpanel: true });
  });

  it('applies the envelope sentAt to items without their own', () => {
    const parsed = accepted('batch', {
      sentAt: '2024-05-01T10:00:10Z',
      batch: [
        { ...item(0), timestamp: '2024-05-01T10:00:00Z' },
        { ...item(1), timestamp: '2024-05-01T10:00:00Z', sentAt: '2024-05-01T10:00:03Z' },
        { ...item(2), originalTimestamp: '2024-05-01T10:00:04Z' },
        item(3),
      ],
    });
    expect(parsed.items.map((i) => i.ok && i.event.timestamp)).toEqual([
      receivedAt - 10_000,
      receivedAt - 3_000,
      receivedAt - 6_000,
      receivedAt,
    ]);
  });

  it('takes timestamps as given without any sentAt', () => {
    const parsed = accepted('batch', { batch: [{ ...item(0), timestamp: '2024-04-01T00:00:00Z' }, item(1)] });
    expect(parsed.items.map((i) => i.ok && i.event.timestamp)).toEqual([Date.parse('2024-04-01T00:00:00Z'), receivedAt]);
  });

  it('rejects a 250,000-level nested item without a crash and keeps its neighbours', () => {
    const depth = 250_000;
    const deep = `{"type":"track","userId":"u","event":"E","properties":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const body = `{"batch":[${JSON.stringify(item(0))},${deep},${JSON.stringify(item(2))}]}`;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    const parsed = accepted('batch', body);
    expect(parsed.items.map((i) => [i.index, i.ok ? 'ok' : i.error.code])).toEqual([
      [0, 'ok'],
      [1, 'nesting_too_deep'],
      [2, 'ok'],
    ]);
  });

  it('rejects an item with a forbidden key as an item, naming its path', () => {
    const parsed = accepted('batch', `{"batch":[${JSON.stringify(item(0))},{"type":"identify","userId":"u","traits":{"constructor":{"prototype":1}}}]}`);
    expect(parsed.items[1]).toEqual({ index: 1, ok: false, error: { code: 'forbidden_key', message: 'forbidden key at traits.constructor' } });
  });

  it(`measures each item of a large batch: one over ${MAX_EVENT_BYTES} bytes is rejected alone`, () => {
    const big = { ...item(1), properties: { pad: 'x'.repeat(MAX_EVENT_BYTES) } };
    const parsed = accepted('batch', { batch: [item(0), big, item(2)] });
    expect(parsed.items.map((i) => (i.ok ? 'ok' : i.error.code))).toEqual(['ok', 'event_too_large', 'ok']);
  });

  // Issue 9 class 3: the limit holds for the event as stored, the envelope merged in (this test
  // used to assert the opposite, which let one request store 100 copies of a 400 KB context).
  it('sizes items with the batch context merged in', () => {
    const parsed = accepted('batch', {
      context: { pad: 'x'.repeat(MAX_EVENT_BYTES) },
      batch: [item(0)],
    });
    expect(parsed.items[0]).toMatchObject({ ok: false, error: { code: 'event_too_large' } });
  });
});
