import { stepProfile } from '../src/actors/step-profile.ts';
import type { ActorMessage } from '../src/actors/actor-message.ts';
import type { ProfileState } from '../src/actors/profile-state.ts';
import { emptySlots, ownSlots, slotAt, writeSlot, type ChunkedSlots } from '../src/compute/chunked-slots.ts';
import type { DefinitionSet } from '../src/compute/definition-set.ts';
import type { TrackedEvent } from '../src/ingest/tracked-event.ts';
import { asProfileId, asSpaceId, type ProfileId } from '../src/shared/ids.ts';
import { BENCH_EVENT_NAMES } from './definitions-fixture.ts';
import { processCpuUs } from './load/cpu-cost.ts';

/**
 * The floor under issue 6's step target (the actor step with 70 definitions live at least 1/3 of
 * the step with none), on the micro bench's workload: 10,000 profiles, events cycling through the
 * fixture's ten event names, one in five an identify. The target leaves the definitions twice the
 * step with none. These rows measure what is left of that budget once the step is pure (it
 * returns a new state and leaves its input as it was, as `stepProfile` does): the least
 * bookkeeping such a step needs for the definitions an event wakes, with no evaluation at all.
 */
const PROFILES = 10_000;
const space = asSpaceId('default');

export interface StepFloor {
  /** The pure actor step with no definitions (the ratio's denominator), µs of CPU per event. */
  readonly noneStepUs: number;
  /**
   * Per event, for each definition it wakes: one new object holding the definition's new state
   * (the least a changed state can be), the profile's definition slots copied once, and a new
   * container for them. Nothing evaluated.
   */
  readonly pureBookkeepingUs: number;
  /**
   * The same, in the engine's layout (`chunked-slots.ts`): the definitions' slots in chunks of at
   * most 16 grouped by the event that feeds them, so a step copies the short outer array and the
   * chunks it writes, not a slot per definition. The tighter of the two pure floors.
   */
  readonly chunkedBookkeepingUs: number;
  /** The same visits writing into the profile's slots in place (what a non-pure step could do). */
  readonly inPlaceBookkeepingUs: number;
  /** Definitions an event wakes, on average over the workload (identify calls wake none here). */
  readonly wokenPerEvent: number;
}

interface MutableSlot {
  id: string;
  revision: number;
  last: number;
  previous: number;
}

type Slot = Readonly<MutableSlot>;

interface Slots {
  readonly layout: number;
  readonly slots: readonly Slot[];
}

export function stepFloor(events: readonly TrackedEvent[], set: DefinitionSet): StepFloor {
  const named = events.map((event, i) => (event.type === 'track' ? ({ ...event, event: BENCH_EVENT_NAMES[i % BENCH_EVENT_NAMES.length]! } as TrackedEvent) : event));
  return {
    noneStepUs: noneStepUs(named),
    ...bookkeepingUs(named, set),
  };
}

function noneStepUs(events: readonly TrackedEvent[]): number {
  const states = new Map<ProfileId, ProfileState | undefined>();
  const ids = Array.from({ length: PROFILES }, (_, i) => asProfileId(`use_${i}`));
  let round = 0;
  const pass = (): void => {
    round += 1;
    const now = Date.UTC(2026, 0, 1) + round * 60_000;
    for (let i = 0; i < events.length; i++) {
      const profileId = ids[(round * events.length + i) % PROFILES]!;
      const message: ActorMessage = {
        type: 'profile.track',
        profileId,
        spaceId: space,
        // In the second before the step's instant, as the micro bench's actor stage dates them.
        event: { ...events[i]!, timestamp: now - events.length + i },
        newIdentifiers: [{ type: 'user_id', value: profileId, addedAt: now, firstMessageId: 'm', sourceId: 'src' }],
      };
      states.set(profileId, stepProfile(states.get(profileId), message, now).state);
    }
  };
  return timePerEvent(events.length, pass);
}

function bookkeepingUs(events: readonly TrackedEvent[], set: DefinitionSet): Omit<StepFloor, 'noneStepUs'> {
  const woken = events.map((event) => (event.type === 'track' ? (set.byEvent.get(event.event ?? '') ?? []).map((definition) => definition.rank) : []));
  const wokenPerEvent = woken.reduce((sum, ranks) => sum + ranks.length, 0) / woken.length;
  const fresh = (): Slots[] =>
    Array.from({ length: PROFILES }, () => ({ layout: 1, slots: set.ordered.map((definition) => ({ id: definition.id, revision: definition.revision, last: 0, previous: 0 })) }));

  let pure = fresh();
  let at = 0;
  const purePass = (): void => {
    for (let i = 0; i < events.length; i++, at++) {
      const ranks = woken[i]!;
      if (ranks.length === 0) continue;
      const profile = at % PROFILES;
      const slots = pure[profile]!.slots.slice();
      for (const rank of ranks) {
        const entry = slots[rank]!;
        slots[rank] = { id: entry.id, revision: entry.revision, last: at, previous: entry.last };
      }
      pure[profile] = { layout: 1, slots };
    }
  };
  const pureBookkeepingUs = timePerEvent(events.length, purePass);
  pure = [];

  // The engine's own chunked arrays (`chunked-slots.ts`), written as a step writes them.
  let chunked: Array<ChunkedSlots<Slot>> = Array.from({ length: PROFILES }, () => emptySlots<Slot>(set.chunks));
  const chunkedPass = (): void => {
    for (let i = 0; i < events.length; i++, at++) {
      const ranks = woken[i]!;
      if (ranks.length === 0) continue;
      const profile = at % PROFILES;
      const base = chunked[profile]!;
      const own = ownSlots(base);
      for (const rank of ranks) writeSlot(base, own, rank, { id: set.ids[rank]!, revision: set.revisions[rank]!, last: at, previous: slotAt(base, rank)?.last ?? 0 });
      chunked[profile] = own;
    }
  };
  const chunkedBookkeepingUs = timePerEvent(events.length, chunkedPass);
  chunked = [];

  const inPlace: MutableSlot[][] = fresh().map(({ slots }) => slots.map((slot) => ({ ...slot })));
  const inPlacePass = (): void => {
    for (let i = 0; i < events.length; i++, at++) {
      const ranks = woken[i]!;
      const slots = inPlace[at % PROFILES]!;
      for (const rank of ranks) {
        const entry = slots[rank]!;
        entry.previous = entry.last;
        entry.last = at;
      }
    }
  };
  const inPlaceBookkeepingUs = timePerEvent(events.length, inPlacePass);
  return { pureBookkeepingUs, chunkedBookkeepingUs, inPlaceBookkeepingUs, wokenPerEvent };
}

/** CPU per event of `pass` (every thread, GC included), after passes enough to warm it and to fill the heap. */
function timePerEvent(eventsPerPass: number, pass: () => void): number {
  for (let warm = 0; warm < 30; warm++) pass();
  const passes = 60;
  const before = processCpuUs();
  for (let p = 0; p < passes; p++) pass();
  return (processCpuUs() - before) / (passes * eventsPerPass);
}
