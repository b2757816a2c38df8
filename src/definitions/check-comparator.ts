import type { Comparator, SourcePosition, ValueComparatorOp, ValueExpr } from './ast.ts';
import { argumentCountError, durationArgument, literalOf, onlyArgument, plainExpr, usageOf, wrongArgument, type Checked } from './check-arguments.ts';
import type { ChainEnv, ChainState, Scope } from './chain-types.ts';
import { fail } from './definition-error.ts';
import { quoteString } from './describe.ts';
import { isOneOf, RELATIVE_DATE_COMPARATORS, TEXT_COMPARATORS, VALUE_COMPARATORS, type ComparatorName } from './functions.ts';
import { parseIsoInstant } from './iso-date.ts';
import type { SyntaxCall, SyntaxExpr, SyntaxSugar } from './syntax.ts';
import { assertNever } from '../shared/assert-never.ts';
import { ok } from '../shared/result.ts';

// The end of a chain: a comparator, as a call (`.at_least(1)`) or a symbol (`>= 1`), and its
// operands. Every comparison made here counts as one primary expression.

/** The subject of a comparison must be a value other than a bare literal. */
function comparableSubject(state: ChainState, what: string, at: SourcePosition): Checked<ValueExpr> {
  switch (state.kind) {
    case 'stream': {
      const label = state.draft.label;
      return fail(at, `${what} compares a value, but ${label} is a stream of events: reduce it first, as in ${label}.count() >= 1`);
    }
    case 'condition':
      return fail(at, `nothing can follow a comparison: found ${what}; join conditions with AND or OR`);
    case 'value': {
      const { value, label } = state;
      if (value.kind === 'aggregate' && value.reducer.kind === 'unique') {
        return fail(at, `${what} cannot compare the list that unique(…) gives; only .count() can follow it, as in unique(…).count() >= 1`);
      }
      if (value.kind === 'literal') {
        return fail(value.at, `${label} cannot be the subject of a comparison: put the value to test on the left and the literal on the right, as in trait('plan') = 'pro'`);
      }
      return ok(value);
    }
    default:
      return assertNever(state);
  }
}

export function checkSugar(state: ChainState, sugar: SyntaxSugar, subjectAt: SourcePosition, scope: Scope, env: ChainEnv): Checked<ChainState> {
  const what = `'${sugar.symbol}'`;
  const subject = comparableSubject(state, what, sugar.at);
  if (!subject.ok) return subject;
  const operand = checkOperand(sugar.operand, `the right side of ${what}`, sugar.op, scope, env);
  if (!operand.ok) return operand;
  return comparison(subject.value, { op: sugar.op, operand: operand.value }, subjectAt, sugar.at, env);
}

function comparison(subject: ValueExpr, comparator: Comparator, at: SourcePosition, comparatorAt: SourcePosition, env: ChainEnv): Checked<ChainState> {
  env.recordPrimary(at);
  return ok({ kind: 'condition', condition: { kind: 'comparison', subject, comparator, at }, comparatorAt });
}

