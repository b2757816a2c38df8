import type { Comparator } from '../../src/definitions/ast.ts';
import { TYPE_CODE } from './encode-value.ts';

/**
 * A JSON value as four SQL expressions, the columns of encode-value.ts: type code `t`, number `n`,
 * stored text `s`, identity key `k` (arrays and objects). Invariants every producer keeps, and
 * the comparisons below rely on: all four are NULL when the value is absent; `n` is non-NULL
 * exactly when `t` is the number code; `s` is non-NULL for every present non-number (for numbers
 * it may hold their text, or be NULL: `textOf` then formats the number).
 */
export interface SqlValue {
  readonly t: string;
  readonly n: string;
  readonly s: string;
  readonly k: string;
  /** A literal's value: comparisons against it specialise on its type (and skip the generic CASE). */
  readonly literal?: string | number | boolean;
}

/** Typed NULLs: an untyped NULL column of a subquery would be an INTEGER and refuse to meet text. */
export const NULL_TYPE = 'CAST(NULL AS TINYINT)';
export const NULL_NUMBER = 'CAST(NULL AS DOUBLE)';
export const NULL_TEXT = 'CAST(NULL AS VARCHAR)';

export const ABSENT: SqlValue = { t: NULL_TYPE, n: NULL_NUMBER, s: NULL_TEXT, k: NULL_TEXT };

const NUMBER = TYPE_CODE.number;
const STRING = TYPE_CODE.string;
const BOOLEAN = TYPE_CODE.boolean;

/**
 * JavaScript's `String(number)` in SQL, for numbers whose text was not loaded (aggregates such as
 * `sum`). Exact for integers below 1e21 and for DuckDB's shortest round-trip decimals, which
 * JavaScript prints the same way; exponents lose DuckDB's leading zero (`1e-07` → `1e-7`). Both
 * switch to exponent notation at slightly different magnitudes, below 1e-6: there the text of a
 * computed number may differ from JavaScript's (loaded property values are always exact).
 */
export const JS_NUMBER_TEXT_MACRO = `CREATE OR REPLACE MACRO js_num_text(x) AS CASE
  WHEN x = trunc(x) AND abs(x) < 1e21 THEN CAST(CAST(x AS HUGEINT) AS VARCHAR)
  ELSE regexp_replace(CAST(x AS VARCHAR), 'e([+-])0*([0-9])', 'e\\1\\2') END`;

export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** `CAST('…' AS DOUBLE)` from JavaScript's own text of the number: no float formatting in between. */
function sqlNumber(value: number): string {
  return `CAST(${sqlString(String(value))} AS DOUBLE)`;
}

export function literalValue(value: string | number | boolean | null): SqlValue {
  if (value === null) return ABSENT;
  if (typeof value === 'number') return { t: String(NUMBER), n: sqlNumber(value), s: sqlString(String(value)), k: NULL_TEXT, literal: value };
  if (typeof value === 'string') return { t: String(STRING), n: NULL_NUMBER, s: sqlString(value), k: NULL_TEXT, literal: value };
  return { t: String(BOOLEAN), n: NULL_NUMBER, s: sqlString(String(value)), k: NULL_TEXT, literal: value };
}

/** The value stored in the four columns `<prefix>_t`, `_n`, `_s`, `_k` (a loaded property or trait). */
export function columnsValue(prefix: string): SqlValue {
  return { t: `${prefix}_t`, n: `${prefix}_n`, s: `${prefix}_s`, k: `${prefix}_k` };
}

/** The four columns `t`, `n`, `s`, `k` of a table or subquery alias (an aggregate, an answer). */
export function aliasValue(alias: string): SqlValue {
  return { t: `${alias}.t`, n: `${alias}.n`, s: `${alias}.s`, k: `${alias}.k` };
}

/** The text form (SEMANTICS.md "Values"). */
export function textOf(v: SqlValue): string {
  if (v.literal !== undefined) return sqlString(String(v.literal));
  return `COALESCE(${v.s}, js_num_text(${v.n}))`;
}

/** Identity: same type and same value. NULL when either side is absent. */
export function identical(a: SqlValue, b: SqlValue): string {
  if (b.literal !== undefined) return identicalToLiteral(a, b.literal);
  return `(${a.t} = ${b.t} AND CASE WHEN ${a.t} = ${NUMBER} THEN ${a.n} = ${b.n} ELSE COALESCE(${a.k}, ${a.s}) = COALESCE(${b.k}, ${b.s}) END)`;
}

