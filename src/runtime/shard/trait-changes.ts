import type { ActorEffect, ActorMessage } from '../../actors/actor-message.ts';
import type { ProfileState } from '../../actors/profile-state.ts';

/** Stands for "any trait may have changed": the keys are not known, every one is looked at. */
export const ANY_TRAIT = 'any';

/**
 * The trait keys a delivery's steps may have changed on one profile (a superset: a listed key may
 * have kept its value), or `ANY_TRAIT`. With 70 definitions live a profile holds ~70 answers among
 * its traits; an event changes one or two. Knowing which lets the commit look at those instead of
 * every key: rescanning them (membership counts, answer rows, the record's traits) cost ~20 µs an
 * event, more than the rows written.
 */
export type TraitChanges = ReadonlySet<string> | typeof ANY_TRAIT;

/**
 * The keys one step may have changed, each once: none when the traits object is the same. A track step
 * changes traits only by merging its event's traits and by writing answers, each of which it
 * reports as an `answer.changed` effect; a backfill or a fired timer only by writing answers.
 * Any other step that changed traits (a merge folds in a whole profile's) or a new profile gets
 * `ANY_TRAIT`.
 */
export function stepTraitChanges(
  message: ActorMessage,
  before: ProfileState | undefined,
  after: ProfileState,
  effects: readonly ActorEffect[],
): readonly string[] | typeof ANY_TRAIT {
  if (before !== undefined && before.traits === after.traits) return NO_KEYS;
  if (before === undefined) return ANY_TRAIT;
  let keys: string[];
  if (message.type === 'profile.track') keys = message.event.traits === undefined ? [] : Object.keys(message.event.traits);
  else if (message.type === 'profile.backfill' || message.type === 'timer.fired') keys = [];
  else return ANY_TRAIT;
  // Each key once (a custom trait may share an answer's key): membership counts adjust per key.
  for (const effect of effects) if (effect.type === 'answer.changed' && !keys.includes(effect.key)) keys.push(effect.key);
  return keys;
}

/** `changes` with one more step's. */
export function addTraitChanges(changes: TraitChanges | undefined, step: readonly string[] | typeof ANY_TRAIT): TraitChanges {
  if (step === ANY_TRAIT || changes === ANY_TRAIT) return ANY_TRAIT;
  if (step.length === 0) return changes ?? NO_CHANGES;
  const keys = new Set(changes);
  for (const key of step) keys.add(key);
  return keys;
}

const NO_KEYS: readonly string[] = [];
export const NO_CHANGES: ReadonlySet<string> = new Set();