export function checkComparatorCall(
  state: Extract<ChainState, { kind: 'value' }>,
  name: ComparatorName,
  call: SyntaxCall,
  subjectAt: SourcePosition,
  scope: Scope,
  env: ChainEnv,
): Checked<ChainState> {
  const subject = comparableSubject(state, name, call.at);
  if (!subject.ok) return subject;
  const done = (comparator: Comparator): Checked<ChainState> => comparison(subject.value, comparator, subjectAt, call.at, env);
  if (isOneOf(VALUE_COMPARATORS, name)) {
    const only = onlyArgument(call, 'a value');
    if (!only.ok) return only;
    const expr = plainExpr(call, only.value, 'a value');
    if (!expr.ok) return expr;
    const operand = checkOperand(expr.value, `the argument of ${name}`, name, scope, env);
    if (!operand.ok) return operand;
    return done({ op: name, operand: operand.value });
  }
  if (isOneOf(TEXT_COMPARATORS, name)) {
    const operands: ValueExpr[] = [];
    // Segment writes contains('a', 'b'); a bracketed list contains(['a', 'b']) is read the same.
    const items = call.args.length === 1 && call.args[0]?.kind === 'list' ? call.args[0].args : call.args;
    for (const item of items) {
      const expr = plainExpr(call, item, 'values');
      if (!expr.ok) return expr;
      const operand = checkOperand(expr.value, `an argument of ${name}`, name, scope, env);
      if (!operand.ok) return operand;
      operands.push(operand.value);
    }
    if (operands.length === 0) return fail(call.at, `${name} needs at least one value, as in ${usageOf(name)}`);
    return done({ op: name, operands });
  }
  if (isOneOf(RELATIVE_DATE_COMPARATORS, name)) {
    const only = onlyArgument(call, 'a duration in hours or days');
    if (!only.ok) return only;
    const duration = durationArgument(call, only.value, 1);
    if (!duration.ok) return duration;
    return done({ op: name, duration: duration.value });
  }
  switch (name) {
    case 'absent':
    case 'exists':
      if (call.args.length > 0) return argumentCountError(call, 'no arguments');
      return done({ op: name });
    case 'before_date':
    case 'after_date': {
      const wanted = 'an ISO-8601 date or time as a string';
      const only = onlyArgument(call, wanted);
      if (!only.ok) return only;
      const literal = only.value.kind === 'expr' && only.value.as === undefined ? literalOf(only.value.expr) : undefined;
      if (literal === undefined || typeof literal.value !== 'string') return wrongArgument(call, only.value, wanted);
      const iso = literal.value;
      const instant = parseIsoInstant(iso);
      if (instant.ok) return done({ op: name, at: instant.value, iso });
      switch (instant.error) {
        case 'not_iso':
          return wrongArgument(call, only.value, wanted);
        case 'no_zone':
          return fail(only.value.at, `${name} needs the time zone of ${quoteString(iso)}: add Z for UTC or an offset such as +02:00`);
        case 'not_a_date':
          return fail(only.value.at, `${quoteString(iso)} is not a real date and time (check the month, day, hour and minute)`);
        default:
          return assertNever(instant.error);
      }
    }
    default:
      // The value, text and relative-date groups returned above; nothing else is left.
      return assertNever(name);
  }
}

/**
 * A comparator's operand: a literal, `trait()`, or inside `where` a `property()`/`context()`.
 * Never an aggregate (the AST's invariant: both sides would be live streams) nor a condition.
 */
function checkOperand(expr: SyntaxExpr, what: string, op: ComparatorName, scope: Scope, env: ChainEnv): Checked<ValueExpr> {
  const allowed = scope.where === 'none' ? 'a literal or trait(…)' : 'a literal, trait(…), property(…) or context(…)';
  if (expr.kind !== 'chain') return fail(expr.at, `${what} must be ${allowed}, not a condition`);
  const state = env.chain(expr, scope);
  if (!state.ok) return state;
  switch (state.value.kind) {
    case 'stream':
      return fail(expr.at, `${what} must be ${allowed}, not a stream of events (${state.value.draft.label})`);
    case 'condition':
      return fail(expr.at, `${what} must be ${allowed}, not a condition`);
    case 'value': {
      const { value, label } = state.value;
      if (value.kind === 'aggregate') {
        return fail(expr.at, `${what} cannot be an aggregate such as event(${quoteString(value.stream.event)}).${label}: compare against ${allowed}`);
      }
      if (value.kind === 'literal') return literalOperand(value, label, what, op, expr.at);
      return ok(value);
    }
    default:
      return assertNever(state.value);
  }
}

function literalOperand(
  value: Extract<ValueExpr, { kind: 'literal' }>,
  label: string,
  what: string,
  op: ComparatorName,
  at: SourcePosition,
): Checked<ValueExpr> {
  // A comparison with null is always false (absent values never compare): say what works instead.
  if (value.value === null) return fail(at, `${what} cannot be null: a missing value never compares; test it with absent() or exists()`);
  const ordering: readonly ValueComparatorOp[] = ['greater_than', 'at_least', 'less_than', 'at_most'];
  if (typeof value.value === 'boolean' && (ordering as readonly string[]).includes(op)) {
    return fail(at, `${what} must be a number or a string to order by, found ${label}`);
  }
  return ok(value);
}
