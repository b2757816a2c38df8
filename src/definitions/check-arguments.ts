import type { Duration, FieldRef, SourcePosition, TimeUnit } from './ast.ts';
import { fail, formatCount, type DefinitionError } from './definition-error.ts';
import { quoteName, quoteString } from './describe.ts';
import type { SyntaxArg, SyntaxCall, SyntaxChain, SyntaxExpr, SyntaxLiteral } from './syntax.ts';
import { assertNever } from '../shared/assert-never.ts';
import { ok, type Result } from '../shared/result.ts';

export type Checked<T> = Result<T, DefinitionError>;

/** How each function is written, for "…, as in <usage>" in messages. */
export const USAGE: Readonly<Record<string, string>> = {
  event: "event('Order Completed')",
  trait: "trait('plan')",
  property: "property('price')",
  context: "context('page.url')",
  literal: 'literal(100)',
  where: "where(property('price') > 100)",
  sources: "sources({exclude: 'source-id'})",
  within: 'within(7 days)',
  between: 'between(7 days, 30 days)',
  count: 'count()',
  sum: "sum(property('price'))",
  avg: "avg(property('price'))",
  min: "min(property('price'))",
  max: "max(property('price'))",
  mode: "mode(property('plan'), 2)",
  first: "first(property('plan'))",
  last: "last(property('plan'))",
  unique: "unique(property('sku'))",
  equals: "equals('pro')",
  differs: "differs('pro')",
  greater_than: 'greater_than(100)',
  at_least: 'at_least(100)',
  less_than: 'less_than(100)',
  at_most: 'at_most(100)',
  absent: 'absent()',
  exists: 'exists()',
  contains: "contains('shoes', 'shirts')",
  omits: "omits('shoes')",
  starts_with: "starts_with('total')",
  ends_with: "ends_with('total')",
  one_of: "one_of('shoes', 'shirts')",
  before_date: "before_date('2023-12-07T18:50:00Z')",
  after_date: "after_date('2023-12-07T18:50:00Z')",
  within_last: 'within_last(7 days)',
  within_next: 'within_next(7 days)',
  before_last: 'before_last(7 days)',
  after_next: 'after_next(7 days)',
};

export function usageOf(name: string): string {
  return USAGE[name] ?? `${name}(…)`;
}

const UNITS: Readonly<Record<string, { readonly unit: TimeUnit; readonly ms: number }>> = {
  hour: { unit: 'hours', ms: 3_600_000 },
  hours: { unit: 'hours', ms: 3_600_000 },
  day: { unit: 'days', ms: 86_400_000 },
  days: { unit: 'days', ms: 86_400_000 },
};

/** The longest duration: the span of JavaScript dates (±100,000,000 days), so `ms` stays exact. */
const MAX_DURATION_MS = 8_640_000_000_000_000;

export function describeExpr(expr: SyntaxExpr): string {
  switch (expr.kind) {
    case 'and':
    case 'or':
    case 'not':
    case 'quantified':
      return 'a condition';
    case 'group':
      return `a parenthesized ${describeExpr(expr.inner).replace(/^an? /, '')}`;
    case 'chain':
      return describeChain(expr);
    default:
      return assertNever(expr);
  }
}

function describeChain(chain: SyntaxChain): string {
  if (chain.sugar !== undefined) return 'a comparison';
  const head = chain.head.kind === 'literal' ? describeLiteral(chain.head) : describeCall(chain.head);
  const last = chain.calls[chain.calls.length - 1];
  return last === undefined ? head : `${head}…${last.name}(…)`;
}

export function describeLiteral(literal: SyntaxLiteral): string {
  const { value } = literal;
  if (typeof value === 'string') return `the string ${quoteString(value)}`;
  if (typeof value === 'number') return `the number ${literal.text}`;
  return String(value);
}

