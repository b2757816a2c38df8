import type { ErrorData } from '../shared/errors.ts';
import type { EpochMs } from '../shared/ids.ts';
import { isJsonObject, type JsonObject } from '../shared/json.ts';
import { err, ok, type Result } from '../shared/result.ts';
import { describeType, quote } from './describe-value.ts';
import { inspectShape } from './inspect-shape.ts';
import { identifierValueError } from '../shared/key-bounds.ts';
import { exceedsChars, exceedsUtf8Bytes } from '../shared/text-size.ts';
import { envelopeBytesAdded, type EnvelopeSizes } from './envelope-size.ts';
import { MAX_EVENT_BYTES, MAX_GROUP_ID_CHARS, MAX_MESSAGE_ID_CHARS, MAX_TRAITS } from './limits.ts';
import { readObjectFields, readStringFields, type StringField } from './read-fields.ts';
import { resolveEventTimestamp } from './timestamps.ts';
import { EVENT_TYPES, type EventType, type TrackedEvent } from './tracked-event.ts';

/** An event as ingestion hands it on: the API layer adds `sourceId` and a missing `messageId`. */
export type ValidatedEvent = Omit<TrackedEvent, 'sourceId' | 'messageId'> & { readonly messageId?: string };

/** What a batch envelope lends to each of its items. */
export interface BatchDefaults {
  readonly sentAt?: EpochMs;
  readonly context?: JsonObject;
  readonly integrations?: JsonObject;
  /**
   * `context` and `integrations` measured entry by entry, when they could push an item over the
   * event limit once merged into it (the request is over that limit itself).
   */
  readonly sizes?: EnvelopeSizes;
}

