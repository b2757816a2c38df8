import { collectionOf } from '../../identity/identifier.ts';
import type { TrackedEvent } from '../../ingest/tracked-event.ts';
import type { ProfileId } from '../../shared/ids.ts';
import { isJsonObject, type Json, type JsonObject } from '../../shared/json.ts';
import { isoTime } from './iso-time.ts';

/** One item of `GET …/events` `data[]`, in the field order of Segment's example (spec §5.3). */
export function eventView(event: TrackedEvent, name: string, profileId: ProfileId): JsonObject {
  return {
    external_ids: externalIdsOf(event),
    context: event.context ?? {},
    type: event.type,
    message_id: event.messageId,
    source_id: event.sourceId,
    timestamp: isoTime(event.timestamp),
    properties: propertiesOf(event),
    event: name,
    related: { users: profileId },
  };
}

/**
 * analytics.js copies a page's `name` and `category` into its properties; a server-side page or
 * screen call may not, so they are added here (never overriding a property sent explicitly).
 */
function propertiesOf(event: TrackedEvent): JsonObject {
  const properties: JsonObject = { ...(event.properties ?? {}) };
  if (event.type === 'page' || event.type === 'screen') {
    // Own properties only: `in` also sees Object.prototype (harmless for these two names today).
    if (event.name !== undefined && !Object.hasOwn(properties, 'name')) properties['name'] = event.name;
    if (event.category !== undefined && !Object.hasOwn(properties, 'category')) properties['category'] = event.category;
  }
  return properties;
}

/**
 * The ids the message itself carried: userId, anonymousId, `context.traits.email` and
 * `context.externalIds`, each once. They are what the event said, not what identity resolution
 * kept of it (a blocked or demoted value still shows here, as it is in the payload).
 */
function externalIdsOf(event: TrackedEvent): Json[] {
  const ids: Array<{ collection: string; type: string; id: string; encoding: string }> = [];
  const add = (type: string, id: string, collection = collectionOf(type)): void => {
    if (id.length > 0 && !ids.some((seen) => seen.type === type && seen.id === id)) {
      ids.push({ collection, type, id, encoding: 'none' });
    }
  };
  if (event.userId !== undefined) add('user_id', event.userId);
  if (event.anonymousId !== undefined) add('anonymous_id', event.anonymousId);
  const contextTraits = event.context?.['traits'];
  const email = isJsonObject(contextTraits) ? contextTraits['email'] : undefined;
  if (typeof email === 'string') add('email', email);
  const custom = event.context?.['externalIds'];
  if (Array.isArray(custom)) {
    for (const entry of custom) {
      if (!isJsonObject(entry) || typeof entry['type'] !== 'string' || typeof entry['id'] !== 'string') continue;
      const collection = entry['collection'] === 'accounts' || entry['collection'] === 'users' ? entry['collection'] : undefined;
      add(entry['type'], entry['id'], collection);
    }
  }
  return ids;
}
