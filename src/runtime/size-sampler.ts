import type { Clock } from '../shared/clock.ts';
import type { EngineStore } from '../store/engine-store.ts';

/** Samples kept per audience (a day of minutes when the size moves every minute). */
export const MAX_SIZE_SAMPLES = 1_440;
/** How often the system clock's engine samples. */
export const SIZE_SAMPLE_INTERVAL_MS = 60_000;

export interface SizeSample {
  readonly at: number;
  readonly size: number;
}

export interface SizeSampler {
  /** Records each live audience's size now, where it moved since its last sample. */
  sample(): Promise<void>;
  /** The newest `limit` samples of an audience, oldest first. */
  samples(audienceId: string, limit: number): SizeSample[];
  start(): void;
  /** Stops sampling; resolves once a sample in progress is written. */
  stop(): Promise<void>;
}

/**
 * Audience sizes over time, for the console's chart: the engine keeps them (the console keeps
 * nothing). A sample is written only when the size moved since the audience's last one, so a
 * quiet audience costs nothing and its chart holds each value until the next sample; at most
 * `MAX_SIZE_SAMPLES` are kept per audience, the oldest dropped. Main samples every minute on
 * the system clock, and after each move of the manual clock.
 */
export function createSizeSampler(deps: { store: Pick<EngineStore, 'sizeSamples'>; clock: Clock; audiences: () => ReadonlyArray<{ readonly id: string; readonly size: number }> }): SizeSampler {
  const { store, clock } = deps;
  let interval: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const rangeOf = (audienceId: string) => ({ start: [audienceId, 0] as [string, number], end: [audienceId, Number.POSITIVE_INFINITY] as [string, number] });

  async function sampleNow(): Promise<void> {
    const now = clock.now();
    const writes: Array<Promise<unknown>> = [];
    for (const { id, size } of deps.audiences()) {
      const [last] = [...store.sizeSamples.getRange({ start: [id, Number.POSITIVE_INFINITY], end: [id, 0], reverse: true, limit: 1 })];
      if (last !== undefined && last.value === size) continue;
      writes.push(store.sizeSamples.put([id, now], size));
      const count = store.sizeSamples.getKeysCount(rangeOf(id)) + (last?.key[1] === now ? 0 : 1);
      if (count > MAX_SIZE_SAMPLES) {
        for (const key of store.sizeSamples.getKeys({ ...rangeOf(id), limit: count - MAX_SIZE_SAMPLES })) writes.push(store.sizeSamples.remove(key));
      }
    }
    await Promise.all(writes);
  }

  return {
    sample() {
      // One at a time: two overlapping samples would both see the same "last" and write twice.
      running = running.then(sampleNow, sampleNow);
      return running;
    },
    samples(audienceId, limit) {
      const newest = [...store.sizeSamples.getRange({ start: [audienceId, Number.POSITIVE_INFINITY], end: [audienceId, 0], reverse: true, limit })];
      return newest.map(({ key, value }) => ({ at: key[1], size: value })).reverse();
    },
    start() {
      if (interval !== undefined || clock.kind !== 'system') return;
      interval = setInterval(() => void this.sample(), SIZE_SAMPLE_INTERVAL_MS);
      interval.unref();
    },
    stop() {
      if (interval !== undefined) clearInterval(interval);
      interval = undefined;
      return running;
    },
  };
}
