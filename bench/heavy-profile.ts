import type { ActorMessage } from '../src/actors/actor-message.ts';
import type { ProfileState } from '../src/actors/profile-state.ts';
import { stepProfile } from '../src/actors/step-profile.ts';
import { compileShardDefinitions } from '../src/runtime/shard/shard-definitions.ts';
import { asProfileId } from '../src/shared/ids.ts';
import { definitionRecord } from '../test/support/definition-record.ts';
import { BENCH_SPACE, BENCH_T0, knownTrack, validatedEvents } from './bench-events.ts';

/** Windows of every reducer over one event name, as a heavy user's profile meets them. */
const WINDOWED: ReadonlyArray<readonly [string, 'audience' | 'computed_trait', string]> = [
  ['sum_30d', 'computed_trait', "event('Order Completed').within(30 days).sum(property('total'))"],
  ['avg_7d', 'computed_trait', "event('Order Completed').within(7 days).avg(property('total'))"],
  ['mode_30d', 'computed_trait', "event('Order Completed').within(30 days).mode(property('currency'), 2)"],
  ['max_90d', 'computed_trait', "event('Order Completed').within(90 days).max(property('currency') as string)"],
  ['last_14d', 'computed_trait', "event('Order Completed').within(14 days).last(property('total'))"],
  ['count_30d', 'computed_trait', "event('Order Completed').within(30 days).count()"],
  ['lapsed', 'audience', "event('Order Completed').between(1 days, 30 days).count() >= 1"],
  ['twice_7d', 'audience', "event('Order Completed').within(7 days).count() >= 2"],
];

const PER_DAY = 96;
const MEASURED = 1000;
const REPEATS = 7;

/**
 * The pure actor step on ONE heavy profile: 96 events a day of one name (one every 15 minutes),
 * each of `days` days of history before the measured events, 8 windowed definitions of every
 * reducer (up to 8,640 occurrences in the 90-day window). Returns, per history length, events per
 * second over the next 1,000 events: the median of 7 runs from the same state (states are
 * immutable, so each run starts where the history ends), the lengths' runs interleaved so the
 * compiler and the collector treat them alike (run after the 70-definition step, one run alone
 * swung 3x). Steps are per event, not rescans: the rate at 100 days should match the rate at 30.
 */
export function heavyProfileRates(days: readonly number[]): number[] {
  const records = WINDOWED.map(([key, kind, query], i) => definitionRecord({ id: `heavy_${i}`, key, kind, query, spaceId: BENCH_SPACE }));
  const definitions = compileShardDefinitions(records, 1).forSpace(BENCH_SPACE);
  const base = validatedEvents(100).filter((event) => event.type === 'track');
  const profileId = asProfileId('heavy');
  const messageAt = (i: number): ActorMessage => {
    const event = base[i % base.length]!;
    const timestamp = BENCH_T0 + i * (86_400_000 / PER_DAY);
    const properties = { ...event.properties, total: i % 300, currency: ['USD', 'EUR', 'GBP'][i % 3]! };
    return knownTrack(profileId, { ...event, messageId: `h${i}`, properties, timestamp });
  };
  const stepFrom = (state: ProfileState | undefined, from: number, to: number): ProfileState | undefined => {
    let next = state;
    for (let i = from; i < to; i++) {
      const message = messageAt(i);
      next = stepProfile(next, message, message.type === 'profile.track' ? message.event.timestamp + 1000 : 0, definitions).state;
    }
    return next;
  };
  const histories = days.map((d) => ({ events: PER_DAY * d, state: stepFrom(undefined, 0, PER_DAY * d), rates: [] as number[] }));
  for (let run = 0; run < REPEATS; run++) {
    for (const history of histories) {
      const start = process.cpuUsage();
      stepFrom(history.state, history.events, history.events + MEASURED);
      const used = process.cpuUsage(start);
      history.rates.push(MEASURED / ((used.user + used.system) / 1e6));
    }
  }
  return histories.map(({ rates }) => rates.sort((a, b) => a - b)[Math.floor(REPEATS / 2)]!);
}
