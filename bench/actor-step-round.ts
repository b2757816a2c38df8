import type { ProfileState } from '../src/actors/profile-state.ts';
import { stepProfile, type SpaceDefinitions } from '../src/actors/step-profile.ts';
import { compileShardDefinitions } from '../src/runtime/shard/shard-definitions.ts';
import { asProfileId, type ProfileId } from '../src/shared/ids.ts';
import { BENCH_SPACE, BENCH_T0, knownTrack, namedEvents } from './bench-events.ts';
import { BENCH_EVENT_NAMES, benchDefinitions } from './definitions-fixture.ts';

/** The fixture's 50 audiences and 20 computed traits, compiled as a shard compiles them. */
export function liveDefinitions(): SpaceDefinitions {
  return compileShardDefinitions(benchDefinitions(BENCH_SPACE), 1).forSpace(BENCH_SPACE);
}

/**
 * The micro bench's actor-step workload: the pure actor step over 10,000 profiles, 1,000 events
 * a round, with `definitions` live (or none). Each round is a minute of event time; a profile sees
 * an event every ten rounds, over all ten names, so its windows hold a realistic history rather
 * than thousands of events of one name. Returns one round; `bench/ab-step.ts` bundles this file
 * from two trees, so it imports only what both are expected to have.
 */
export function actorStepRound(definitions: SpaceDefinitions | undefined): () => void {
  const events = namedEvents(1000);
  const states = new Map<ProfileId, ProfileState | undefined>();
  let round = 0;
  return () => {
    round += 1;
    const now = BENCH_T0 + round * 60_000;
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      const profileId = asProfileId(`use_${(round * 1000 + i) % 10_000}`);
      // A profile comes back every ten rounds with the next name. (It was `i + round`, which
      // gave each profile one name for good: its lists of that name grew, the others stayed
      // empty, and no funnel ever saw a child.)
      const named = event.type === 'track' ? { ...event, event: BENCH_EVENT_NAMES[(i + Math.floor(round / 10)) % BENCH_EVENT_NAMES.length]! } : event;
      // Dated in the second before the step's instant, as events arrive after they happen (dated
      // after it, every event took the future-dated path: a pending occurrence, a due instant).
      states.set(profileId, stepProfile(states.get(profileId), knownTrack(profileId, { ...named, timestamp: now - events.length + i }), now, definitions).state);
    }
  };
}

/** Entry point of `bench/ab-step.ts`'s bundles: a round of the workload, with the fixture's definitions or none. */
export function makeRound(withDefinitions: boolean): () => void {
  return actorStepRound(withDefinitions ? liveDefinitions() : undefined);
}
