import type { Reducer } from '../../src/definitions/ast.ts';
import { TYPE_CODE } from './encode-value.ts';
import { aliasValue, NULL_NUMBER, NULL_TEXT, textOf, type SqlValue } from './value-sql.ts';

/** The occurrences of a stream that pass its filters: `SELECT … FROM ${from} WHERE ${where}`. */
export interface StreamRows {
  /** The alias of the `occ` rows (`e0`), whose `pid`, `ts` and `mid` the reducers read. */
  readonly alias: string;
  readonly from: string;
  readonly where: string;
}

const { array: ARRAY, boolean: BOOLEAN, number: NUMBER, string: STRING } = TYPE_CODE;

/**
 * A reducer (SEMANTICS.md "Reducers") over `rows` as a query with columns `t, n, s, k` (the
 * reduced value, see value-sql.ts): with `grouped`, one row per `pid` that has occurrences (and a
 * `pid` column); without, one row at most (a funnel child's, correlated to its parent row).
 * `field` is the reducer argument's value on a row (unused by `count`).
 *
 * Occurrence order (`first`, `last`, a group's representative) is `(ts, messageId)`, compared as
 * a struct: bytes of UTF-8 compare like code points.
 */
export function reducerQuery(reducer: Reducer, rows: StreamRows, field: SqlValue, grouped: boolean): string {
  const a = rows.alias;
  const pid = grouped ? `${a}.pid AS pid, ` : '';
  const groupBy = grouped ? ` GROUP BY ${a}.pid` : '';
  const base = `FROM ${rows.from} WHERE ${rows.where}`;
  const present = `${field.t} IS NOT NULL`;
  const order = `{'ts': ${a}.ts, 'm': ${a}.mid}`;
  const valueStruct = `{'t': ${field.t}, 'n': ${field.n}, 's': ${field.s}, 'k': ${field.k}}`;
  const flatten = (inner: string): string => `SELECT ${grouped ? 'pid, ' : ''}struct_extract(v, 't') AS t, struct_extract(v, 'n') AS n, struct_extract(v, 's') AS s, struct_extract(v, 'k') AS k FROM (${inner})`;
  // Groups of identical values (SEMANTICS.md): same type and number, or same text/canonical JSON;
  // each keeps its first value in occurrence order as its representative.
  const groups = (having: string): string =>
    `SELECT ${pid}${field.t} AS t, count(*) AS c, arg_min({'n': ${field.n}, 's': ${field.s}, 'k': ${field.k}}, ${order}) AS r ${base} AND ${present} GROUP BY ${grouped ? `${a}.pid, ` : ''}${field.t}, ${field.n}, COALESCE(${field.k}, ${field.s})${having}`;
  const groupText = textOf({ t: 't', n: "struct_extract(r, 'n')", s: "struct_extract(r, 's')", k: "struct_extract(r, 'k')" });
  const outerGroupBy = grouped ? ' GROUP BY pid' : '';

  switch (reducer.kind) {
    case 'count':
      return `SELECT ${pid}${NUMBER} AS t, count(*) AS n, ${NULL_TEXT} AS s, ${NULL_TEXT} AS k ${base}${groupBy}`;
    case 'unique_count':
      return `SELECT ${pid}${NUMBER} AS t, count(DISTINCT {'t': ${field.t}, 'n': ${field.n}, 'k': COALESCE(${field.k}, ${field.s})}) FILTER (WHERE ${present}) AS n, ${NULL_TEXT} AS s, ${NULL_TEXT} AS k ${base}${groupBy}`;
    case 'sum':
    case 'avg':
      // `n` is set exactly for numbers (JSON numbers are finite), so the aggregate skips the rest.
      return `SELECT ${pid}CASE WHEN count(${field.n}) > 0 THEN ${NUMBER} END AS t, ${reducer.kind}(${field.n}) AS n, ${NULL_TEXT} AS s, ${NULL_TEXT} AS k ${base}${groupBy}`;
    case 'min':
    case 'max': {
      if (reducer.as === 'number') return `SELECT ${pid}CASE WHEN count(${field.n}) > 0 THEN ${NUMBER} END AS t, ${reducer.kind}(${field.n}) AS n, ${NULL_TEXT} AS s, ${NULL_TEXT} AS k ${base}${groupBy}`;
      // As string: over the text of present scalars; arrays and objects are skipped.
      const text = `CASE WHEN ${field.t} IN (${BOOLEAN}, ${NUMBER}, ${STRING}) THEN ${textOf(field)} END`;
      return `SELECT ${pid}CASE WHEN count(${text}) > 0 THEN ${STRING} END AS t, ${NULL_NUMBER} AS n, ${reducer.kind}(${text}) AS s, ${NULL_TEXT} AS k ${base}${groupBy}`;
    }
    case 'first':
    case 'last':
      return flatten(`SELECT ${pid}${reducer.kind === 'first' ? 'arg_min' : 'arg_max'}(${valueStruct}, ${order}) FILTER (WHERE ${present}) AS v ${base}${groupBy}`);
    case 'mode': {
      // The most frequent group seen at least minFrequency times; ties: smaller text, then type.
      const best = `arg_min({'t': t, 'n': struct_extract(r, 'n'), 's': struct_extract(r, 's'), 'k': struct_extract(r, 'k')}, {'c': -c, 'x': ${groupText}, 't': t})`;
      return flatten(`SELECT ${grouped ? 'pid, ' : ''}${best} AS v FROM (${groups(` HAVING count(*) >= ${reducer.minFrequency}`)})${outerGroupBy}`);
    }
    case 'unique': {
      // The distinct values as a JSON array, sorted by text then type; its text is its identity.
      const element = `CASE WHEN t = ${STRING} THEN CAST(to_json(struct_extract(r, 's')) AS VARCHAR) ELSE ${groupText} END`;
      const list = `'[' || string_agg(${element}, ',' ORDER BY ${groupText}, t) || ']'`;
      return `SELECT ${grouped ? 'pid, ' : ''}CASE WHEN count(*) > 0 THEN ${ARRAY} END AS t, ${NULL_NUMBER} AS n, ${list} AS s, ${list} AS k FROM (${groups('')})${outerGroupBy}`;
    }
  }
}

/** The value of a reducer query joined as `alias`: a count over no occurrence is 0, not absent. */
export function reducerValue(reducer: Reducer, alias: string): SqlValue {
  if (reducer.kind === 'count' || reducer.kind === 'unique_count') return { t: String(NUMBER), n: `COALESCE(${alias}.n, 0)`, s: NULL_TEXT, k: NULL_TEXT };
  return aliasValue(alias);
}
