import type { FieldRef } from '../definitions/ast.ts';
import type { TrackedEvent } from '../ingest/tracked-event.ts';
import { isJsonObject, type Json, type JsonObject } from '../shared/json.ts';

/** The stream an event belongs to: track events by name, page and screen calls by Segment's names. */
export function occurrenceName(event: TrackedEvent): string | undefined {
  switch (event.type) {
    case 'track':
      return event.event;
    case 'page':
      return 'Page Viewed';
    case 'screen':
      return 'Screen Viewed';
    default:
      return undefined;
  }
}

/** Split paths, memoised: definitions name few distinct paths, and this runs per occurrence. */
const pathParts = new Map<string, readonly string[]>();

/** Reads a dotted path through nested objects; an array or scalar on the way means absent. */
export function readPath(root: JsonObject | undefined, path: string): Json | undefined {
  if (root === undefined) return undefined;
  let parts = pathParts.get(path);
  if (parts === undefined) {
    parts = path.split('.');
    if (pathParts.size < 10_000) pathParts.set(path, parts);
  }
  let current: Json | undefined = root;
  for (const part of parts) {
    if (!isJsonObject(current) || !Object.hasOwn(current, part)) return undefined;
    current = current[part];
  }
  return current;
}

/**
 * A field of an occurrence. Page and screen names are readable as `page_name` / `screen_name`
 * (Segment's audience builder shows them so) when the properties do not carry those keys.
 */
export function readField(event: TrackedEvent, field: FieldRef): Json | undefined {
  if (field.source === 'context') return readPath(event.context, field.path);
  const value = readPath(event.properties, field.path);
  if (value !== undefined) return value;
  if (event.type === 'page' && field.path === 'page_name') return event.name;
  if (event.type === 'screen' && field.path === 'screen_name') return event.name;
  return undefined;
}
