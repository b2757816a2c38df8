import { ensureError, type ErrorData } from '../shared/errors.ts';
import type { EpochMs } from '../shared/ids.ts';
import { isJsonObject, type JsonObject } from '../shared/json.ts';
import { err, ok, type Result } from '../shared/result.ts';
import { isWellFormed, LONE_SURROGATE_PROBLEM } from '../shared/well-formed.ts';
import { describeType } from './describe-value.ts';
import { batchItemSpans } from './batch-item-spans.ts';
import { measureEnvelope } from './envelope-size.ts';
import { isSurrogateFreeJson } from './surrogate-free.ts';
import { inspectShape } from './inspect-shape.ts';
import { MAX_BATCH_ITEMS, MAX_EVENT_BYTES, MAX_REQUEST_BYTES } from './limits.ts';
import { readTimestampField } from './timestamps.ts';
import type { TrackingRoute } from './tracking-route.ts';
import { validateEvent, type BatchDefaults, type ValidatedEvent } from './validate-event.ts';

export interface TrackingRequest {
  readonly route: TrackingRoute;
  /** The body as UTF-8 text, already decompressed. */
  readonly body: string;
  readonly receivedAt: EpochMs;
}

/** One event of the request: accepted, or rejected with the reason. `index` is its batch position. */
export type ParsedItem =
  | { readonly index: number; readonly ok: true; readonly event: ValidatedEvent }
  | { readonly index: number; readonly ok: false; readonly error: ErrorData };

export interface ParsedRequest {
  /** The body's `writeKey`, when it is a non-empty string; HTTP Basic auth is the API's concern. */
  readonly writeKey?: string;
  /** One item for a single-event route; one per batch entry, in order, for a batch. */
  readonly items: readonly ParsedItem[];
}

/**
 * Parses a tracking request into validated events. A request-level problem (size, JSON, body
 * shape, batch count) refuses the whole request; a bad event only refuses that event, so the
 * caller can keep the valid items of a batch. Pure: the clock reading comes in as `receivedAt`.
 *
 * @example
 * parseTrackingRequest({ route: 'track', body: '{"userId":"u1","event":"Signed Up"}', receivedAt: now })
 * // → ok({ items: [{ index: 0, ok: true, event: { type: 'track', userId: 'u1', … } }] })
 */
export function parseTrackingRequest(request: TrackingRequest): Result<ParsedRequest, ErrorData> {
  const { route, body, receivedAt } = request;
  // A string has at least as many UTF-8 bytes as UTF-16 units, so an over-long one is refused
  // without measuring it.
  const bodyBytes = body.length > MAX_REQUEST_BYTES ? body.length : Buffer.byteLength(body, 'utf8');
  if (bodyBytes > MAX_REQUEST_BYTES) {
    return err({ code: 'request_too_large', message: `body is over ${MAX_REQUEST_BYTES} bytes` });
  }

  let parsed: unknown;
  try {
    // V8's JSON.parse does not recurse, so deep nesting is safe here and caught further on.
    parsed = JSON.parse(body);
  } catch (e) {
    return err({ code: 'invalid_json', message: `body is not valid JSON: ${ensureError(e).message}` });
  }
  if (!isJsonObject(parsed)) {
    return err({ code: 'invalid_body', message: `body must be a JSON object, got ${describeType(parsed)}` });
  }
  const writeKey = parsed['writeKey'];
  // A key with an unpaired surrogate can match no configured key exactly; say why, not 401.
  if (typeof writeKey === 'string' && !isWellFormed(writeKey)) {
    return err({ code: 'invalid_unicode', message: `writeKey ${LONE_SURROGATE_PROBLEM}` });
  }
  const base: { writeKey?: string } = typeof writeKey === 'string' && writeKey !== '' ? { writeKey } : {};
  // One scan of the body instead of a check of every string in it (the common case).
  const surrogateFree = isSurrogateFreeJson(body);

  if (route !== 'batch') {
    // The whole body is the event; validateEvent keeps only event fields, so `writeKey` is dropped.
    const result = validateEvent(parsed, { type: route, receivedAt, byteLength: bodyBytes, surrogateFree });
    return ok({ ...base, items: [toItem(0, result)] });
  }

  const batch = parseBatchEnvelope(parsed, surrogateFree);
  if (!batch.ok) return batch;
  const { items } = batch.value;
  // Every item's text and the envelope are disjoint parts of the body, so a body within the event
  // limit bounds each item's size, envelope merged in. A larger body is cut into the items' raw
  // texts, measured as received, and the envelope's objects are measured to add what each item
  // takes of them.
  const defaults: BatchDefaults =
    bodyBytes <= MAX_EVENT_BYTES || (batch.value.defaults.context === undefined && batch.value.defaults.integrations === undefined)
      ? batch.value.defaults
      : { ...batch.value.defaults, sizes: measureEnvelope(batch.value.defaults) };
  const spans = bodyBytes <= MAX_EVENT_BYTES ? undefined : batchItemSpans(body);
  const usableSpans = spans !== undefined && spans.length === items.length ? spans : undefined;
  const parsedItems = items.map((item, index) => {
    const span = usableSpans?.[index];
    const byteLength = span === undefined ? (bodyBytes <= MAX_EVENT_BYTES ? bodyBytes : undefined) : rawBytes(body, span);
    return toItem(index, validateEvent(item, { receivedAt, batch: defaults, surrogateFree, ...(byteLength === undefined ? {} : { byteLength }) }));
  });
  return ok({ ...base, items: parsedItems });
}

