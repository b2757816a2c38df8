import { describe, expect, it } from 'vitest';
import { runPreview } from '../../../src/runtime/audience-preview.ts';
import type { ShardPool } from '../../../src/runtime/shard-pool.ts';
import type { PreviewChunk, PreviewChunkResult } from '../../../src/runtime/shard/shard-protocol.ts';
import { audience, compare, aggregate, lit, stream } from '../../support/ast-builders.ts';

const ast = audience(compare(aggregate(stream('Order Completed'), { kind: 'count' }), { op: 'at_least', operand: lit(1) }));
const request = { ast, target: 'USERS' as const, options: { includeHistoricalData: true, includeAnonymousUsers: false } };

/** A pool of `shards` shards, each with `chunks` chunks of 10 profiles, 2 members and 30 events each. */
function pool(shards: number, chunks: number, seen: PreviewChunk[]): ShardPool {
  const unused = (): never => {
    throw new Error('not used by a preview');
  };
  return {
    count: shards,
    shardOf: () => 0,
    deliver: unused,
    tick: unused,
    release: unused,
    erase: unused,
    backfill: unused,
    syncSweep: unused,
    sweepDedup: unused,
    indexDedup: unused,
    depths: () => [],
    close: () => Promise.resolve(),
    preview(shard, chunk): Promise<PreviewChunkResult> {
      seen.push(chunk);
      const index = chunk.after === undefined ? 0 : Number(chunk.after.split('-')[1]) + 1;
      const sample = [{ id: `use_${shard}_${index}_a`, identifiers: [] }, { id: `use_${shard}_${index}_b`, identifiers: [] }];
      return Promise.resolve({ next: index + 1 < chunks ? `chunk-${index}` : undefined, scanned: 10, profiles: 10, events: 30, members: 2, sample });
    },
  };
}

describe('runPreview', () => {
  it('goes through every chunk of every shard and sums what they found', async () => {
    const seen: PreviewChunk[] = [];
    const outcome = await runPreview(pool(2, 3, seen), 'default', { ...request, limits: { events: 1_000, ms: 10_000 } }, 5_000, () => 0);
    expect(outcome).toMatchObject({ size: 12, evaluatedProfiles: 60, evaluatedEvents: 180, partial: false, at: 5_000 });
    expect(outcome.sample.map((m) => m.id)).toEqual(['use_0_0_a', 'use_0_0_b', 'use_0_1_a', 'use_0_1_b', 'use_0_2_a', 'use_0_2_b', 'use_1_0_a', 'use_1_0_b', 'use_1_1_a', 'use_1_1_b']);
    expect(seen).toHaveLength(6);
    // Each chunk carries what is left of the event budget.
    expect(seen.every((chunk) => chunk.eventBudget >= 1 && chunk.eventBudget <= 1_000)).toBe(true);
  });

  it('stops sending chunks once the time limit is spent, and says so', async () => {
    const seen: PreviewChunk[] = [];
    let elapsed = 0;
    const outcome = await runPreview(pool(1, 10, seen), 'default', { ...request, limits: { events: 1_000_000, ms: 100 } }, 5_000, () => (elapsed += 40));
    expect(outcome).toMatchObject({ partial: true, stoppedBy: 'time' });
    expect(seen.length).toBeLessThan(10);
  });

  it('stops at the event limit', async () => {
    const seen: PreviewChunk[] = [];
    const outcome = await runPreview(pool(1, 10, seen), 'default', { ...request, limits: { events: 50, ms: 10_000 } }, 5_000, () => 0);
    expect(outcome).toMatchObject({ partial: true, stoppedBy: 'events', evaluatedEvents: 60 });
    expect(seen.map((chunk) => chunk.eventBudget)).toEqual([50, 20]);
  });

  it('refuses an instant in the past', async () => {
    await expect(runPreview(pool(1, 1, []), 'default', { ...request, at: 4_999, limits: { events: 10, ms: 10 } }, 5_000, () => 0)).rejects.toMatchObject({ code: 'invalid_body' });
  });
});
