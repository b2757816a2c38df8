import { afterEach, describe, expect, it } from 'vitest';
import type { ProfileState } from '../../src/actors/profile-state.ts';
import { stepProfile } from '../../src/actors/step-profile.ts';
import { asProfileId, asSpaceId } from '../../src/shared/ids.ts';
import { openEngineStore } from '../../src/store/engine-store.ts';
import { trackedEvent } from '../support/events.ts';
import { makeTempDir } from '../support/temp-dir.ts';

const pid = asProfileId('use_roundtrip');
const space = asSpaceId('default');
const T0 = Date.UTC(2026, 0, 1);

describe('LMDB store (real LMDB, real msgpackr)', () => {
  const dirs: Array<{ remove: () => void }> = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

  it('round-trips an actor state and an event across a reopen, and the actor resumes from it', async () => {
    const dir = makeTempDir('store');
    dirs.push(dir);
    const event = trackedEvent({
      type: 'identify',
      messageId: 'm1',
      userId: 'u1',
      traits: { name: 'Jane', nested: { list: [1, 'two', null, { deep: true }] }, emoji: '🎉' },
      context: { ip: '127.0.0.1' },
      timestamp: T0,
    });
    const first = stepProfile(undefined, { type: 'profile.track', profileId: pid, spaceId: space, event, newIdentifiers: [] }, T0).state!;
    const scheduled = stepProfile(first, { type: 'profile.schedule', profileId: pid, spaceId: space, key: 'k', dueAt: T0 + 5 }, T0).state!;
    {
      const store = openEngineStore(dir.path);
      await store.root.transaction(() => {
        store.profiles.put(pid, scheduled);
        store.events.put([pid, event.timestamp, event.messageId], event);
      });
      await store.close();
    }
    const store = openEngineStore(dir.path);
    const loaded = store.profiles.get(pid) as ProfileState;
    expect(loaded).toEqual(scheduled);
    expect([...store.events.getRange({ start: [pid], end: [pid, Infinity] })]).toEqual([{ key: [pid, T0, 'm1'], value: event }]);
    const resumed = stepProfile(loaded, { type: 'timer.fired', profileId: pid, spaceId: space, key: 'k', dueAt: T0 + 5 }, T0 + 5);
    expect(resumed.state?.timers).toEqual({});
    expect(resumed.state?.version).toBe(scheduled.version + 1);
    await store.close();
  });
});
