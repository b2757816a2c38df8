import type { Comparator, Condition, Duration, SourcePosition, Stream, ValueComparatorOp, ValueExpr, Window } from './ast.ts';
import {
  argumentCountError,
  checkPath,
  describeLiteral,
  durationArgument,
  fieldArgument,
  literalOf,
  plainExpr,
  positiveIntegerArgument,
  stringArgument,
  usageOf,
  wrongArgument,
  type Checked,
} from './check-arguments.ts';
import { fail, type DefinitionError } from './definition-error.ts';
import { quoteName, quoteString } from './describe.ts';
import {
  COMPARATORS,
  EXTRACTORS,
  FILTERS,
  isOneOf,
  joinAlternatives,
  REDUCERS,
  RELATIVE_DATE_COMPARATORS,
  roleOf,
  TEXT_COMPARATORS,
  unknownFunctionMessage,
  VALUE_COMPARATORS,
  type ComparatorName,
  type ReducerName,
} from './functions.ts';
import { parseIsoInstant } from './iso-date.ts';
import type { SyntaxArg, SyntaxCall, SyntaxChain, SyntaxExpr, SyntaxLiteral, SyntaxSugar } from './syntax.ts';
import { assertNever } from '../shared/assert-never.ts';
import { ok } from '../shared/result.ts';

/** Where an expression sits, which decides what it may use. */
export interface Scope {
  /**
   * Which `where(…)` the expression is inside: none (the top level), the where of a top-level
   * stream (a stream here is a funnel step), or the where of a funnel step (no stream allowed,
   * `property(parent: …)` allowed).
   */
  readonly where: 'none' | 'stream' | 'step';
  /** The stream whose `where(…)` this is, as messages name it (`event('Product Added')`). */
  readonly streamLabel: string | undefined;
  /** Under an `ANY`/`ALL` already (they do not nest). */
  readonly underQuantifier: boolean;
  /** Why a condition is wanted here, ending messages: "an audience must end in a condition". */
  readonly needs: string;
}

/** What the checker of conditions provides to chains (a `where` holds a condition). */
export interface ChainEnv {
  condition(expr: SyntaxExpr, scope: Scope): Checked<Condition>;
  /** Counts one primary expression (a comparison) starting at `at`. */
  recordPrimary(at: SourcePosition): void;
}

/** A stream being built call by call (`event('A').where(…).within(…)`). */
interface StreamDraft {
  readonly event: string;
  readonly where: Condition[];
  readonly excludeSources: string[];
  window: Window | undefined;
  readonly at: SourcePosition;
  readonly label: string;
  /** The enclosing stream's label when this stream is a funnel step, else undefined. */
  readonly parentLabel: string | undefined;
}

/** The type of a chain so far. */
export type ChainState =
  | { readonly kind: 'stream'; readonly draft: StreamDraft }
  | { readonly kind: 'value'; readonly value: ValueExpr; readonly label: string }
  | { readonly kind: 'condition'; readonly condition: Condition; readonly comparatorAt: SourcePosition };

type Failure = { readonly ok: false; readonly error: DefinitionError };

/**
 * Types one chain left to right: an extractor, then filters and a reducer on a stream, then at
 * most one comparator (a call or a sugar symbol). Each call is checked against what the chain
 * is at that point, so a misplaced or unknown function is named with the valid alternatives.
 */
export function checkChain(chain: SyntaxChain, scope: Scope, env: ChainEnv): Checked<ChainState> {
  let state = checkHead(chain.head, scope);
  for (const call of chain.calls) {
    if (!state.ok) return state;
    state = checkCall(state.value, call, chain.at, scope, env);
  }
  if (!state.ok || chain.sugar === undefined) return state;
  return checkSugar(state.value, chain.sugar, chain.at, scope, env);
}

export function labelOf(state: ChainState): string {
  switch (state.kind) {
    case 'stream':
      return state.draft.label;
    case 'value':
      return state.label;
    case 'condition':
      return 'a comparison';
    default:
      return assertNever(state);
  }
}

