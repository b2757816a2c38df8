import type { IdentifierRecord } from '../identity/identifier.ts';
import type { TrackedEvent } from '../ingest/tracked-event.ts';
import type { ComputeTrigger } from './recompute-definitions.ts';
import { assertNever } from '../shared/assert-never.ts';
import type { EpochMs } from '../shared/ids.ts';
import { ownValue } from '../shared/own-value.ts';
import type { ActorEffect, ActorMessage } from './actor-message.ts';
import { absorbProfile } from './absorb-profile.ts';
import { mergeTraits } from './merge-traits.ts';
import { slotDue, slotState, withSlots, writeDue, writeState } from './compute-states.ts';
import { sameValue } from '../compute/values.ts';
import { emptyProfile, profileWith, type ProfileState } from './profile-state.ts';
import { alignedProfile, definitionOfTimerKey, isKnownProfile, mergeComputeStates, recomputeDefinitions, retireDefinitionTimers } from './recompute-definitions.ts';
import { EMPTY_DEFINITION_SET, type DefinitionSet } from '../compute/definition-set.ts';
import { ownSlots } from '../compute/chunked-slots.ts';

/** A space's live definitions for each collection (user audiences run on users, account ones on accounts). */
export interface SpaceDefinitions {
  readonly users: DefinitionSet;
  readonly accounts: DefinitionSet;
}

export const NO_DEFINITIONS: SpaceDefinitions = { users: EMPTY_DEFINITION_SET, accounts: EMPTY_DEFINITION_SET };

export interface StepResult {
  /** Undefined only when the profile did not exist and the message could not create it. */
  readonly state: ProfileState | undefined;
  readonly effects: readonly ActorEffect[];
  /** False when the message left the state as it was (a stale timer): nothing to write. */
  readonly changed: boolean;
}

type TrackMessage = Extract<ActorMessage, { type: 'profile.track' }>;

/**
 * The profile actor's transition: pure, deterministic, no IO and no clock reads (`now` is an
 * input). `state` is undefined for a profile that does not exist yet; only an event creates one.
 */
export function stepProfile(state: ProfileState | undefined, message: ActorMessage, now: EpochMs, definitions: SpaceDefinitions = NO_DEFINITIONS): StepResult {
  switch (message.type) {
    case 'profile.track':
      return track(state, message, now, definitions);
    case 'profile.absorb':
      return withDefinitions(absorb(state, message, definitions), definitions, now, () => ({ all: true }));
    case 'profile.unlink':
      return unlink(state, message.linkKey);
    case 'profile.schedule':
      return schedule(state, message.key, message.dueAt);
    case 'profile.backfill':
      return backfill(state, message, now, definitions);
    case 'timer.fired': {
      const definitionId = definitionOfTimerKey(message.key);
      if (definitionId === undefined) return fire(state, message.key, message.dueAt, now);
      return fireDefinition(state, definitionId, message.key, message.dueAt, now, definitions);
    }
    default:
      return assertNever(message);
  }
}

function track(before: ProfileState | undefined, message: TrackMessage, now: EpochMs, definitions: SpaceDefinitions): StepResult {
  const state = applyEvent(before, message);
  // New identifiers are appended: the tail is what this event added (a new profile's are all
  // new, and its answers are all sent as changes anyway).
  const effects: ActorEffect[] =
    before === undefined || state.identifiers === before.identifiers
      ? []
      : [{ type: 'identifiers.added', profileId: state.id, identifiers: state.identifiers.slice(before.identifiers.length).map(({ type, value }) => ({ type, value })) }];
  // The trigger is built only when the space has live definitions: no per-event work otherwise.
  return withDefinitions({ state, effects, changed: true }, definitions, now, () => ({
    event: message.event,
    changedTraits: changedTraitValues(before, state, message.event),
    // Known-ness changes only with the identifiers: most steps add none and scan nothing.
    all: before === undefined ? isKnownProfile(state) : state.identifiers !== before.identifiers && !isKnownProfile(before) && isKnownProfile(state),
  }));
}

/**
 * The traits whose value an event changed. By value: identify calls often resend the same traits
 * with a newer timestamp, and only a changed value can change a definition's answer. Only the
 * event's own trait keys can have changed: a profile's traits include every definition's answer,
 * which this step has not written yet.
 */
function changedTraitValues(before: ProfileState | undefined, state: ProfileState, event: TrackedEvent): ReadonlySet<string> {
  // Most events change no trait: no set to build for them.
  if (before !== undefined && before.traits === state.traits) return NO_TRAITS;
  const changed = new Set<string>();
  const keys = before === undefined || event.traits === undefined ? Object.keys(state.traits) : Object.keys(event.traits);
  for (const key of keys) {
    const previous = before === undefined ? undefined : ownValue(before.traits, key);
    const current = ownValue(state.traits, key);
    if (previous === current) continue;
    if (previous === undefined || current === undefined || !sameValue(previous.value, current.value)) changed.add(key);
  }
  return changed;
}

