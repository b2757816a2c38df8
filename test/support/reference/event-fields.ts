import type { FieldRef } from '../../../src/definitions/ast.ts';
import type { TrackedEvent } from '../../../src/ingest/tracked-event.ts';
import { type Value, compareCodePoints, readPath } from './values.ts';

/** The stream names an event is an occurrence of (SEMANTICS.md, "Occurrences"). */
export function isOccurrenceOf(event: TrackedEvent, name: string): boolean {
  if (event.type === 'track') return event.event === name;
  if (event.type === 'page') return name === 'Page Viewed';
  if (event.type === 'screen') return name === 'Screen Viewed';
  return false;
}

/**
 * `property('a.b')`. Page and screen calls also answer `page_name` / `screen_name` with their
 * `name` when the properties have no value there (missing or null: SEMANTICS.md).
 */
export function readProperty(event: TrackedEvent, path: string): Value {
  const value = readPath(event.properties, path);
  if (value !== undefined) return value;
  if ((event.type === 'page' && path === 'page_name') || (event.type === 'screen' && path === 'screen_name')) return event.name;
  return undefined;
}

export function readContext(event: TrackedEvent, path: string): Value {
  return readPath(event.context, path);
}

export function readField(event: TrackedEvent, field: FieldRef): Value {
  return field.source === 'property' ? readProperty(event, field.path) : readContext(event, field.path);
}

/** Occurrence order (for `first`/`last`): by timestamp, then by messageId in code point order. */
export function compareOccurrences(a: TrackedEvent, b: TrackedEvent): number {
  return a.timestamp - b.timestamp || compareCodePoints(a.messageId, b.messageId);
}