interface BatchEnvelope {
  readonly items: readonly unknown[];
  readonly defaults: BatchDefaults;
}

/**
 * The batch array and what the envelope lends to each item. The envelope's own keys are walked
 * for depth and forbidden keys here, skipping `batch`, whose items each get their own walk (and
 * their own rejection) in validateEvent.
 */
function parseBatchEnvelope(body: JsonObject, surrogateFree: boolean): Result<BatchEnvelope, ErrorData> {
  const items = body['batch'];
  if (!Array.isArray(items)) {
    return err({ code: 'invalid_body', message: `batch must be an array, got ${describeType(items)}` });
  }
  if (items.length === 0) return err({ code: 'batch_empty', message: 'batch has no items' });
  if (items.length > MAX_BATCH_ITEMS) {
    return err({ code: 'batch_too_large', message: `batch has ${items.length} items; the limit is ${MAX_BATCH_ITEMS}` });
  }

  const shapeError = inspectShape(body, { skipRootKey: 'batch', surrogateFree });
  if (shapeError !== undefined) {
    return err({ code: 'invalid_body', message: `batch envelope: ${shapeError.message}` });
  }
  const context = readEnvelopeObject(body, 'context');
  if (!context.ok) return context;
  const integrations = readEnvelopeObject(body, 'integrations');
  if (!integrations.ok) return integrations;
  const sentAt = readTimestampField(body['sentAt'], 'sentAt');
  if (!sentAt.ok) {
    return err({ code: sentAt.error.code, message: `batch envelope: ${sentAt.error.message}` });
  }

  const defaults: { -readonly [K in keyof BatchDefaults]: BatchDefaults[K] } = {};
  if (sentAt.value !== undefined) defaults.sentAt = sentAt.value;
  if (context.value !== undefined) defaults.context = context.value;
  if (integrations.value !== undefined) defaults.integrations = integrations.value;
  return ok({ items, defaults });
}

function readEnvelopeObject(body: JsonObject, field: 'context' | 'integrations'): Result<JsonObject | undefined, ErrorData> {
  const value = body[field];
  if (value === undefined || value === null) return ok(undefined);
  if (!isJsonObject(value)) {
    return err({ code: 'invalid_body', message: `batch envelope: ${field} must be an object, got ${describeType(value)}` });
  }
  return ok(value);
}

/** UTF-8 bytes of a slice, skipping the count when even 3 bytes per unit stays within the limit. */
function rawBytes(body: string, [start, end]: [number, number]): number {
  const units = end - start;
  return units * 3 <= MAX_EVENT_BYTES ? units : Buffer.byteLength(body.slice(start, end), 'utf8');
}

function toItem(index: number, result: Result<ValidatedEvent, ErrorData>): ParsedItem {
  return result.ok ? { index, ok: true, event: result.value } : { index, ok: false, error: result.error };
}