/** `event('A')` when the call's one argument is a string, else `name(…)`. */
export function describeCall(call: SyntaxCall): string {
  const only = call.args.length === 1 ? call.args[0] : undefined;
  if (only !== undefined) {
    const inner = only.kind === 'labeled' ? only.value : only;
    const literal = inner.kind === 'expr' && inner.as === undefined ? literalOf(inner.expr) : undefined;
    if (literal !== undefined && typeof literal.value === 'string') {
      const label = only.kind === 'labeled' ? `${only.label}: ` : '';
      return `${call.name}(${label}${quoteString(literal.value)})`;
    }
  }
  return call.args.length === 0 ? `${call.name}()` : `${call.name}(…)`;
}

export function describeArg(arg: SyntaxArg): string {
  switch (arg.kind) {
    case 'expr':
      return arg.as === undefined ? describeExpr(arg.expr) : `${describeExpr(arg.expr)} as ${arg.as.type}`;
    case 'duration':
      return `the duration ${arg.amountText} ${arg.unit}`;
    case 'labeled':
      return `'${arg.label}:'`;
    case 'braced':
      return 'a { … } block';
    case 'list':
      return 'a [ … ] list';
    default:
      return assertNever(arg);
  }
}

/** A bare literal (`'x'`, `5`, `true`): a chain of just a literal, no calls, no comparison. */
export function literalOf(expr: SyntaxExpr): SyntaxLiteral | undefined {
  if (expr.kind !== 'chain' || expr.calls.length > 0 || expr.sugar !== undefined) return undefined;
  return expr.head.kind === 'literal' ? expr.head : undefined;
}

export function argumentCountError(call: SyntaxCall, wanted: string): { readonly ok: false; readonly error: DefinitionError } {
  const n = call.args.length;
  const found = n === 0 ? 'none' : `${formatCount(n)} argument${n === 1 ? '' : 's'}`;
  const at = call.args[0]?.at ?? call.at;
  return fail(at, `${call.name} takes ${wanted}, as in ${usageOf(call.name)}; found ${found}`);
}

export function wrongArgument(
  call: SyntaxCall,
  arg: SyntaxArg,
  wanted: string,
  at: SourcePosition = arg.at,
): { readonly ok: false; readonly error: DefinitionError } {
  return fail(at, `${call.name} takes ${wanted}, as in ${usageOf(call.name)}; found ${describeArg(arg)}`);
}

/** An argument that must be a plain expression: no label, braces, list, duration or `as`. */
export function plainExpr(call: SyntaxCall, arg: SyntaxArg, wanted: string): Checked<SyntaxExpr> {
  if (arg.kind !== 'expr') return wrongArgument(call, arg, wanted);
  if (arg.as !== undefined) return fail(arg.as.at, `'as ${arg.as.type}' only follows the argument of min, max or mode`);
  return ok(arg.expr);
}

/** The one string argument of `event('…')`, `trait('…')`, … (non-empty). */
export function stringArgument(call: SyntaxCall, arg: SyntaxArg, wanted: string): Checked<string> {
  const expr = plainExpr(call, arg, wanted);
  if (!expr.ok) return expr;
  const literal = literalOf(expr.value);
  if (literal === undefined || typeof literal.value !== 'string') return wrongArgument(call, arg, wanted);
  if (literal.value.length === 0) return fail(arg.at, `${call.name} needs a non-empty string, as in ${usageOf(call.name)}`);
  return ok(literal.value);
}

/** A dotted path for property()/context(): every part between dots non-empty. */
export function checkPath(name: 'property' | 'context', at: SourcePosition, path: string): Checked<string> {
  if (path.split('.').some((part) => part.length === 0)) {
    return fail(at, `${name}(${quoteString(path)}) has an empty part in its path: separate the parts with single dots, as in ${name}('page.url')`);
  }
  return ok(path);
}

/**
 * `N hour(s)|day(s)`. `minimum` is 1, or 0 for the start of `between`. The amount must be a
 * whole number: a window edge at a fractional hour is almost certainly a typo, and durations are
 * compared in exact milliseconds.
 */
