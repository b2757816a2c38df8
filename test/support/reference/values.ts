import type { Json, JsonObject } from '../../../src/shared/json.ts';
import { isJsonObject } from '../../../src/shared/json.ts';

/**
 * Value helpers of the reference evaluator (SEMANTICS.md, "Values"). Written from the page, not
 * shared with `src/compute`, so that the two evaluators fail independently.
 */

/** A present value: `null` and `undefined` are both "absent" and never reach a comparator. */
export type Present = Exclude<Json, null>;
export type Value = Present | undefined;

export function presentOrUndefined(value: Json | undefined): Value {
  return value === null ? undefined : value;
}

/**
 * Reads a dotted path (`a.b`) through objects. An array or a scalar on the way, a missing key or
 * a `null` makes the value absent. Own keys only: `constructor` must not find Object's.
 */
export function readPath(root: JsonObject | undefined, path: string): Value {
  let current: Json | undefined = root;
  for (const key of path.split('.')) {
    if (!isJsonObject(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return presentOrUndefined(current);
}

/** Text form: strings as they are, numbers and booleans by `String`, arrays and objects as JSON. */
export function textForm(value: Present): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export type JsonTypeName = 'array' | 'boolean' | 'null' | 'number' | 'object' | 'string';

export function jsonTypeName(value: Json): JsonTypeName {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'string';
}

/** Identity: same JSON type and same value, deep; object keys compare as a set (order ignored). */
export function identical(a: Json, b: Json): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => identical(item, b[i] as Json));
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && identical(a[key] as Json, b[key] as Json));
  }
  return a === b;
}

/** Unicode code point order (JavaScript's `<` compares UTF-16 code units, which differs past U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Order of distinct values in `unique` lists and `mode` ties: text form, then JSON type name. */
export function compareByTextThenType(a: Present, b: Present): number {
  return compareCodePoints(textForm(a), textForm(b)) || compareCodePoints(jsonTypeName(a), jsonTypeName(b));
}

const ISO_DATE_START = /^\d{4}-\d{2}-\d{2}/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d/;
const ZONE_AT_END = /(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * A value read as a time (epoch ms): a number as it is; a string that starts `YYYY-MM-DD` and
 * that `Date.parse` accepts. A date-time without a zone is read as UTC (SEMANTICS.md: Date.parse
 * alone would read it in the process's local time zone). Anything else is not a time.
 */
export function readTime(value: Present): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !ISO_DATE_START.test(value)) return undefined;
  const text = DATE_TIME.test(value) && !ZONE_AT_END.test(value) ? `${value}Z` : value;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
