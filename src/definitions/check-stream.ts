import type { Duration, Stream, ValueExpr, Window } from './ast.ts';
import {
  argumentCountError,
  durationArgument,
  fieldArgument,
  onlyArgument,
  plainExpr,
  positiveIntegerArgument,
  stringArgument,
  usageOf,
  wrongArgument,
  type Checked,
} from './check-arguments.ts';
import type { ChainEnv, ChainState, Failure, Scope, StreamDraft } from './chain-types.ts';
import { fail } from './definition-error.ts';
import { quoteName } from './describe.ts';
import { FILTERS, isOneOf, joinAlternatives, unknownFunctionMessage, type ReducerName } from './functions.ts';
import type { SyntaxArg, SyntaxCall } from './syntax.ts';
import { assertNever } from '../shared/assert-never.ts';
import { ok } from '../shared/result.ts';

// The calls that build a stream: filters (where, sources, within, between) and the reducer that
// turns it into a value. Funnel rules live here: a step's window, one window per stream.

export function checkFilter(draft: StreamDraft, call: SyntaxCall, scope: Scope, env: ChainEnv): Checked<ChainState> {
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

export function checkReducer(draft: StreamDraft, name: ReducerName, call: SyntaxCall): Checked<ChainState> {
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
