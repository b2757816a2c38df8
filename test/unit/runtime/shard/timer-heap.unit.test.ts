import { describe, expect, it } from 'vitest';
import { shardOf } from '../../../../src/runtime/shard/shard-of.ts';
import { TimerHeap } from '../../../../src/runtime/shard/timer-heap.ts';

describe('TimerHeap', () => {
  it('pops due timers earliest first and keeps the rest', () => {
    const heap = new TimerHeap();
    const dues = [50, 10, 40, 10, 30, 20, 60, 0];
    dues.forEach((dueAt, i) => heap.push({ dueAt, profileId: `p${i}`, key: 'k' }));
    expect(heap.popDue(35).map((t) => t.dueAt)).toEqual([0, 10, 10, 20, 30]);
    expect(heap.peek()?.dueAt).toBe(40);
    expect(heap.size).toBe(3);
    expect(heap.popDue(1000).map((t) => t.dueAt)).toEqual([40, 50, 60]);
  });
});

describe('TimerHeap cancellation', () => {
  it('skips cancelled timers and stays small when most timers are re-armed', () => {
    const heap = new TimerHeap();
    heap.push({ dueAt: 10, profileId: 'a', key: 'k' });
    heap.push({ dueAt: 20, profileId: 'a', key: 'k' });
    heap.cancel({ dueAt: 10, profileId: 'a', key: 'k' });
    expect(heap.peek()).toEqual({ dueAt: 20, profileId: 'a', key: 'k' });
    expect(heap.popDue(100)).toEqual([{ dueAt: 20, profileId: 'a', key: 'k' }]);
    // One profile re-arming its timer 10,000 times keeps one live entry and a bounded heap.
    for (let i = 0; i < 10_000; i++) {
      heap.push({ dueAt: 1000 + i, profileId: 'b', key: 'k' });
      if (i > 0) heap.cancel({ dueAt: 1000 + i - 1, profileId: 'b', key: 'k' });
    }
    expect(heap.size).toBe(1);
    expect((heap as unknown as { items: unknown[] }).items.length).toBeLessThan(2_200);
    expect(heap.popDue(100_000)).toEqual([{ dueAt: 10_999, profileId: 'b', key: 'k' }]);
  });
});

describe('shardOf', () => {
  it('is stable and spreads profiles over the shards', () => {
    expect(shardOf('use_abc', 2)).toBe(shardOf('use_abc', 2));
    const counts = [0, 0];
    for (let i = 0; i < 10_000; i++) counts[shardOf(`use_${i}`, 2)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(4_500);
  });
});