function checkHead(head: SyntaxLiteral | SyntaxCall, scope: Scope): Checked<ChainState> {
  if (head.kind === 'literal') {
    return ok({ kind: 'value', value: { kind: 'literal', value: head.value, at: head.at }, label: describeLiteral(head) });
  }
  const name = head.name;
  const role = roleOf(name);
  switch (role) {
    case 'extractor':
      return checkExtractor(head, scope);
    case 'filter':
    case 'reducer':
      return fail(head.at, `${name} must follow a stream of events, as in event('Order Completed').${usageOf(name)}`);
    case 'comparator':
      return fail(head.at, `${name} must follow a value, as in trait('plan').${usageOf(name)}`);
    case undefined:
      return fail(head.at, unknownFunctionMessage(name, EXTRACTORS, ''));
    default:
      return assertNever(role);
  }
}

function checkExtractor(call: SyntaxCall, scope: Scope): Checked<ChainState> {
  const name = call.name;
  if (!isOneOf(EXTRACTORS, name)) return fail(call.at, unknownFunctionMessage(name, EXTRACTORS, ''));
  switch (name) {
    case 'event': {
      if (scope.where === 'step') {
        return fail(
          call.at,
          `funnels nest one level: a stream cannot be a step of ${scope.streamLabel ?? 'a stream'}, which is itself a funnel step`,
        );
      }
      const only = onlyArgument(call, 'the event name as a string');
      if (!only.ok) return only;
      const event = stringArgument(call, only.value, 'the event name as a string');
      if (!event.ok) return event;
      const draft: StreamDraft = {
        event: event.value,
        where: [],
        excludeSources: [],
        window: undefined,
        at: call.at,
        label: `event(${quoteString(event.value)})`,
        parentLabel: scope.where === 'stream' ? scope.streamLabel : undefined,
      };
      return ok({ kind: 'stream', draft });
    }
    case 'trait': {
      const only = onlyArgument(call, 'the trait key as a string');
      if (!only.ok) return only;
      const key = stringArgument(call, only.value, 'the trait key as a string');
      if (!key.ok) return key;
      return ok({ kind: 'value', value: { kind: 'trait', key: key.value, at: call.at }, label: `trait(${quoteString(key.value)})` });
    }
    case 'property':
      return checkProperty(call, scope);
    case 'context': {
      if (scope.where === 'none') return fail(call.at, eventFieldOutsideWhere('context', "context('page.url') = 'https://example.com'"));
      const only = onlyArgument(call, 'a path as a string');
      if (!only.ok) return only;
      const path = stringArgument(call, only.value, 'a path as a string');
      if (!path.ok) return path;
      const checked = checkPath('context', only.value.at, path.value);
      if (!checked.ok) return checked;
      return ok({ kind: 'value', value: { kind: 'context', path: path.value, at: call.at }, label: `context(${quoteString(path.value)})` });
    }
    case 'literal': {
      const wanted = 'a string, a number, true, false or null';
      const only = onlyArgument(call, wanted);
      if (!only.ok) return only;
      const arg = only.value;
      const literal = arg.kind === 'expr' && arg.as === undefined ? literalOf(arg.expr) : undefined;
      if (literal === undefined) return wrongArgument(call, arg, wanted);
      return ok({ kind: 'value', value: { kind: 'literal', value: literal.value, at: call.at }, label: `literal(${literal.text})` });
    }
    default:
      return assertNever(name);
  }
}

function eventFieldOutsideWhere(name: 'property' | 'context', example: string): string {
  return `${name}(…) reads a field of an event, so it is only allowed inside where(…) or as a reducer's argument, as in event('Order Completed').where(${example})`;
}

function checkProperty(call: SyntaxCall, scope: Scope): Checked<ChainState> {
  if (scope.where === 'none') return fail(call.at, eventFieldOutsideWhere('property', "property('total') > 100"));
  const only = onlyArgument(call, 'a property name as a string');
  if (!only.ok) return only;
  let arg = only.value;
  let parent = false;
  if (arg.kind === 'labeled') {
    if (arg.label !== 'parent') return fail(arg.at, `property takes no label ${quoteName(`${arg.label}:`)}; it takes a name, as in property('price'), or parent: and a name, as in property(parent: 'price')`);
    if (scope.where !== 'step') {
      return fail(
        call.at,
        "property(parent: …) reads the parent event of a funnel step, so it is only allowed inside the where(…) of a stream that is itself inside another stream's where(…)",
      );
    }
    parent = true;
    arg = arg.value;
  }
  const path = stringArgument(call, arg, 'a property name as a string');
  if (!path.ok) return path;
  const checked = checkPath('property', arg.at, path.value);
  if (!checked.ok) return checked;
  const label = `property(${parent ? 'parent: ' : ''}${quoteString(path.value)})`;
  return ok({ kind: 'value', value: { kind: 'property', path: path.value, scope: parent ? 'parent' : 'event', at: call.at }, label });
}