const NO_TRAITS: ReadonlySet<string> = new Set();

/** Runs the definitions a step woke over its resulting state; their timer effects join the step's. */
function withDefinitions(
  result: StepResult,
  definitions: SpaceDefinitions,
  now: EpochMs,
  trigger: () => ComputeTrigger,
): StepResult {
  if (result.state === undefined || !result.changed) return result;
  const set = result.state.collection === 'accounts' ? definitions.accounts : definitions.users;
  if (set.ordered.length === 0) return result;
  const computed = recomputeDefinitions(result.state, set, trigger(), now);
  const effects = computed.effects.length === 0 ? result.effects : result.effects.length === 0 ? computed.effects : [...result.effects, ...computed.effects];
  return { state: computed.state, effects, changed: true };
}

function applyEvent(existing: ProfileState | undefined, message: TrackMessage): ProfileState {
  const { event } = message;
  const origin = { messageId: event.messageId, sourceId: event.sourceId, receivedAt: event.receivedAt };
  const account = message.account;
  const state = existing ?? emptyProfile(message.profileId, message.spaceId, origin, event.timestamp, account === undefined ? 'users' : 'accounts');
  // context.traits on track/page does not update the profile (Segment): only identify traits do on
  // a user, and group traits on an account.
  const takesTraits = account === undefined ? event.type === 'identify' : event.type === 'group';
  const traits = takesTraits && event.traits !== undefined ? mergeTraits(state.traits, event.traits, event.timestamp, event.sourceId) : state.traits;
  const linkKey = account?.linkedUser ?? (event.type === 'group' ? event.groupId : undefined);
  const links =
    linkKey === undefined || ownValue(state.links, linkKey) !== undefined
      ? state.links
      : { ...state.links, [linkKey]: { sourceId: event.sourceId, createdAt: event.receivedAt, messageId: event.messageId } };
  // Every field spelled out, in the order of `ProfileState` (see its note on shape).
  return {
    id: state.id,
    spaceId: state.spaceId,
    collection: state.collection,
    version: state.version + 1,
    traits,
    identifiers: addIdentifiers(state.identifiers, message.newIdentifiers),
    eventCounts: { ...state.eventCounts, [event.type]: (state.eventCounts[event.type] ?? 0) + 1 },
    firstSeenAt: Math.min(state.firstSeenAt, event.timestamp),
    lastSeenAt: Math.max(state.lastSeenAt, event.timestamp),
    first: state.first,
    last: origin,
    timers: state.timers,
    mergedFrom: state.mergedFrom,
    links,
    compute: state.compute,
  };
}

function backfill(state: ProfileState | undefined, message: Extract<ActorMessage, { type: 'profile.backfill' }>, now: EpochMs, definitions: SpaceDefinitions): StepResult {
  if (state === undefined) return { state, effects: [], changed: false };
  const set = state.collection === 'accounts' ? definitions.accounts : definitions.users;
  const definition = set.byId.get(message.definitionId);
  if (definition === undefined) return { state, effects: [], changed: false };
  if (message.events === undefined) {
    // Evaluated on every profile even with no history to replay: count() shows 0, and an audience
    // such as `count() = 0` finds the profiles no event has touched since its creation.
    return withDefinitions({ state: profileWith(state, { version: state.version + 1 }), effects: [], changed: true }, definitions, now, () => ({ definitionIds: new Set([definition.id]) }));
  }
  const { evaluator } = definition;
  let rebuilt = evaluator.initialState();
  for (const event of message.events) rebuilt = evaluator.observe(rebuilt, event, now);
  const aligned = alignedProfile(state, set);
  const base = aligned.compute.slots;
  const slots = ownSlots(base);
  // Nothing to rebuild on a profile that holds no entry: it keeps none (a missing entry is the initial state).
  if (rebuilt !== evaluator.initialState() || slotState(base, definition.rank) !== undefined) writeState(base, slots, definition.rank, rebuilt);
  // Rebuilt unarmed: the recompute that follows arms it at its next change.
  if (slotDue(base, definition.rank) !== undefined) writeDue(base, slots, definition.rank, undefined);
  const compute = withSlots(aligned.compute, slots);
  const result: StepResult = { state: profileWith(aligned, { version: state.version + 1, compute }), effects: [], changed: true };
  return withDefinitions(result, definitions, now, () => ({ definitionIds: new Set([definition.id]) }));
}

