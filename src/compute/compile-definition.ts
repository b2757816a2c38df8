import type { Condition, DefinitionAst, ValueExpr } from '../definitions/ast.ts';
import type { TrackedEvent } from '../ingest/tracked-event.ts';
import { assertNever } from '../shared/assert-never.ts';
import type { Json } from '../shared/json.ts';
import type { InstantSink } from './compare.ts';
import type { DefinitionEvaluator, EvaluatorState, StreamState, TraitLookup } from './definition-evaluator.ts';
import { evaluateCondition, evaluateValue, type EvaluationEnv } from './evaluate-condition.ts';
import { occurrenceName } from './occurrence.ts';
import { planStreams, type RootStreamPlan } from './stream-plan.ts';
import { initialStreamState, mergeStreams, observeStream, pruneStream, type RootStreamState } from './stream-state.ts';
import { rootStreamValue } from './stream-value.ts';

/**
 * Compiles a checked definition into its incremental evaluator (once per definition, not per
 * event). The state holds one entry per root stream; see `stream-plan.ts` for how each is kept.
 */
export function compileDefinition(ast: DefinitionAst): DefinitionEvaluator {
  const { roots } = planStreams(ast.root);
  const eventNames = new Set<string>();
  for (const plan of roots) {
    eventNames.add(plan.stream.event);
    for (const child of plan.children) eventNames.add(child.stream.event);
  }
  const traitKeys = new Set<string>();
  collectTraitKeys(ast.root, traitKeys);
  const planOfStream = new Map(roots.map((plan) => [plan.stream, plan]));

  function answer(state: EvaluatorState, traits: TraitLookup, now: number, sink: InstantSink | undefined): Json | undefined {
    const streams = streamsOf(state);
    const values = new Map<RootStreamPlan, Json | undefined>();
    const env: EvaluationEnv = {
      now,
      sink,
      trait: traits,
      field: () => {
        throw new Error('property() outside where()');
      },
      parentField: () => {
        throw new Error('property(parent:) outside a funnel');
      },
      aggregate: (node) => {
        const plan = planOfStream.get(node.stream);
        if (plan === undefined) throw new Error(`no plan for event('${node.stream.event}')`);
        if (!values.has(plan)) values.set(plan, rootStreamValue(plan, streams[plan.index]!, traits, now, sink));
        return { value: values.get(plan), settled: true };
      },
    };
    if (ast.kind === 'audience') return evaluateCondition(ast.root, env) === true;
    return evaluateValue(ast.root, env);
  }

  return {
    ast,
    eventNames,
    traitKeys,
    initialState: () => stateOf(roots.map(initialStreamState)),
    observe(state, event: TrackedEvent, now) {
      const name = occurrenceName(event);
      if (name === undefined || !eventNames.has(name)) return state;
      return mapStreams(state, (plan, stream) => observeStream(plan, stream, event, now));
    },
    prune: (state, now) => mapStreams(state, (plan, stream) => pruneStream(plan, stream, now)),
    evaluate: (state, traits, now) => answer(state, traits, now, undefined),
    nextChangeAt(state, traits, now) {
      let next: number | undefined;
      answer(state, traits, now, (instant) => {
        if (instant > now && (next === undefined || instant < next)) next = instant;
      });
      return next;
    },
    merge(winner, loser) {
      const a = streamsOf(winner);
      const b = streamsOf(loser);
      return stateOf(roots.map((plan) => mergeStreams(plan, a[plan.index]!, b[plan.index]!)));
    },
  };

  function mapStreams(state: EvaluatorState, step: (plan: RootStreamPlan, stream: RootStreamState) => RootStreamState): EvaluatorState {
    const streams = streamsOf(state);
    let changed = false;
    const next = roots.map((plan) => {
      const before = streams[plan.index]!;
      const after = step(plan, before);
      if (after !== before) changed = true;
      return after;
    });
    return changed ? stateOf(next) : state;
  }
}

/** The one place the opaque `StreamState` of the port is read as this module's own shape. */
function streamsOf(state: EvaluatorState): readonly RootStreamState[] {
  return state.streams as readonly StreamState[] as unknown as readonly RootStreamState[];
}

function stateOf(streams: readonly RootStreamState[]): EvaluatorState {
  return { version: 1, streams: streams as unknown as readonly StreamState[] };
}

function collectTraitKeys(node: Condition | ValueExpr, out: Set<string>): void {
  switch (node.kind) {
    case 'and':
    case 'or':
      for (const operand of node.operands) collectTraitKeys(operand, out);
      return;
    case 'not':
    case 'quantified':
      collectTraitKeys(node.operand, out);
      return;
    case 'comparison': {
      collectTraitKeys(node.subject, out);
      const { comparator } = node;
      if ('operand' in comparator) collectTraitKeys(comparator.operand, out);
      if ('operands' in comparator) for (const operand of comparator.operands) collectTraitKeys(operand, out);
      return;
    }
    case 'aggregate':
      for (const condition of node.stream.where) collectTraitKeys(condition, out);
      return;
    case 'trait':
      out.add(node.key);
      return;
    case 'literal':
    case 'property':
    case 'context':
      return;
    default:
      assertNever(node);
  }
}