function onlyArgument(call: SyntaxCall, wanted: string): Checked<SyntaxArg> {
  const only = call.args[0];
  if (call.args.length !== 1 || only === undefined) return argumentCountError(call, `one argument, ${wanted}`);
  return ok(only);
}

function checkCall(state: ChainState, call: SyntaxCall, subjectAt: SourcePosition, scope: Scope, env: ChainEnv): Checked<ChainState> {
  const name = call.name;
  const role = roleOf(name);
  if (role === 'extractor') return fail(call.at, `${name}(…) starts an expression and cannot follow '.'`);
  switch (state.kind) {
    case 'stream': {
      const label = state.draft.label;
      if (role === 'filter') return checkFilter(state.draft, call, scope, env);
      if (role === 'reducer' && isOneOf(REDUCERS, name)) return checkReducer(state.draft, name, call);
      if (role === 'comparator') {
        return fail(call.at, `${name} compares a value, but ${label} is a stream of events: reduce it first, as in ${label}.count().${name}(…)`);
      }
      return fail(call.at, unknownFunctionMessage(name, [...FILTERS, ...REDUCERS], ` after ${label}`));
    }
    case 'value': {
      const { value, label } = state;
      if (value.kind === 'aggregate' && value.reducer.kind === 'unique') {
        // Segment's ListScalar: a unique list allows only count().
        if (name === 'count') {
          if (call.args.length > 0) return argumentCountError(call, 'no arguments');
          const reducer = { kind: 'unique_count', field: value.reducer.field } as const;
          return ok({ kind: 'value', value: { ...value, reducer }, label: `${label}.count()` });
        }
        if (role === undefined) return fail(call.at, unknownFunctionMessage(name, ['count'], ` after ${label}`));
        return fail(call.at, `${name} cannot follow ${label}: unique(…) gives a list, and only .count() can follow it`);
      }
      if (role === 'comparator' && isOneOf(COMPARATORS, name)) return checkComparatorCall(state, name, call, subjectAt, scope, env);
      if (role === 'filter' || role === 'reducer') {
        if (value.kind === 'aggregate') {
          const hint = role === 'filter' ? `: put ${name}(…) before ${label}` : '';
          return fail(call.at, `${name} cannot follow ${label}, which already reduced the stream to one value${hint}`);
        }
        return fail(call.at, `${name} applies to a stream of events, but ${label} is a single value`);
      }
      return fail(call.at, unknownFunctionMessage(name, COMPARATORS, ` after ${label}`));
    }
    case 'condition':
      return fail(call.at, `nothing can follow a comparison: found .${name}(…); join conditions with AND or OR`);
    default:
      return assertNever(state);
  }
}

