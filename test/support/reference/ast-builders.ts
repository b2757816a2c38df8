import type {
  Comparator,
  Condition,
  DefinitionAst,
  Duration,
  FieldRef,
  Reducer,
  RelativeDateOp,
  SourcePosition,
  Stream,
  TextComparatorOp,
  ValueComparatorOp,
  ValueExpr,
  Window,
} from '../../../src/definitions/ast.ts';

/**
 * Terse constructors for definition ASTs, so tests read close to the query language
 * (`cmp(agg(stream('A', { window: within(hours(2)) }), count()), atLeast(1))`). Tests build ASTs
 * directly: the parser is written elsewhere and must not be the reference's input.
 */

/** Positions matter only for parser errors; one shared value keeps printed counterexamples short. */
export const AT: SourcePosition = { line: 1, column: 1 };

export const HOUR = 60 * 60 * 1000;
export const DAY = 24 * HOUR;

export const hours = (amount: number): Duration => ({ amount, unit: 'hours', ms: amount * HOUR });
export const days = (amount: number): Duration => ({ amount, unit: 'days', ms: amount * DAY });

export const within = (duration: Duration): Window => ({ kind: 'within', duration });
export const between = (start: Duration, end: Duration): Window => ({ kind: 'between', start, end });
export const withinParent = (duration: Duration): Window => ({ kind: 'parent', duration });

export function stream(event: string, parts: { where?: readonly Condition[]; exclude?: readonly string[]; window?: Window } = {}): Stream {
  return { event, where: parts.where ?? [], excludeSources: parts.exclude ?? [], window: parts.window, at: AT };
}

type Operand = ValueExpr | string | number | boolean | null;

const expr = (operand: Operand): ValueExpr => (typeof operand === 'object' && operand !== null ? operand : lit(operand));

export const lit = (value: string | number | boolean | null): ValueExpr => ({ kind: 'literal', value, at: AT });
export const trait = (key: string): ValueExpr => ({ kind: 'trait', key, at: AT });
export const prop = (path: string): ValueExpr => ({ kind: 'property', path, scope: 'event', at: AT });
export const parentProp = (path: string): ValueExpr => ({ kind: 'property', path, scope: 'parent', at: AT });
export const ctx = (path: string): ValueExpr => ({ kind: 'context', path, at: AT });
export const agg = (s: Stream, reducer: Reducer): ValueExpr => ({ kind: 'aggregate', stream: s, reducer, at: AT });

export const property = (path: string): FieldRef => ({ source: 'property', path });
export const context = (path: string): FieldRef => ({ source: 'context', path });

export const count = (): Reducer => ({ kind: 'count' });
export const sum = (field: FieldRef): Reducer => ({ kind: 'sum', field });
export const avg = (field: FieldRef): Reducer => ({ kind: 'avg', field });
export const min = (field: FieldRef, as: 'number' | 'string' = 'number'): Reducer => ({ kind: 'min', field, as });
export const max = (field: FieldRef, as: 'number' | 'string' = 'number'): Reducer => ({ kind: 'max', field, as });
export const mode = (field: FieldRef, minFrequency: number, as: 'string' | 'number' | 'array' = 'string'): Reducer => ({ kind: 'mode', field, as, minFrequency });
export const first = (field: FieldRef): Reducer => ({ kind: 'first', field });
export const last = (field: FieldRef): Reducer => ({ kind: 'last', field });
export const unique = (field: FieldRef): Reducer => ({ kind: 'unique', field });
export const uniqueCount = (field: FieldRef): Reducer => ({ kind: 'unique_count', field });

const valueOp =
  (op: ValueComparatorOp) =>
  (operand: Operand): Comparator => ({ op, operand: expr(operand) });
export const eq = valueOp('equals');
export const differs = valueOp('differs');
export const gt = valueOp('greater_than');
export const atLeast = valueOp('at_least');
export const lt = valueOp('less_than');
export const atMost = valueOp('at_most');

const textOp =
  (op: TextComparatorOp) =>
  (...operands: Operand[]): Comparator => ({ op, operands: operands.map(expr) });
export const contains = textOp('contains');
export const omits = textOp('omits');
export const startsWith = textOp('starts_with');
export const endsWith = textOp('ends_with');
export const oneOf = textOp('one_of');

export const absent = (): Comparator => ({ op: 'absent' });
export const exists = (): Comparator => ({ op: 'exists' });
export const beforeDate = (iso: string): Comparator => ({ op: 'before_date', at: Date.parse(iso), iso });
export const afterDate = (iso: string): Comparator => ({ op: 'after_date', at: Date.parse(iso), iso });

const relativeOp =
  (op: RelativeDateOp) =>
  (duration: Duration): Comparator => ({ op, duration });
export const withinLast = relativeOp('within_last');
export const withinNext = relativeOp('within_next');
export const beforeLast = relativeOp('before_last');
export const afterNext = relativeOp('after_next');

export const cmp = (subject: ValueExpr, comparator: Comparator): Condition => ({ kind: 'comparison', subject, comparator, at: AT });
export const and = (...operands: Condition[]): Condition => ({ kind: 'and', operands, at: AT });
export const or = (...operands: Condition[]): Condition => ({ kind: 'or', operands, at: AT });
export const not = (operand: Condition): Condition => ({ kind: 'not', operand, at: AT });

export const audience = (root: Condition): DefinitionAst => ({ kind: 'audience', target: 'USERS', root });
export const computedTrait = (root: ValueExpr): DefinitionAst => ({ kind: 'computed_trait', target: 'USERS', root });
