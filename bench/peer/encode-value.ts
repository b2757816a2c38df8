import type { Json } from '../../src/shared/json.ts';

/**
 * How the peer stores one JSON value in DuckDB: four plain columns instead of a JSON column, so
 * that SQL compares numbers as numbers, strings by bytes (UTF-8 byte order is code-point order,
 * the order SEMANTICS.md fixes) and values by identity without parsing JSON row by row.
 *
 * - `t`: the JSON type as a code whose order is the order of the type names (`array` < `boolean`
 *   < `number` < `object` < `string`), which is how SEMANTICS.md breaks ties of equal text;
 *   `null` when the value is absent (missing or JSON `null`).
 * - `n`: the number, for numbers.
 * - `s`: the text form (SEMANTICS.md "Values"): the string itself, `true`/`false`, the JSON of an
 *   array or object, and for numbers `String(v)` only where a definition needs a number's text
 *   (computing it for every `total` of a million events costs half a second of loading).
 * - `k`: for arrays and objects only, a canonical JSON (keys sorted) so that identity ignores
 *   key order; for the others identity is `(t, n)` or `(t, s)`.
 */
export const TYPE_CODE = { array: 1, boolean: 2, number: 3, object: 4, string: 5 } as const;

export interface EncodedValue {
  readonly t: number | null;
  readonly n: number | null;
  readonly s: string | null;
  readonly k: string | null;
}

export const ABSENT_VALUE: EncodedValue = { t: null, n: null, s: null, k: null };

export function encodeValue(value: Json | undefined, numberText: boolean): EncodedValue {
  if (value === undefined || value === null) return ABSENT_VALUE;
  if (typeof value === 'number') return { t: TYPE_CODE.number, n: value, s: numberText ? String(value) : null, k: null };
  if (typeof value === 'string') return { t: TYPE_CODE.string, n: null, s: value, k: null };
  if (typeof value === 'boolean') return { t: TYPE_CODE.boolean, n: null, s: String(value), k: null };
  return { t: Array.isArray(value) ? TYPE_CODE.array : TYPE_CODE.object, n: null, s: JSON.stringify(value), k: canonicalJson(value) };
}

/** The value an encoded value stands for (the inverse of `encodeValue`); undefined when absent. */
export function decodeValue(t: number | null, n: number | null, s: string | null): Json | undefined {
  switch (t) {
    case null:
      return undefined;
    case TYPE_CODE.number:
      return n ?? undefined;
    case TYPE_CODE.string:
      return s ?? undefined;
    case TYPE_CODE.boolean:
      return s === 'true';
    default:
      return s === null ? undefined : (JSON.parse(s) as Json);
  }
}

/** JSON with object keys sorted, recursively: equal for identical values (SEMANTICS.md). */
function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as Json)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