function checkFilter(draft: StreamDraft, call: SyntaxCall, scope: Scope, env: ChainEnv): Checked<ChainState> {
  const name = call.name;
  if (!isOneOf(FILTERS, name)) return fail(call.at, unknownFunctionMessage(name, FILTERS, ''));
  switch (name) {
    case 'where': {
      // Segment's docs write where({ … }); braces around the one condition are accepted.
      const [first, ...rest] = call.args;
      const inner = first?.kind === 'braced' && rest.length === 0 ? first.args : call.args;
      const only = inner[0];
      if (inner.length !== 1 || only === undefined) {
        const several = inner.length > 1 ? ' (join several conditions with AND)' : '';
        return fail(inner[0]?.at ?? call.at, `where takes one condition, as in ${usageOf('where')}; found ${inner.length === 0 ? 'none' : `${inner.length} arguments`}${several}`);
      }
      const expr = plainExpr(call, only, 'a condition');
      if (!expr.ok) return expr;
      const whereScope: Scope = {
        where: draft.parentLabel === undefined ? 'stream' : 'step',
        streamLabel: draft.label,
        underQuantifier: scope.underQuantifier,
        needs: 'where(…) takes a condition',
      };
      const condition = env.condition(expr.value, whereScope);
      if (!condition.ok) return condition;
      draft.where.push(condition.value);
      return ok({ kind: 'stream', draft });
    }
    case 'sources': {
      const ids = checkSources(call);
      if (!ids.ok) return ids;
      for (const id of ids.value) if (!draft.excludeSources.includes(id)) draft.excludeSources.push(id);
      return ok({ kind: 'stream', draft });
    }
    case 'within': {
      const only = onlyArgument(call, 'a duration, as in within(7 days), or parent: and a duration');
      if (!only.ok) return only;
      const arg = only.value;
      if (arg.kind === 'labeled') {
        if (arg.label !== 'parent') return fail(arg.at, `within takes no label ${quoteName(`${arg.label}:`)}; a funnel step's window is written within(parent: 1 days)`);
        const duration = durationArgument(call, arg.value, 1);
        if (!duration.ok) return duration;
        if (draft.parentLabel === undefined) {
          return fail(
            call.at,
            "within(parent: …) is only for a funnel step (a stream inside another stream's where(…)); for a window back from now write within(N days)",
          );
        }
        return setWindow(draft, call, { kind: 'parent', duration: duration.value });
      }
      const duration = durationArgument(call, arg, 1);
      if (!duration.ok) return duration;
      if (draft.parentLabel !== undefined) return stepWindowError(draft, call);
      return setWindow(draft, call, { kind: 'within', duration: duration.value });
    }
    case 'between': {
      const [startArg, endArg] = call.args;
      if (call.args.length !== 2 || startArg === undefined || endArg === undefined) return argumentCountError(call, 'two durations');
      const start = durationArgument(call, startArg, 0);
      if (!start.ok) return start;
      const end = durationArgument(call, endArg, 1);
      if (!end.ok) return end;
      if (start.value.ms >= end.value.ms) {
        return fail(startArg.at, `between takes its nearer edge first: ${describeDuration(start.value)} must be less than ${describeDuration(end.value)}`);
      }
      if (draft.parentLabel !== undefined) return stepWindowError(draft, call);
      return setWindow(draft, call, { kind: 'between', start: start.value, end: end.value });
    }
    default:
      return assertNever(name);
  }
}

function describeDuration(d: Duration): string {
  return `${d.amount} ${d.unit}`;
}

function stepWindowError(draft: StreamDraft, call: SyntaxCall): Failure {
  const parent = draft.parentLabel ?? 'its parent';
  return fail(call.at, `${draft.label} is a funnel step of ${parent}, so its window is within(parent: N days), measured from ${parent}`);
}

function setWindow(draft: StreamDraft, call: SyntaxCall, window: Window): Checked<ChainState> {
  if (draft.window !== undefined) return fail(call.at, `${draft.label} already has a time window; a stream takes at most one`);
  draft.window = window;
  return ok({ kind: 'stream', draft });
}

/** `sources({exclude: 'a', 'b'})`, also without the braces and with a `['a', 'b']` list. */
function checkSources(call: SyntaxCall): Checked<string[]> {
  const [first, ...rest] = call.args;
  const args = first?.kind === 'braced' && rest.length === 0 ? first.args : call.args;
  const [label, ...more] = args;
  if (label === undefined) return argumentCountError(call, "exclude: and at least one source id");
  if (label.kind !== 'labeled' || label.label !== 'exclude') return wrongArgument(call, label, "exclude: and the source ids to drop");
  const ids: string[] = [];
  for (const arg of [label.value, ...more]) {
    const items = arg.kind === 'list' ? arg.args : [arg];
    for (const item of items) {
      const id = stringArgument(call, item, 'source ids as strings');
      if (!id.ok) return id;
      ids.push(id.value);
    }
  }
  if (ids.length === 0) return fail(label.at, `sources needs at least one source id after exclude:, as in ${usageOf('sources')}`);
  return ok(ids);
}

