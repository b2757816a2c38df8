import fc from 'fast-check';
import type { DefinitionAst } from '../../../src/definitions/ast.ts';
import type { TrackedEvent } from '../../../src/ingest/tracked-event.ts';
import type { EpochMs } from '../../../src/shared/ids.ts';
import type { Json } from '../../../src/shared/json.ts';
import { HOUR } from './ast-builders.ts';
import { historyArb, traitsArb } from './history-arbitraries.ts';
import { renderDefinition } from './render-definition.ts';
import { T0 } from './vocabulary.ts';

/**
 * One property-test case: a definition, one profile's events in arrival order, trait changes
 * along the way, a merge plan, and a seed for the harness's own choices (probe instants, prune
 * points). It prints as text (definition in the query language, one line per event) so that a
 * counterexample can be read without unfolding nested objects.
 */
export interface Scenario {
  readonly definition: DefinitionAst;
  /** In arrival order: by `receivedAt`, ties in generation order. */
  readonly arrivals: readonly TrackedEvent[];
  /** `traits[i]` applies from arrival `changes[i]` on; `changes[0]` is 0. */
  readonly traits: readonly Readonly<Record<string, Json>>[];
  readonly traitChanges: readonly number[];
  /**
   * Merge plan: the first `mergeAfter` arrivals (at least one) are split between two profiles
   * (`toLoser[i]`: arrival i goes to the second); the harness picks the merge winner.
   */
  readonly mergeAfter: number;
  readonly toLoser: readonly boolean[];
  readonly seed: number;
}

export function scenarioArb(definitions: fc.Arbitrary<DefinitionAst>, options: { minEvents?: number; maxEvents?: number } = {}): fc.Arbitrary<Scenario> {
  return fc
    .record({
      definition: definitions,
      events: historyArb(options),
      traits: fc.array(fc.tuple(fc.nat(), traitsArb), { minLength: 1, maxLength: 3 }),
      mergeAfter: fc.nat(),
      toLoser: fc.array(fc.boolean(), { maxLength: 20, size: 'medium' }),
      seed: fc.integer(),
    })
    .map(({ definition, events, traits, mergeAfter, toLoser, seed }) => {
      const arrivals = events
        .map((event, index) => ({ event, index }))
        .sort((a, b) => a.event.receivedAt - b.event.receivedAt || a.index - b.index)
        .map(({ event }) => event);
      // The first trait map applies from the start; the others from random arrivals.
      const changes = traits.map(([at, t], i) => ({ at: i === 0 ? 0 : at % (arrivals.length + 1), t })).sort((a, b) => a.at - b.at);
      const scenario: Scenario = {
        definition,
        arrivals,
        traits: changes.map((c) => c.t),
        traitChanges: changes.map((c) => c.at),
        mergeAfter: arrivals.length === 0 ? 0 : 1 + (mergeAfter % arrivals.length),
        toLoser,
        seed,
      };
      return Object.assign(scenario, { [fc.toStringMethod]: () => renderScenario(scenario) });
    });
}

/** The traits that apply once `arrived` events have arrived. */
export function traitsAfter(scenario: Scenario, arrived: number): Readonly<Record<string, Json>> {
  let current: Readonly<Record<string, Json>> = {};
  scenario.traitChanges.forEach((at, i) => {
    if (at <= arrived) current = scenario.traits[i] ?? current;
  });
  return current;
}

/** `T0+26h+1ms (2026-01-06T02:00:00.001Z)`: offsets from the history's origin read faster than ISO. */
export function formatInstant(at: EpochMs): string {
  if (!Number.isFinite(at)) return String(at);
  const offset = at - T0;
  const hours = Math.trunc(offset / HOUR);
  const rest = offset - hours * HOUR;
  const text = `T0${hours < 0 ? '-' : '+'}${Math.abs(hours)}h${rest === 0 ? '' : `${rest < 0 ? '-' : '+'}${Math.abs(rest)}ms`}`;
  return Math.abs(at) < 8.64e15 ? `${text} (${new Date(at).toISOString()})` : text;
}

function renderEvent(e: TrackedEvent): string {
  const name = e.type === 'track' ? e.event : e.type === 'page' ? `page${e.name === undefined ? '' : `(${e.name})`}` : e.type;
  const timing = e.receivedAt === e.timestamp ? `ts=${formatInstant(e.timestamp)}` : `ts=${formatInstant(e.timestamp)} received=${formatInstant(e.receivedAt)}`;
  const context = e.context === undefined ? '' : ` context=${JSON.stringify(e.context)}`;
  return `  ${e.messageId} ${name ?? '?'} ${timing} source=${e.sourceId} properties=${JSON.stringify(e.properties ?? {})}${context}`;
}

function renderScenario(s: Scenario): string {
  const lines = [
    '',
    `definition: ${renderDefinition(s.definition)}`,
    ...s.traits.map((t, i) => `traits from arrival ${s.traitChanges[i] ?? 0}: ${JSON.stringify(t)}`),
    `arrivals (${s.arrivals.length}, in arrival order):`,
    ...s.arrivals.map(renderEvent),
    `merge (merge property only) after arrival ${s.mergeAfter}; on the second profile: ${JSON.stringify(s.arrivals.slice(0, s.mergeAfter).filter((_, i) => s.toLoser[i] === true).map((e) => e.messageId))}`,
    `seed: ${s.seed}`,
    // Positions dropped (the comparator field `at` is a number and stays): the AST, pasteable into a test.
    `definition AST: ${JSON.stringify(s.definition, (key, value: unknown) => (key === 'at' && typeof value === 'object' ? undefined : value))}`,
  ];
  return lines.join('\n');
}
