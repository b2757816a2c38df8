import type { Comparator, Condition, DefinitionAst, Duration, FieldRef, Reducer, Stream, ValueExpr, Window } from '../../src/definitions/ast.ts';

/** Small builders for hand-written ASTs in tests (positions are irrelevant there). */
const at = { line: 1, column: 1 };
const HOUR = 3_600_000;

export function hours(amount: number): Duration {
  return { amount, unit: 'hours', ms: amount * HOUR };
}

export function days(amount: number): Duration {
  return { amount, unit: 'days', ms: amount * 24 * HOUR };
}

export function stream(event: string, options: { where?: Condition[]; window?: Window; excludeSources?: string[] } = {}): Stream {
  return { event, where: options.where ?? [], excludeSources: options.excludeSources ?? [], window: options.window, at };
}

export function aggregate(s: Stream, reducer: Reducer): ValueExpr {
  return { kind: 'aggregate', stream: s, reducer, at };
}

export function compare(subject: ValueExpr, comparator: Comparator): Condition {
  return { kind: 'comparison', subject, comparator, at };
}

export function lit(value: string | number | boolean | null): ValueExpr {
  return { kind: 'literal', value, at };
}

export function trait(key: string): ValueExpr {
  return { kind: 'trait', key, at };
}

export function prop(path: string, scope: 'event' | 'parent' = 'event'): ValueExpr {
  return { kind: 'property', path, scope, at };
}

export function field(path: string): FieldRef {
  return { source: 'property', path };
}

export function and(...operands: Condition[]): Condition {
  return { kind: 'and', operands, at };
}

export function or(...operands: Condition[]): Condition {
  return { kind: 'or', operands, at };
}

export function not(operand: Condition): Condition {
  return { kind: 'not', operand, at };
}

export function audience(root: Condition): DefinitionAst {
  return { kind: 'audience', target: 'USERS', root };
}

export function computedTrait(root: ValueExpr): DefinitionAst {
  return { kind: 'computed_trait', target: 'USERS', root };
}