export function durationArgument(call: SyntaxCall, arg: SyntaxArg, minimum: 0 | 1): Checked<Duration> {
  const wanted = 'a duration in hours or days';
  if (arg.kind !== 'duration') {
    const literal = arg.kind === 'expr' ? literalOf(arg.expr) : undefined;
    if (literal !== undefined && typeof literal.value === 'number') {
      return fail(arg.at, `${call.name} takes ${wanted}, as in ${usageOf(call.name)}; add a unit after ${literal.text} (hours or days)`);
    }
    return wrongArgument(call, arg, wanted);
  }
  const unit = UNITS[arg.unit.toLowerCase()];
  if (unit === undefined) {
    return fail(arg.unitAt, `unknown time unit ${quoteName(arg.unit)} in ${call.name}: use hour, hours, day or days`);
  }
  if (!Number.isInteger(arg.amount) || arg.amount < minimum) {
    const what = minimum === 0 ? 'a whole number of hours or days, 0 or more' : 'a positive whole number of hours or days';
    return fail(arg.at, `${call.name} takes ${what}, found ${arg.amountText} ${arg.unit}`);
  }
  const ms = arg.amount * unit.ms;
  if (ms > MAX_DURATION_MS) return fail(arg.at, `the duration ${arg.amountText} ${arg.unit} in ${call.name} is too long (at most 100,000,000 days)`);
  return ok({ amount: arg.amount, unit: unit.unit, ms });
}

/** A positive whole number literal (mode's minimum frequency). */
export function positiveIntegerArgument(call: SyntaxCall, arg: SyntaxArg, wanted: string): Checked<number> {
  const literal = arg.kind === 'expr' && arg.as === undefined ? literalOf(arg.expr) : undefined;
  if (literal === undefined || typeof literal.value !== 'number') return wrongArgument(call, arg, wanted);
  if (!Number.isSafeInteger(literal.value) || literal.value < 1) {
    return fail(arg.at, `${call.name} takes ${wanted}, found ${literal.text}`);
  }
  return ok(literal.value);
}

/**
 * A reducer's argument: `property('p')`, `context('a.b')`, or a bare `'p'` (read as
 * `property('p')`, a convenience). Only the event's own fields: a reducer runs over the stream's
 * occurrences, so `property(parent: …)` has no meaning there.
 */
export function fieldArgument(call: SyntaxCall, arg: SyntaxArg): Checked<FieldRef> {
  const wanted = "a property of the event, as property('…') or context('…')";
  if (arg.kind !== 'expr') return wrongArgument(call, arg, wanted);
  const expr = arg.expr;
  const literal = literalOf(expr);
  if (literal !== undefined) {
    if (typeof literal.value !== 'string') return wrongArgument(call, arg, wanted);
    if (literal.value.length === 0) return fail(arg.at, `${call.name} needs a non-empty property name`);
    return pathRef(arg.at, 'property', literal.value);
  }
  if (expr.kind !== 'chain' || expr.head.kind !== 'call' || expr.calls.length > 0 || expr.sugar !== undefined) {
    return wrongArgument(call, arg, wanted);
  }
  const inner = expr.head;
  if (inner.name !== 'property' && inner.name !== 'context') return wrongArgument(call, arg, wanted);
  const only = inner.args[0];
  if (inner.args.length !== 1 || only === undefined) return argumentCountError(inner, `one ${inner.name === 'property' ? 'property name' : 'path'}`);
  if (only.kind === 'labeled') {
    if (inner.name === 'property' && only.label === 'parent') {
      return fail(inner.at, `${call.name} reads the events of its own stream; property(parent: …) is only for comparisons inside a funnel step's where(…)`);
    }
    return fail(only.at, `${inner.name} takes no label ${quoteName(`${only.label}:`)}, as in ${usageOf(inner.name)}`);
  }
  const path = stringArgument(inner, only, inner.name === 'property' ? 'a property name as a string' : 'a path as a string');
  if (!path.ok) return path;
  return pathRef(only.at, inner.name, path.value);
}

function pathRef(at: SourcePosition, source: FieldRef['source'], path: string): Checked<FieldRef> {
  const checked = checkPath(source, at, path);
  if (!checked.ok) return checked;
  return ok({ source, path });
}

/** The one argument of a call that takes exactly one. */
export function onlyArgument(call: SyntaxCall, wanted: string): Checked<SyntaxArg> {
  const only = call.args[0];
  if (call.args.length !== 1 || only === undefined) return argumentCountError(call, `one argument, ${wanted}`);
  return ok(only);
}