function checkReducer(draft: StreamDraft, name: ReducerName, call: SyntaxCall): Checked<ChainState> {
  const stream = finishStream(draft);
  if (!stream.ok) return stream;
  const aggregate = (reducer: Extract<ValueExpr, { kind: 'aggregate' }>['reducer'], label: string): Checked<ChainState> =>
    ok({ kind: 'value', value: { kind: 'aggregate', stream: stream.value, reducer, at: draft.at }, label });
  const [fieldArg, secondArg] = call.args;
  switch (name) {
    case 'count':
      if (call.args.length > 0) {
        return fail(call.args[0]?.at ?? call.at, "count takes no arguments; to count distinct values write unique(property('…')).count()");
      }
      return aggregate({ kind: 'count' }, 'count()');
    case 'sum':
    case 'avg':
    case 'first':
    case 'last':
    case 'unique': {
      if (call.args.length !== 1 || fieldArg === undefined) return argumentCountError(call, 'one property');
      if (fieldArg.kind === 'expr' && fieldArg.as !== undefined) return fail(fieldArg.as.at, `'as ${fieldArg.as.type}' only follows the argument of min, max or mode`);
      const field = fieldArgument(call, fieldArg);
      if (!field.ok) return field;
      return aggregate({ kind: name, field: field.value }, `${name}(…)`);
    }
    case 'min':
    case 'max': {
      if (call.args.length !== 1 || fieldArg === undefined) return argumentCountError(call, 'one property');
      const field = fieldArgument(call, fieldArg);
      if (!field.ok) return field;
      const as = asType(call, fieldArg, ['number', 'string'], 'number');
      if (!as.ok) return as;
      return aggregate({ kind: name, field: field.value, as: as.value }, `${name}(…)`);
    }
    case 'mode': {
      if (fieldArg === undefined) return argumentCountError(call, 'a property and a minimum frequency');
      const field = fieldArgument(call, fieldArg);
      if (!field.ok) return field;
      // Segment: "If no type is passed, Segment assumes string".
      const as = asType(call, fieldArg, ['string', 'number', 'array'], 'string');
      if (!as.ok) return as;
      if (secondArg === undefined) {
        return fail(call.end, `mode needs a minimum frequency as its second argument, as in ${usageOf('mode')}`);
      }
      if (call.args.length > 2) return argumentCountError(call, 'a property and a minimum frequency');
      const minFrequency = positiveIntegerArgument(call, secondArg, 'a minimum frequency that is a positive whole number');
      if (!minFrequency.ok) return minFrequency;
      return aggregate({ kind: 'mode', field: field.value, as: as.value, minFrequency: minFrequency.value }, 'mode(…)');
    }
    default:
      return assertNever(name);
  }
}

function asType<T extends string>(call: SyntaxCall, arg: SyntaxArg, allowed: readonly T[], fallback: T): Checked<T> {
  if (arg.kind !== 'expr' || arg.as === undefined) return ok(fallback);
  const written = arg.as.type.toLowerCase();
  const found = allowed.find((t) => t === written);
  if (found === undefined) {
    return fail(arg.as.at, `${call.name} takes ${joinAlternatives(allowed.map((t) => `'as ${t}'`))}, found 'as ${arg.as.type}'`);
  }
  return ok(found);
}

/** A funnel step must say how long after its parent it may happen. */
function finishStream(draft: StreamDraft): Checked<Stream> {
  if (draft.parentLabel !== undefined && draft.window?.kind !== 'parent') {
    return fail(
      draft.at,
      `${draft.label} is inside the where(…) of ${draft.parentLabel}, so it is a funnel step and needs .within(parent: N days) before its reducer (how long after ${draft.parentLabel} it may happen)`,
    );
  }
  return ok({ event: draft.event, where: draft.where, excludeSources: draft.excludeSources, window: draft.window, at: draft.at });
}

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

function checkSugar(state: ChainState, sugar: SyntaxSugar, subjectAt: SourcePosition, scope: Scope, env: ChainEnv): Checked<ChainState> {
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

function checkComparatorCall(
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
      // Every other comparator was handled by the groups above.
      return fail(call.at, unknownFunctionMessage(name, COMPARATORS, ''));
  }
}

/**
 * A comparator's operand: a literal, `trait()`, or inside `where` a `property()`/`context()`.
 * Never an aggregate (the AST's invariant: both sides would be live streams) nor a condition.
 */
function checkOperand(expr: SyntaxExpr, what: string, op: ComparatorName, scope: Scope, env: ChainEnv): Checked<ValueExpr> {
  const allowed = scope.where === 'none' ? 'a literal or trait(…)' : 'a literal, trait(…), property(…) or context(…)';
  if (expr.kind !== 'chain') return fail(expr.at, `${what} must be ${allowed}, not a condition`);
  const state = checkChain(expr, scope, env);
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