function identicalToLiteral(a: SqlValue, literal: string | number | boolean): string {
  if (typeof literal === 'number') return `(${a.n} = ${sqlNumber(literal)})`;
  return `(${a.t} = ${typeof literal === 'string' ? STRING : BOOLEAN} AND ${a.s} = ${sqlString(String(literal))})`;
}

const ORDER_OPERATORS = { greater_than: '>', at_least: '>=', less_than: '<', at_most: '<=' } as const;

/**
 * `subject <comparator> operands` (SEMANTICS.md "Comparators") as a SQL boolean that is never
 * NULL: a comparison with an absent side is false, except `absent()`/`exists()`. `operands` are
 * the comparator's operands (or its one operand), already translated.
 */
export function comparisonSql(subject: SqlValue, comparator: Comparator, operands: readonly SqlValue[], unsupported: (what: string) => Error): string {
  switch (comparator.op) {
    case 'absent':
      return `(${subject.t} IS NULL)`;
    case 'exists':
      return `(${subject.t} IS NOT NULL)`;
    case 'equals':
      return `COALESCE(${identical(subject, one(operands))}, FALSE)`;
    case 'differs': {
      const operand = one(operands);
      return `COALESCE(${subject.t} IS NOT NULL AND ${operand.t} IS NOT NULL AND NOT ${identical(subject, operand)}, FALSE)`;
    }
    case 'greater_than':
    case 'at_least':
    case 'less_than':
    case 'at_most':
      return `COALESCE(${ordered(subject, ORDER_OPERATORS[comparator.op], one(operands))}, FALSE)`;
    case 'contains':
    case 'starts_with':
    case 'ends_with':
      return `COALESCE(${subject.t} IS NOT NULL AND (${anyText(comparator.op, subject, operands)}), FALSE)`;
    case 'omits':
      if (operands.length === 0) return 'FALSE';
      return `COALESCE(${subject.t} IS NOT NULL AND (${operands.map((o) => `${o.t} IS NOT NULL`).join(' OR ')}) AND NOT (${anyText('contains', subject, operands)}), FALSE)`;
    case 'one_of':
      if (operands.length === 0) return 'FALSE';
      return `(${operands.map((o) => `COALESCE(${identical(subject, o)}, FALSE)`).join(' OR ')})`;
    case 'before_date':
    case 'after_date':
    case 'within_last':
    case 'within_next':
    case 'before_last':
    case 'after_next':
      // Reading a value as a time follows Date.parse; the bench's definitions have no dates.
      throw unsupported(`the date comparator ${comparator.op}()`);
  }
}

function one(operands: readonly SqlValue[]): SqlValue {
  const [operand] = operands;
  if (operand === undefined) throw new Error('a value comparator without its operand');
  return operand;
}

/** Both numbers → numeric order; both strings → byte order (code points); otherwise false. */
function ordered(s: SqlValue, op: string, o: SqlValue): string {
  if (typeof o.literal === 'number') return `(${s.n} ${op} ${sqlNumber(o.literal)})`;
  if (typeof o.literal === 'string') return `(${s.t} = ${STRING} AND ${s.s} ${op} ${sqlString(o.literal)})`;
  if (typeof o.literal === 'boolean') return 'FALSE';
  return `CASE WHEN ${s.t} = ${NUMBER} AND ${o.t} = ${NUMBER} THEN ${s.n} ${op} ${o.n} WHEN ${s.t} = ${STRING} AND ${o.t} = ${STRING} THEN ${s.s} ${op} ${o.s} ELSE FALSE END`;
}

/** Whether the text of `s` contains / starts with / ends with the text of any present operand. */
function anyText(op: 'contains' | 'starts_with' | 'ends_with', s: SqlValue, operands: readonly SqlValue[]): string {
  const text = textOf(s);
  return operands.map((o) => `COALESCE(${o.literal !== undefined ? 'TRUE' : `${o.t} IS NOT NULL`} AND ${op}(${text}, ${textOf(o)}), FALSE)`).join(' OR ') || 'FALSE';
}
