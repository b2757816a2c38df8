import type { EpochMs } from '../shared/ids.ts';
import { ownValue } from '../shared/own-value.ts';
import type { ActorEffect } from './actor-message.ts';
import { profileWith, type MessageOrigin, type ProfileState, type TraitEntry } from './profile-state.ts';

/**
 * Folds a merged-away profile into the surviving one. Every part merges the way it would have if
 * the loser's events had been sent to the winner all along: traits by timestamp (latest wins, a
 * tie keeps the winner's), counters add, first/last seen widen, identifiers and timers unite.
 * The loser's timers move to the winner (same keys; where both have one, the earlier due time
 * is kept, since a wake-up that finds nothing to do is harmless and a missed one is not).
 */
export function absorbProfile(winner: ProfileState, loser: ProfileState): { state: ProfileState; effects: ActorEffect[] } {
  const traits: Record<string, TraitEntry> = { ...winner.traits };
  for (const [key, entry] of Object.entries(loser.traits)) {
    const mine = ownValue(traits, key);
    if (mine === undefined || entry.updatedAt > mine.updatedAt) traits[key] = entry;
  }
  const eventCounts: Record<string, number> = { ...winner.eventCounts };
  for (const [type, count] of Object.entries(loser.eventCounts)) eventCounts[type] = (eventCounts[type] ?? 0) + (count ?? 0);

  const known = new Set(winner.identifiers.map((i) => `${i.type}\u0000${i.value}`));
  const identifiers = [...winner.identifiers, ...loser.identifiers.filter((i) => !known.has(`${i.type}\u0000${i.value}`))];

  const effects: ActorEffect[] = [];
  const timers: Record<string, EpochMs> = { ...winner.timers };
  for (const [key, dueAt] of Object.entries(loser.timers)) {
    effects.push({ type: 'timer.cleared', profileId: loser.id, key, dueAt });
    const mine = ownValue(timers, key);
    if (mine !== undefined && mine <= dueAt) continue;
    if (mine !== undefined) effects.push({ type: 'timer.cleared', profileId: winner.id, key, dueAt: mine });
    timers[key] = dueAt;
    effects.push({ type: 'timer.set', profileId: winner.id, key, dueAt });
  }

  const state: ProfileState = profileWith(winner, {
    version: winner.version + 1,
    traits,
    identifiers,
    eventCounts,
    firstSeenAt: Math.min(winner.firstSeenAt, loser.firstSeenAt),
    lastSeenAt: Math.max(winner.lastSeenAt, loser.lastSeenAt),
    first: earlier(winner.first, loser.first),
    last: later(winner.last, loser.last),
    timers,
    mergedFrom: [...winner.mergedFrom, loser.id, ...loser.mergedFrom],
    links: loser.links === undefined ? winner.links : { ...loser.links, ...winner.links },
  });
  return { state, effects };
}

function earlier(a: MessageOrigin, b: MessageOrigin): MessageOrigin {
  return b.receivedAt < a.receivedAt ? b : a;
}

function later(a: MessageOrigin, b: MessageOrigin): MessageOrigin {
  return b.receivedAt > a.receivedAt ? b : a;
}