function absorb(state: ProfileState | undefined, message: Extract<ActorMessage, { type: 'profile.absorb' }>, definitions: SpaceDefinitions): StepResult {
  const loser = message.absorbed;
  if (loser === undefined) {
    // The loser never committed a state; the winner still records that it was folded in, so
    // history reads find events stored under the loser's id.
    if (state === undefined) return { state, effects: [], changed: false };
    return { state: profileWith(state, { version: state.version + 1, mergedFrom: [...state.mergedFrom, message.loserId] }), effects: [], changed: true };
  }
  // A winner without a state of its own yet (created in the same request) becomes the loser's
  // state under the winner's id.
  const { compute: _loserCompute, ...loserRecord } = loser;
  const winner = state ?? { ...loserRecord, id: message.profileId, version: 0, timers: {}, mergedFrom: [], eventCounts: {}, traits: {}, identifiers: [] };
  const set = winner.collection === 'accounts' ? definitions.accounts : definitions.users;
  // Answers of definitions deleted since either was aligned stay on as custom traits, and merge as those.
  const alignedWinner = alignedProfile(winner, set);
  const alignedLoser = alignedProfile(loser, set);
  const { state: merged, effects: absorbEffects } = absorbProfile(alignedWinner, alignedLoser);
  const gained = merged.identifiers.slice(winner.identifiers.length).map(({ type, value }) => ({ type, value }));
  const effects: ActorEffect[] = [
    ...absorbEffects,
    ...retireDefinitionTimers(loser.id, loser.compute),
    { type: 'profile.merged', profileId: merged.id, loserId: loser.id, gained },
  ];
  // Definition states merge through their evaluators: the result is as if the winner had seen
  // both histories (the recompute that follows re-evaluates every definition on it).
  const compute = mergeComputeStates(alignedWinner.compute, alignedLoser.compute, set);
  return { state: compute === undefined ? merged : profileWith(merged, { compute }), effects, changed: true };
}

function unlink(state: ProfileState | undefined, linkKey: string): StepResult {
  if (state?.links === undefined || !Object.hasOwn(state.links, linkKey)) return { state, effects: [], changed: false };
  const links = { ...state.links };
  delete links[linkKey];
  return { state: profileWith(state, { version: state.version + 1, links }), effects: [], changed: true };
}

function addIdentifiers(
  current: readonly IdentifierRecord[],
  added: readonly IdentifierRecord[],
): readonly IdentifierRecord[] {
  if (added.length === 0) return current;
  const fresh = added.filter((a) => !current.some((c) => c.type === a.type && c.value === a.value));
  return fresh.length === 0 ? current : [...current, ...fresh];
}

function schedule(state: ProfileState | undefined, key: string, dueAt: EpochMs): StepResult {
  // Only existing profiles keep timers; a schedule for a deleted profile is dropped.
  if (state === undefined) return { state, effects: [], changed: false };
  const previous = ownValue(state.timers, key);
  if (previous === dueAt) return { state, effects: [], changed: false };
  const effects: ActorEffect[] = [];
  if (previous !== undefined) effects.push({ type: 'timer.cleared', profileId: state.id, key, dueAt: previous });
  effects.push({ type: 'timer.set', profileId: state.id, key, dueAt });
  return { state: profileWith(state, { version: state.version + 1, timers: { ...state.timers, [key]: dueAt } }), effects, changed: true };
}

/**
 * A definition's timer: stale unless its slot still holds that due time. The recompute that
 * follows finds the slot's timer spent and re-arms it at the next change, if any.
 */
function fireDefinition(state: ProfileState | undefined, definitionId: string, key: string, dueAt: EpochMs, now: EpochMs, definitions: SpaceDefinitions): StepResult {
  if (state === undefined) return { state, effects: [], changed: false };
  const set = state.collection === 'accounts' ? definitions.accounts : definitions.users;
  const definition = set.byId.get(definitionId);
  const aligned = alignedProfile(state, set);
  const base = aligned.compute.slots;
  if (definition === undefined || slotDue(base, definition.rank) !== dueAt) return { state, effects: [], changed: false };
  const slots = ownSlots(base);
  // Spent: the state stays, unarmed.
  writeDue(base, slots, definition.rank, undefined);
  const fired: StepResult = {
    state: profileWith(aligned, { version: state.version + 1, compute: withSlots(aligned.compute, slots) }),
    effects: [{ type: 'timer.fired', profileId: state.id, key, dueAt, at: now }],
    changed: true,
  };
  return withDefinitions(fired, definitions, now, () => ({ definitionIds: new Set([definitionId]) }));
}

function fire(state: ProfileState | undefined, key: string, dueAt: EpochMs, now: EpochMs): StepResult {
  // A timer whose key was rescheduled or cleared since it was stored is stale: ignore it.
  if (state === undefined || ownValue(state.timers, key) !== dueAt) return { state, effects: [], changed: false };
  const timers = { ...state.timers };
  delete timers[key];
  return {
    state: profileWith(state, { version: state.version + 1, timers }),
    effects: [{ type: 'timer.fired', profileId: state.id, key, dueAt, at: now }],
    changed: true,
  };
}
