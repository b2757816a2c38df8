import type { DefinitionAst, DefinitionKind } from '../definitions/ast.ts';
import { flatLayout, groupedChunkLayout, pairedLayout, type ChunkLayout } from './chunked-slots.ts';
import { compileDefinition } from './compile-definition.ts';
import type { DefinitionEvaluator } from './definition-evaluator.ts';

/** What the actor needs of one live definition. */
export interface LiveDefinition {
  readonly id: string;
  readonly key: string;
  readonly kind: DefinitionKind;
  /** Bumps whenever the query changes: a state of another revision is started afresh. */
  readonly revision: number;
  readonly ast: DefinitionAst;
  /** Segment's `includeAnonymousUsers`: without it, only profiles with a known identifier qualify. */
  readonly includeAnonymousUsers: boolean;
}

export interface CompiledDefinition extends LiveDefinition {
  readonly evaluator: DefinitionEvaluator;
  /** Position in dependency order: a definition comes after every definition whose key it reads. */
  readonly rank: number;
}

/**
 * A space's live definitions, compiled once, in dependency order and indexed so an event touches
 * only the definitions that can react to it: by event name (streams) and by trait key (`trait()`
 * reads, including other definitions' keys).
 */
export interface DefinitionSet {
  /** Which version of the definitions this is (profiles' state slots follow it). */
  readonly layout: number;
  readonly ordered: readonly CompiledDefinition[];
  readonly byId: ReadonlyMap<string, CompiledDefinition>;
  readonly byEvent: ReadonlyMap<string, readonly CompiledDefinition[]>;
  readonly byTrait: ReadonlyMap<string, readonly CompiledDefinition[]>;
  /** Each definition's rank by its key: where a profile keeps its answer (`ComputeStates.answers`). */
  readonly rankOfKey: ReadonlyMap<string, number>;
  /** Each definition's rank by its id: where a profile keeps its state (`ComputeStates.slots`). */
  readonly rankOfId: ReadonlyMap<string, number>;
  /** The definitions' keys by rank. */
  readonly keys: readonly string[];
  /** The definitions' ids and revisions by rank: those of a profile's slots aligned with this set. */
  readonly ids: readonly string[];
  readonly revisions: readonly number[];
  /**
   * How a profile's states and answers by rank are chunked: by the event that feeds each
   * definition (its first stream's), so a step writes into the chunk or two of its event's
   * definitions and copies only those (`chunked-slots.ts`).
   */
  readonly chunks: ChunkLayout;
  /** The layout of a profile's slot arrays: a state and a due time per rank, in the rank's chunk (`pairedLayout`). */
  readonly slotChunks: ChunkLayout;
}

export const EMPTY_DEFINITION_SET: DefinitionSet = { layout: 0, ordered: [], byId: new Map(), byEvent: new Map(), byTrait: new Map(), rankOfKey: new Map(), rankOfId: new Map(), keys: [], ids: [], revisions: [], chunks: flatLayout(0), slotChunks: pairedLayout(flatLayout(0)) };

/** A definition whose key would close a loop of `trait()` references. */
export interface DefinitionCycle {
  readonly keys: readonly string[];
}

/**
 * Orders definitions so each is evaluated after those it reads (Kahn's algorithm over
 * key → reader edges); a cycle is reported with the keys on it, never evaluated.
 */
export function orderDefinitions<T extends { readonly key: string; readonly ast: DefinitionAst }>(
  definitions: readonly T[],
  traitKeysOf: (definition: T) => ReadonlySet<string>,
): { readonly ok: true; readonly ordered: readonly T[] } | { readonly ok: false; readonly cycle: DefinitionCycle } {
  const byKey = new Map(definitions.map((d) => [d.key, d]));
  const readers = new Map<string, T[]>();
  const pending = new Map<T, number>();
  for (const definition of definitions) {
    const deps = [...traitKeysOf(definition)].filter((key) => byKey.has(key));
    pending.set(definition, deps.length);
    for (const key of deps) readers.set(key, [...(readers.get(key) ?? []), definition]);
  }
  const ready = definitions.filter((d) => pending.get(d) === 0);
  const ordered: T[] = [];
  while (ready.length > 0) {
    const next = ready.shift()!;
    ordered.push(next);
    for (const reader of readers.get(next.key) ?? []) {
      const left = (pending.get(reader) ?? 0) - 1;
      pending.set(reader, left);
      if (left === 0) ready.push(reader);
    }
  }
  if (ordered.length === definitions.length) return { ok: true, ordered };
  return { ok: false, cycle: { keys: definitions.filter((d) => (pending.get(d) ?? 0) > 0).map((d) => d.key).sort() } };
}

/** Compiles a space's definitions. A cycle cannot be live (creation refuses it), so it throws. */
export function compileDefinitionSet(definitions: readonly LiveDefinition[], layout = 0): DefinitionSet {
  const evaluators = new Map(definitions.map((d) => [d, compileDefinition(d.ast)]));
  const order = orderDefinitions(definitions, (d) => evaluators.get(d)!.traitKeys);
  if (!order.ok) throw new Error(`definitions ${order.cycle.keys.join(', ')} form a cycle`);
  const ordered = order.ordered.map((d, rank): CompiledDefinition => ({ ...d, evaluator: evaluators.get(d)!, rank }));
  const byEvent = new Map<string, CompiledDefinition[]>();
  const byTrait = new Map<string, CompiledDefinition[]>();
  for (const compiled of ordered) {
    for (const name of compiled.evaluator.eventNames) byEvent.set(name, [...(byEvent.get(name) ?? []), compiled]);
    for (const key of compiled.evaluator.traitKeys) byTrait.set(key, [...(byTrait.get(key) ?? []), compiled]);
  }
  // A definition's first event name is its first root stream's (a funnel's parent); '' for none.
  const chunks = groupedChunkLayout(ordered.map((d) => d.evaluator.eventNames.values().next().value ?? ''));
  return { layout, ordered, byId: new Map(ordered.map((d) => [d.id, d])), byEvent, byTrait, rankOfKey: new Map(ordered.map((d) => [d.key, d.rank])), rankOfId: new Map(ordered.map((d) => [d.id, d.rank])), keys: ordered.map((d) => d.key), ids: ordered.map((d) => d.id), revisions: ordered.map((d) => d.revision), chunks, slotChunks: pairedLayout(chunks) };
}
