import type { TrackedEvent } from '../ingest/tracked-event.ts';
import type { ErrorData } from '../shared/errors.ts';
import { type JsonObject, isJsonObject } from '../shared/json.ts';
import { isBlockedValue } from './blocked-values.ts';
import type { Identifier } from './identifier.ts';
import { customTypesFull, type IdentitySettings, ruleOf, withCustomType } from './settings.ts';
import { identifierValueError, MAX_ID_TYPE_UNITS } from '../shared/key-bounds.ts';

/** The parts of an event identifiers are read from. */
export type IdentitySource = Pick<TrackedEvent, 'type' | 'userId' | 'anonymousId' | 'groupId' | 'traits' | 'context' | 'integrations'>;

export interface Extraction {
  /** Deduplicated, in priority order (settings rank; within a type, order of discovery). */
  readonly identifiers: readonly Identifier[];
  /** Values dropped by blocked values, deduplicated: each becomes an `ID value blocked` insight. */
  readonly blocked: readonly Identifier[];
  /** Custom `context.externalIds` types this event added to the settings. */
  readonly newTypes: readonly string[];
  /** Identifiers of new custom types ignored because the space learned its most (`maxCustomTypes`). */
  readonly overTypeLimit: readonly Identifier[];
  /** The settings with `newTypes` added: the same object when `newTypes` is empty. */
  readonly settings: IdentitySettings;
  /** Set when a value is too long to store; the event should be rejected as an item. */
  readonly error?: ErrorData;
}

const GOOGLE_ANALYTICS = 'Google Analytics';

interface Draft {
  settings: IdentitySettings;
  readonly found: Identifier[];
  readonly blocked: Identifier[];
  readonly newTypes: string[];
  readonly overTypeLimit: Identifier[];
  error: ErrorData | undefined;
}

/**
 * Reads an event's identifiers from the locations of segment-reference §4.2, applying blocked
 * values. Pure and total: malformed optional parts are skipped, never thrown on.
 *
 * @example
 * extractIdentifiers({ type: 'identify', userId: 'u1', traits: { email: 'a@b.c' } }, settings).identifiers
 * // [{ type: 'user_id', value: 'u1' }, { type: 'email', value: 'a@b.c' }]
 */
export function extractIdentifiers(event: IdentitySource, settings: IdentitySettings): Extraction {
  const draft: Draft = { settings, found: [], blocked: [], newTypes: [], overTypeLimit: [], error: undefined };
  const context = event.context;

  offer(draft, 'user_id', event.userId, 'userId');
  // A group call's `traits` describe the group (§1.1 lists `email` among group traits): a shared
  // company address there is exactly the "common group email" that makes blob users (§4.3).
  if (event.type !== 'group') offer(draft, 'email', event.traits?.['email'], 'traits.email');
  offer(draft, 'email', objectAt(context, 'traits')?.['email'], 'context.traits.email');
  readDevice(draft, objectAt(context, 'device'));
  offer(draft, 'anonymous_id', event.anonymousId, 'anonymousId');
  // §4.2 names `context.integrations`; clients put integration options at the top level, so both.
  const gaField = `['${GOOGLE_ANALYTICS}'].clientId`;
  offer(draft, 'ga_client_id', objectAt(objectAt(context, 'integrations'), GOOGLE_ANALYTICS)?.['clientId'], `context.integrations${gaField}`);
  offer(draft, 'ga_client_id', objectAt(event.integrations, GOOGLE_ANALYTICS)?.['clientId'], `integrations${gaField}`);
  offer(draft, 'group_id', event.groupId, 'groupId');
  readExternalIds(draft, context?.['externalIds']);

  const identifiers = sortByPriority(draft.found, draft.settings);
  const base = { identifiers, blocked: draft.blocked, newTypes: draft.newTypes, overTypeLimit: draft.overTypeLimit, settings: draft.settings };
  return draft.error === undefined ? base : { ...base, error: draft.error };
}

function readDevice(draft: Draft, device: JsonObject | undefined): void {
  if (device === undefined) return;
  const kind = device['type'];
  if (typeof kind !== 'string') return;
  const platform = kind.toLowerCase();
  if (platform !== 'android' && platform !== 'ios') return;
  offer(draft, `${platform}.id`, device['id'], 'context.device.id');
  // §4.2: the advertising id is an identifier only with the user's consent to ad tracking.
  if (device['adTrackingEnabled'] === true) offer(draft, `${platform}.idfa`, device['advertisingId'], 'context.device.advertisingId');
  offer(draft, `${platform}.push_token`, device['token'], 'context.device.token');
}

/** `context.externalIds`: `[{ id, type, collection, encoding }]` (§4.2). Malformed entries are skipped. */
function readExternalIds(draft: Draft, raw: unknown): void {
  if (!Array.isArray(raw)) return;
  raw.forEach((entry: unknown, i) => {
    if (!isJsonObject(entry)) return;
    const rawType = entry['type'];
    if (typeof rawType !== 'string') return;
    // "ExternalIDs must be lower-case" (§4.2): lower-casing accepts `Phone` as `phone`.
    const type = rawType.toLowerCase();
    // A type must fit a storage key (shared/key-bounds.ts), and `:` would break `{id_type}:{value}` lookups.
    if (type.length === 0 || type.length > MAX_ID_TYPE_UNITS || type.includes(':')) return;
    const id = entry['id'];
    const value = typeof id === 'string' ? id : typeof id === 'number' && Number.isFinite(id) ? String(id) : undefined;
    if (value === undefined) return;
    // A type the space has not learned, once it learned its most: ignored, and reported.
    if (!draft.settings.rules.has(type) && customTypesFull(draft.settings)) {
      if (identifierValueError(value, `context.externalIds[${i}].id`) !== undefined) return;
      if (isBlockedValue(draft.settings.blocked, value)) pushUnique(draft.blocked, type, value);
      else pushUnique(draft.overTypeLimit, type, value);
      return;
    }
    // `collection` and `encoding` are required by the docs but carry nothing the users graph
    // needs, so a client that omits them is not punished.
    if (offer(draft, type, value, `context.externalIds[${i}].id`) && !draft.settings.rules.has(type)) {
      draft.settings = withCustomType(draft.settings, type);
      draft.newTypes.push(type);
    }
  });
}

/** Returns true when the value became an identifier. Non-strings are ignored (ingest reports bad types). */
function offer(draft: Draft, type: string, value: unknown, field: string): boolean {
  if (typeof value !== 'string') return false;
  // The same bound ingestion validation and the APIs use (shared/key-bounds.ts). Values come from
  // a validated event, where unpaired surrogates were already refused.
  const refusal = identifierValueError(value, field);
  if (refusal !== undefined) {
    draft.error ??= refusal;
    return false;
  }
  if (isBlockedValue(draft.settings.blocked, value)) {
    pushUnique(draft.blocked, type, value);
    return false;
  }
  pushUnique(draft.found, type, value);
  return true;
}

// A linear scan: events carry a handful of ids, and the 32 KB event limit bounds the worst case.
function pushUnique(list: Identifier[], type: string, value: string): void {
  for (const id of list) if (id.type === type && id.value === value) return;
  list.push({ type, value });
}

function sortByPriority(ids: Identifier[], settings: IdentitySettings): Identifier[] {
  // Array.prototype.sort is stable, so values of one type keep their discovery order.
  return ids.sort((a, b) => ruleOf(settings, a.type).rank - ruleOf(settings, b.type).rank);
}

function objectAt(obj: JsonObject | undefined, key: string): JsonObject | undefined {
  const value = obj?.[key];
  return isJsonObject(value) ? value : undefined;
}
