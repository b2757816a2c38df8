import { stepProfile } from '/work/main/src/actors/step-profile.ts';
import { compileShardDefinitions } from '/work/main/src/runtime/shard/shard-definitions.ts';
import { benchDefinitions, BENCH_EVENT_NAMES } from '/work/main/bench/definitions-fixture.ts';
import type { ProfileState } from '/work/main/src/actors/profile-state.ts';
const space = 'default' as never;
const T0 = Date.UTC(2026, 0, 1);
const defs = compileShardDefinitions(benchDefinitions('default'), 1).forSpace('default');
const states = new Map<string, ProfileState | undefined>();
let n = 0;
const start = performance.now();
for (let round = 0; round < 80; round++) {
  const now = T0 + round * 60_000;
  for (let i = 0; i < 1000; i++) {
    const pid = `use_${(round * 1000 + i) % 10000}`; if (round === 10) { (globalThis as any).t0 = performance.now(); (globalThis as any).n0 = n; }
    const event = { type: 'track' as const, messageId: `m${n++}`, sourceId: 's', userId: pid, event: BENCH_EVENT_NAMES[(i + round) % 10], properties: { total: i % 300, currency: 'USD' }, timestamp: now + i, receivedAt: now };
    states.set(pid, stepProfile(states.get(pid), { type: 'profile.track', profileId: pid as never, spaceId: space, event, newIdentifiers: [{ type: 'user_id', value: pid, addedAt: T0, firstMessageId: 'm', sourceId: 's' }] }, now, defs).state);
  }
}
console.log('events/s', (80000 / ((performance.now() - start) / 1000)).toFixed(0), 'steady', ((n - (globalThis as any).n0) / ((performance.now() - (globalThis as any).t0) / 1000)).toFixed(0));
