import type { SourcePosition } from './ast.ts';
import { argumentCountError, checkPath, describeLiteral, literalOf, onlyArgument, stringArgument, usageOf, wrongArgument, type Checked } from './check-arguments.ts';
import { checkComparatorCall, checkSugar } from './check-comparator.ts';
import { checkFilter, checkReducer } from './check-stream.ts';
import type { ChainEnv, ChainState, Scope, StreamDraft } from './chain-types.ts';
import { fail } from './definition-error.ts';
import { quoteName, quoteString } from './describe.ts';
import { COMPARATORS, EXTRACTORS, FILTERS, isOneOf, REDUCERS, roleOf, unknownFunctionMessage } from './functions.ts';
import type { SyntaxCall, SyntaxChain, SyntaxLiteral } from './syntax.ts';
import { assertNever } from '../shared/assert-never.ts';
import { ok } from '../shared/result.ts';

export type { ChainEnv, ChainState, Scope } from './chain-types.ts';

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
