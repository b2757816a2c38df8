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
const MEASURED = 2000;

/**
 * The pure actor step on ONE heavy profile: 96 events a day of one name (one every 15 minutes),
 * `days` days of history before the measured events, 8 windowed definitions of every reducer (up
 * to 8,640 occurrences in the 90-day window). Returns events per second over the last 2,000
 * events. Steps are per event, not rescans: the rate at 100 days should match the rate at 30.
 */
export function heavyProfileRate(days: number): number {
  const records = WINDOWED.map(([key, kind, query], i) => definitionRecord({ id: `heavy_${i}`, key, kind, query, spaceId: BENCH_SPACE }));
  const definitions = compileShardDefinitions(records, 1).forSpace(BENCH_SPACE);
  const base = validatedEvents(100).filter((event) => event.type === 'track');
  const profileId = asProfileId('heavy');
  const total = PER_DAY * days + MEASURED;
  let state: ProfileState | undefined;
  let start = process.cpuUsage();
  for (let i = 0; i < total; i++) {
    if (i === total - MEASURED) start = process.cpuUsage();
    const event = base[i % base.length]!;
    const timestamp = BENCH_T0 + i * (86_400_000 / PER_DAY);
    const properties = { ...event.properties, total: i % 300, currency: ['USD', 'EUR', 'GBP'][i % 3]! };
    state = stepProfile(state, knownTrack(profileId, { ...event, messageId: `h${i}`, properties, timestamp }), timestamp + 1000, definitions).state;
  }
  const used = process.cpuUsage(start);
  return MEASURED / ((used.user + used.system) / 1e6);
}
