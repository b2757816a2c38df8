import type { Json } from '../shared/json.ts';

/** A value the language treats as missing: `undefined` (not there) or `null` (SEMANTICS.md). */
export function isAbsent(value: Json | undefined): value is null | undefined {
  return value === undefined || value === null;
}

/**
 * The text form of a value, for substring comparators, `as string` ordering and tie-breaks:
 * strings as they are, numbers and booleans through `String`, arrays and objects as JSON.
 */
export function textForm(value: Json): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * A string that two values share exactly when they are the same value (same JSON type, same
 * content): the grouping key of `mode` and `unique`. The type prefix keeps `1` and `'1'` apart and
 * keeps user strings like `constructor` from ever being a bare object key.
 */
export function identityKey(value: Json): string {
  if (typeof value === 'string') return `s${value}`;
  if (typeof value === 'number') return `n${value}`;
  if (typeof value === 'boolean') return value ? 'bt' : 'bf';
  if (value === null) return 'z';
  return `j${JSON.stringify(value)}`;
}

/** The value an `identityKey` was made from. */
export function valueOfIdentityKey(key: string): Json {
  const tag = key[0];
  const rest = key.slice(1);
  switch (tag) {
    case 's':
      return rest;
    case 'n':
      return Number(rest);
    case 'b':
      return rest === 't';
    case 'z':
      return null;
    default:
      return JSON.parse(rest) as Json;
  }
}

/** Same JSON type and value, deep for arrays and objects. */
export function sameValue(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return identityKey(a) === identityKey(b);
}

/** Code-point order (not UTF-16 unit order, which `<` on strings uses). */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done === true) return y.done === true ? 0 : -1;
    if (y.done === true) return 1;
    const cx = x.value.codePointAt(0) ?? 0;
    const cy = y.value.codePointAt(0) ?? 0;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

/**
 * Orders two present values for `>`-style comparators: numbers numerically, strings by code
 * points; undefined when they are not comparable (then the comparison is false).
 */
export function orderValues(a: Json, b: Json): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  return undefined;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

/** A value read as an instant: an ISO-8601 string `Date.parse` accepts, or epoch milliseconds. */
export function asInstant(value: Json): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}
