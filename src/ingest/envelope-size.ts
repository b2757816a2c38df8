import { isJsonObject, type JsonObject } from '../shared/json.ts';

/** The objects a batch envelope lends to each item (contract: "batch-level context and integrations merge into each item"). */
export const ENVELOPE_OBJECT_FIELDS = ['context', 'integrations'] as const;
export type EnvelopeObjectField = (typeof ENVELOPE_OBJECT_FIELDS)[number];

/** JSON bytes of each entry of an envelope object (`"key":value`), by key. */
export type EntryBytes = ReadonlyMap<string, number>;

/** The envelope's objects, measured once per request. */
export type EnvelopeSizes = Partial<Readonly<Record<EnvelopeObjectField, EntryBytes>>>;

/**
 * Measures a batch envelope's `context` and `integrations` entry by entry. The 32 KB per-event
 * limit holds for an event as stored, and every item stores the envelope's entries it does not
 * override: without this a 400 KB envelope and 100 tiny items make 100 events of 400 KB from one
 * 500 KB request. Safe to stringify: the envelope's shape walk has bounded its nesting.
 */
export function measureEnvelope(objects: Partial<Record<EnvelopeObjectField, JsonObject>>): EnvelopeSizes {
  const sizes: { -readonly [K in EnvelopeObjectField]?: EntryBytes } = {};
  for (const field of ENVELOPE_OBJECT_FIELDS) {
    const object = objects[field];
    if (object === undefined) continue;
    const entries = new Map<string, number>();
    for (const [key, value] of Object.entries(object)) {
      entries.set(key, Buffer.byteLength(JSON.stringify(key), 'utf8') + 1 + Buffer.byteLength(JSON.stringify(value), 'utf8'));
    }
    sizes[field] = entries;
  }
  return sizes;
}

/**
 * The JSON bytes the envelope adds to one item once merged (shallowly, the item's own entries
 * winning, as validateEvent merges): every envelope entry the item does not have, with its comma,
 * plus `,"context":{}` when the item has no such object of its own. Exact for compact JSON: the
 * merged item's JSON.stringify is the item's plus this.
 */
export function envelopeBytesAdded(sizes: EnvelopeSizes, item: JsonObject): number {
  let added = 0;
  for (const field of ENVELOPE_OBJECT_FIELDS) {
    const entries = sizes[field];
    if (entries === undefined) continue;
    const ownValue = item[field];
    const own = isJsonObject(ownValue) ? ownValue : undefined;
    let count = 0;
    for (const [key, bytes] of entries) {
      if (own !== undefined && Object.hasOwn(own, key)) continue;
      added += bytes;
      count += 1;
    }
    if (own === undefined) {
      // `,"context":{…}`: the envelope's object lands on the item even when it is empty (the item
      // shares it), with a comma between each two of its entries.
      added += field.length + 6 + Math.max(0, count - 1);
    } else if (count > 0) {
      // One comma per added entry, one fewer when the item's object has no entry of its own.
      added += Object.keys(own).length === 0 ? count - 1 : count;
    }
  }
  return added;
}
