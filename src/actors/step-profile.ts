import type { IdentifierRecord } from '../identity/identifier.ts';
import { assertNever } from '../shared/assert-never.ts';
import type { EpochMs } from '../shared/ids.ts';
import type { ActorEffect, ActorMessage } from './actor-message.ts';
import { absorbProfile } from './absorb-profile.ts';
import { mergeTraits } from './merge-traits.ts';
import { emptyProfile, type ProfileState } from './profile-state.ts';

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
export function stepProfile(state: ProfileState | undefined, message: ActorMessage, now: EpochMs): StepResult {
  switch (message.type) {
    case 'profile.track':
      return { state: applyEvent(state, message), effects: [], changed: true };
    case 'profile.absorb':
      return absorb(state, message);
    case 'profile.unlink':
      return unlink(state, message.linkKey);
    case 'profile.schedule':
      return schedule(state, message.key, message.dueAt);
    case 'timer.fired':
      return fire(state, message.key, message.dueAt, now);
    default:
      return assertNever(message);
  }
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
  return {
    ...state,
    ...(linkKey === undefined || state.links?.[linkKey] !== undefined
      ? {}
      : { links: { ...state.links, [linkKey]: { sourceId: event.sourceId, createdAt: event.receivedAt, messageId: event.messageId } } }),
    version: state.version + 1,
    traits,
    identifiers: addIdentifiers(state.identifiers, message.newIdentifiers),
    eventCounts: { ...state.eventCounts, [event.type]: (state.eventCounts[event.type] ?? 0) + 1 },
    firstSeenAt: Math.min(state.firstSeenAt, event.timestamp),
    lastSeenAt: Math.max(state.lastSeenAt, event.timestamp),
    last: origin,
  };
}

function absorb(state: ProfileState | undefined, message: Extract<ActorMessage, { type: 'profile.absorb' }>): StepResult {
  const loser = message.absorbed;
  if (loser === undefined) {
    // The loser never committed a state; the winner still records that it was folded in, so
    // history reads find events stored under the loser's id.
    if (state === undefined) return { state, effects: [], changed: false };
    return { state: { ...state, version: state.version + 1, mergedFrom: [...state.mergedFrom, message.loserId] }, effects: [], changed: true };
  }
  // A winner without a state of its own yet (created in the same request) becomes the loser's
  // state under the winner's id.
  const winner = state ?? { ...loser, id: message.profileId, version: 0, timers: {}, mergedFrom: [], eventCounts: {}, traits: {}, identifiers: [] };
  const { state: merged, effects } = absorbProfile(winner, loser);
  return { state: merged, effects, changed: true };
}

function unlink(state: ProfileState | undefined, linkKey: string): StepResult {
  if (state?.links === undefined || !Object.hasOwn(state.links, linkKey)) return { state, effects: [], changed: false };
  const links = { ...state.links };
  delete links[linkKey];
  return { state: { ...state, version: state.version + 1, links }, effects: [], changed: true };
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
  const previous = state.timers[key];
  if (previous === dueAt) return { state, effects: [], changed: false };
  const effects: ActorEffect[] = [];
  if (previous !== undefined) effects.push({ type: 'timer.cleared', profileId: state.id, key, dueAt: previous });
  effects.push({ type: 'timer.set', profileId: state.id, key, dueAt });
  return { state: { ...state, version: state.version + 1, timers: { ...state.timers, [key]: dueAt } }, effects, changed: true };
}

function fire(state: ProfileState | undefined, key: string, dueAt: EpochMs, now: EpochMs): StepResult {
  // A timer whose key was rescheduled or cleared since it was stored is stale: ignore it.
  if (state === undefined || state.timers[key] !== dueAt) return { state, effects: [], changed: false };
  const timers = { ...state.timers };
  delete timers[key];
  return {
    state: { ...state, version: state.version + 1, timers },
    effects: [{ type: 'timer.fired', profileId: state.id, key, dueAt, at: now }],
    changed: true,
  };
}
