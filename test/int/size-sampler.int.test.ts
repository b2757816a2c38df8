import { afterEach, describe, expect, it } from 'vitest';
import { createSizeSampler, MAX_SIZE_SAMPLES } from '../../src/runtime/size-sampler.ts';
import { createManualClock } from '../../src/shared/clock.ts';
import { openEngineStore, type EngineStore } from '../../src/store/engine-store.ts';
import { makeTempDir } from '../support/temp-dir.ts';

describe('size sampler (real LMDB, manual clock)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  function open(): EngineStore {
    const dir = makeTempDir('size-sampler');
    const store = openEngineStore(dir.path);
    cleanups.push(async () => {
      await store.close();
      dir.remove();
    });
    return store;
  }

  it('writes a sample only when a size moved, and reads the newest ones oldest first', async () => {
    const store = open();
    const clock = createManualClock(1_000);
    const sizes = new Map([
      ['aud_a', 3],
      ['aud_b', 0],
    ]);
    const sampler = createSizeSampler({ store, clock, audiences: () => [...sizes].map(([id, size]) => ({ id, size })) });
    await sampler.sample();
    clock.set(2_000);
    await sampler.sample(); // nothing moved: nothing written
    sizes.set('aud_a', 5);
    clock.set(3_000);
    await sampler.sample();
    expect(sampler.samples('aud_a', 10)).toEqual([
      { at: 1_000, size: 3 },
      { at: 3_000, size: 5 },
    ]);
    expect(sampler.samples('aud_b', 10)).toEqual([{ at: 1_000, size: 0 }]);
    expect(sampler.samples('aud_a', 1)).toEqual([{ at: 3_000, size: 5 }]);
    expect(sampler.samples('aud_none', 10)).toEqual([]);
  });

  it(`keeps at most ${MAX_SIZE_SAMPLES} samples per audience, dropping the oldest`, async () => {
    const store = open();
    const clock = createManualClock(0);
    let size = 0;
    const sampler = createSizeSampler({ store, clock, audiences: () => [{ id: 'aud_busy', size }] });
    for (let i = 1; i <= MAX_SIZE_SAMPLES + 5; i++) {
      size = i;
      clock.set(i * 60_000);
      await sampler.sample();
    }
    const kept = sampler.samples('aud_busy', MAX_SIZE_SAMPLES + 100);
    expect(kept).toHaveLength(MAX_SIZE_SAMPLES);
    expect(kept[0]).toEqual({ at: 6 * 60_000, size: 6 });
    expect(kept[kept.length - 1]).toEqual({ at: (MAX_SIZE_SAMPLES + 5) * 60_000, size: MAX_SIZE_SAMPLES + 5 });
  });
});
