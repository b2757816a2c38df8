import type { ErrorData } from '../shared/errors.ts';
import { isJsonObject, type JsonObject } from '../shared/json.ts';
import { err, ok, type Result } from '../shared/result.ts';
import { describeType } from './describe-value.ts';

/** Top-level string fields of an event. */
export const STRING_FIELDS = ['userId', 'anonymousId', 'previousId', 'groupId', 'messageId', 'event', 'name', 'category'] as const;
export type StringField = (typeof STRING_FIELDS)[number];

/** Top-level object fields of an event. */
export const OBJECT_FIELDS = ['traits', 'properties', 'context', 'integrations'] as const;
export type ObjectField = (typeof OBJECT_FIELDS)[number];

/**
 * Fields where an empty string means "not sent": ids and the track event name. A page's
 * `name` or `category` may legitimately be empty and is kept as sent.
 */
const EMPTY_IS_ABSENT: ReadonlySet<StringField> = new Set<StringField>(['userId', 'anonymousId', 'previousId', 'groupId', 'messageId', 'event']);

/**
 * The string fields of an event, present only when sent. `null` counts as not sent: browser
 * clients send `userId: null` for anonymous users. Anything else that is not a string is refused
 * rather than coerced, so a numeric userId does not silently become a different profile key
 * from its string form.
 */
export function readStringFields(item: JsonObject): Result<Partial<Record<StringField, string>>, ErrorData> {
  const fields: Partial<Record<StringField, string>> = {};
  for (const field of STRING_FIELDS) {
    // None of these names exists on Object.prototype, so a plain read sees only own properties.
    const value = item[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') {
      return err({ code: 'invalid_field', message: `${field} must be a string, got ${describeType(value)}` });
    }
    if (value === '' && EMPTY_IS_ABSENT.has(field)) continue;
    fields[field] = value;
  }
  return ok(fields);
}

/** The object fields of an event, present only when sent (`null` = not sent). Arrays are refused. */
export function readObjectFields(item: JsonObject): Result<Partial<Record<ObjectField, JsonObject>>, ErrorData> {
  const fields: Partial<Record<ObjectField, JsonObject>> = {};
  for (const field of OBJECT_FIELDS) {
    const value = item[field];
    if (value === undefined || value === null) continue;
    if (!isJsonObject(value)) {
      return err({ code: 'invalid_field', message: `${field} must be an object, got ${describeType(value)}` });
    }
    fields[field] = value;
  }
  return ok(fields);
}