export interface ValidateEventOptions {
  /** The route's type (`/v1/track` …). Absent for a batch item, which must carry its own `type`. */
  readonly type?: EventType;
  readonly receivedAt: EpochMs;
  /**
   * The item's size as received, or an upper bound of it (the whole body's), when the caller
   * knows it; otherwise the item is measured as JSON.stringify of it.
   */
  readonly byteLength?: number;
  readonly batch?: BatchDefaults;
  /** The event was parsed from text `isSurrogateFreeJson` cleared: its strings need no check. */
  readonly surrogateFree?: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

/**
 * Validates one raw event (a single-route body or one batch item) and normalises it. Checks run
 * in a fixed order, so one input always gets the same error: JSON object, shape (before anything
 * recursive can touch it), size, type, field types, required fields, lengths, timestamps.
 * Fields that do not belong to the type (a track's `traits`, an identify's `event`) are checked
 * but not kept.
 *
 * @example
 * validateEvent({ userId: 'u1', event: 'Signed Up' }, { type: 'track', receivedAt: 1_700_000_000_000 })
 * // → ok({ type: 'track', userId: 'u1', event: 'Signed Up', timestamp: 1_700_000_000_000, receivedAt: 1_700_000_000_000 })
 */
export function validateEvent(raw: unknown, options: ValidateEventOptions): Result<ValidatedEvent, ErrorData> {
  if (!isJsonObject(raw)) {
    return err({ code: 'invalid_event', message: `event must be a JSON object, got ${describeType(raw)}` });
  }
  const shapeError = inspectShape(raw, { surrogateFree: options.surrogateFree === true });
  if (shapeError !== undefined) return err(shapeError);
  const sizeError = checkSize(raw, options.byteLength, options.batch?.sizes);
  if (sizeError !== undefined) return err(sizeError);

  const type = readType(raw, options.type);
  if (!type.ok) return type;
  const strings = readStringFields(raw);
  if (!strings.ok) return strings;
  const objects = readObjectFields(raw);
  if (!objects.ok) return objects;
  const s = strings.value;
  const o = objects.value;

  const requiredError = checkRequired(type.value, s);
  if (requiredError !== undefined) return err(requiredError);
  const lengthError = checkLengths(s);
  if (lengthError !== undefined) return err(lengthError);
  if (type.value === 'identify' && o.traits !== undefined) {
    const count = Object.keys(o.traits).length;
    if (count >= MAX_TRAITS) {
      return err({ code: 'too_many_traits', message: `traits has ${count} keys; an identify call must have fewer than ${MAX_TRAITS}` });
    }
  }
  const timestamp = resolveEventTimestamp(raw, options.receivedAt, options.batch?.sentAt);
  if (!timestamp.ok) return timestamp;

  // Built key by key so absent fields are absent, never undefined-valued (see TrackedEvent).
  const event: Mutable<ValidatedEvent> = { type: type.value, timestamp: timestamp.value, receivedAt: options.receivedAt };
  if (s.messageId !== undefined) event.messageId = s.messageId;
  if (s.userId !== undefined) event.userId = s.userId;
  if (s.anonymousId !== undefined) event.anonymousId = s.anonymousId;
  switch (type.value) {
    case 'track':
      // Present: checkRequired refused a track without it.
      if (s.event !== undefined) event.event = s.event;
      if (o.properties !== undefined) event.properties = o.properties;
      break;
    case 'page':
    case 'screen':
      // The derived `Page Viewed` / `Screen Viewed` name is for later stages, not stored here.
      if (s.name !== undefined) event.name = s.name;
      if (s.category !== undefined) event.category = s.category;
      if (o.properties !== undefined) event.properties = o.properties;
      break;
    case 'identify':
      if (o.traits !== undefined) event.traits = o.traits;
      break;
    case 'group':
      if (s.groupId !== undefined) event.groupId = s.groupId;
      if (o.traits !== undefined) event.traits = o.traits;
      break;
    case 'alias':
      if (s.previousId !== undefined) event.previousId = s.previousId;
      break;
  }
  const context = mergeShallow(o.context, options.batch?.context);
  if (context !== undefined) event.context = context;
  const integrations = mergeShallow(o.integrations, options.batch?.integrations);
  if (integrations !== undefined) event.integrations = integrations;
  return ok(event);
}

/**
 * The event limit holds for the event as stored: its JSON as received plus whatever the batch
 * envelope merges into it.
 */
function checkSize(raw: JsonObject, knownBytes: number | undefined, envelope: EnvelopeSizes | undefined): ErrorData | undefined {
  const added = envelope === undefined ? 0 : envelopeBytesAdded(envelope, raw);
  let bytes = knownBytes;
  if (bytes === undefined) {
    // Safe only because inspectShape has bounded the nesting: JSON.stringify recurses.
    const json = JSON.stringify(raw);
    if (!exceedsUtf8Bytes(json, MAX_EVENT_BYTES - added)) return undefined;
    bytes = Buffer.byteLength(json, 'utf8');
  }
  if (bytes + added <= MAX_EVENT_BYTES) return undefined;
  if (bytes <= MAX_EVENT_BYTES) {
    return {
      code: 'event_too_large',
      message: `event is ${bytes + added} bytes of JSON once the batch's context and integrations are merged into it (${bytes} as sent); the limit is ${MAX_EVENT_BYTES}`,
    };
  }
  return { code: 'event_too_large', message: `event is ${bytes} bytes of JSON; the limit is ${MAX_EVENT_BYTES}` };
}

function readType(raw: JsonObject, routeType: EventType | undefined): Result<EventType, ErrorData> {
  // On a single-event route the route decides; a `type` in the body is ignored, as Segment does.
  if (routeType !== undefined) return ok(routeType);
  const type = raw['type'];
  if (type === undefined || type === null) {
    return err({ code: 'invalid_type', message: 'type is required on a batch item' });
  }
  if (typeof type !== 'string' || !isEventType(type)) {
    const got = typeof type === 'string' ? quote(type) : describeType(type);
    return err({ code: 'invalid_type', message: `type must be one of ${EVENT_TYPES.join(', ')}, got ${got}` });
  }
  return ok(type);
}

function isEventType(value: string): value is EventType {
  return TYPES.has(value);
}

type Strings = Partial<Record<StringField, string>>;

function checkRequired(type: EventType, s: Strings): ErrorData | undefined {
  if (s.userId === undefined && s.anonymousId === undefined) {
    return { code: 'no_user_anon_id', message: 'userId or anonymousId is required (a non-empty string)' };
  }
  if (type === 'track' && s.event === undefined) {
    return { code: 'missing_event_name', message: 'event is required on a track call (a non-empty string)' };
  }
  if (type === 'group' && s.groupId === undefined) {
    return { code: 'missing_group_id', message: 'groupId is required on a group call (a non-empty string)' };
  }
  if (type === 'alias' && s.previousId === undefined) {
    return { code: 'missing_previous_id', message: 'previousId is required on an alias call (a non-empty string)' };
  }
  return undefined;
}

/**
 * Every present id is checked, even one the type does not keep: the limits are on the event.
 * groupId's contract limit is in characters (code points: 400 CJK characters are 400), and like
 * every id it must also fit a storage key, in bytes (shared/key-bounds.ts).
 */
function checkLengths(s: Strings): ErrorData | undefined {
  if (s.groupId !== undefined && exceedsChars(s.groupId, MAX_GROUP_ID_CHARS)) {
    return { code: 'id_too_long', message: `groupId is longer than ${MAX_GROUP_ID_CHARS} characters` };
  }
  for (const field of ['userId', 'anonymousId', 'previousId', 'groupId'] as const) {
    const value = s[field];
    const refusal = value === undefined ? undefined : identifierValueError(value, field);
    if (refusal !== undefined) return refusal;
  }
  if (s.messageId !== undefined && exceedsChars(s.messageId, MAX_MESSAGE_ID_CHARS)) {
    return { code: 'message_id_too_long', message: `messageId is longer than ${MAX_MESSAGE_ID_CHARS} characters` };
  }
  return undefined;
}

/**
 * The item's own object over the batch's, one level deep: an item's `context.traits` replaces
 * the batch's rather than merging into it. Without an item object the batch's is shared, not
 * copied, across items; events are immutable once validated.
 */
function mergeShallow(own: JsonObject | undefined, fallback: JsonObject | undefined): JsonObject | undefined {
  if (own === undefined) return fallback;
  if (fallback === undefined) return own;
  return { ...fallback, ...own };
}
