import { describe, expect, it } from 'vitest';
import {
  changedRanks,
  emptySlots,
  flatSlots,
  groupedChunkLayout,
  heldRanks,
  heldSlots,
  MAX_CHUNK,
  ownSlots,
  pairedLayout,
  slotAt,
  slotsFrom,
  writeSlot,
} from '../../../src/compute/chunked-slots.ts';
import { seededRandom } from '../../support/seeded-random.ts';

describe('chunked slots', () => {
  it('lays ranks out by group, in rank order within a group, groups in order of their first rank', () => {
    const layout = groupedChunkLayout(['a', 'b', 'a', 'c', 'b', 'a']);
    expect(layout.ranks).toEqual([[0, 2, 5], [1, 4], [3]]);
    expect([...layout.chunkOf]).toEqual([0, 1, 0, 2, 1, 0]);
    expect([...layout.indexOf]).toEqual([0, 0, 1, 0, 1, 2]);
  });

  it(`splits a group into chunks of at most ${MAX_CHUNK}`, () => {
    const layout = groupedChunkLayout(Array.from({ length: 2 * MAX_CHUNK + 3 }, (_, rank) => (rank === 1 ? 'other' : 'big')));
    expect(layout.ranks.map((ranks) => ranks.length)).toEqual([MAX_CHUNK, 1, MAX_CHUNK, 2]);
    expect(layout.ranks.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 2 * MAX_CHUNK + 3 }, (_, rank) => rank));
  });

  it('copies on write only the chunk written, leaving the array it came from as it was', () => {
    const layout = groupedChunkLayout(['a', 'b', 'a', 'c']);
    const base = slotsFrom(layout, (rank) => `v${rank}`);
    const own = ownSlots(base);
    writeSlot(base, own, 2, 'new');
    writeSlot(base, own, 0, undefined);
    expect([0, 1, 2, 3].map((rank) => slotAt(own, rank))).toEqual([undefined, 'v1', 'new', 'v3']);
    expect([0, 1, 2, 3].map((rank) => slotAt(base, rank))).toEqual(['v0', 'v1', 'v2', 'v3']);
    // The chunks it did not write are the same arrays.
    expect(own.chunks[1]).toBe(base.chunks[1]);
    expect(own.chunks[2]).toBe(base.chunks[2]);
    expect(own.chunks[0]).not.toBe(base.chunks[0]);
    expect(changedRanks(base, own)).toEqual([0, 2]);
    expect(heldSlots(own)).toEqual([
      [2, 'new'],
      [1, 'v1'],
      [3, 'v3'],
    ]);
    expect(heldRanks(own)).toEqual([2, 1, 3]);
  });

  it('starts a profile from the shared empty chunks without ever writing them', () => {
    const layout = groupedChunkLayout(['a', 'a', 'b']);
    const empty = emptySlots<string>(layout);
    const own = ownSlots(empty);
    writeSlot(empty, own, 1, 'x');
    expect(heldSlots(emptySlots<string>(layout))).toEqual([]);
    expect(heldSlots(own)).toEqual([[1, 'x']]);
  });

  it('pairs two values per rank in the rank\'s own chunk, so writing both copies one chunk', () => {
    const layout = groupedChunkLayout(['a', 'b', 'a']);
    const paired = pairedLayout(layout);
    expect(paired.length).toBe(6);
    expect(paired.ranks).toEqual([
      [0, 2, 3, 5],
      [1, 4],
    ]);
    expect(pairedLayout(layout)).toBe(paired);
    const base = emptySlots<string>(paired);
    const own = ownSlots(base);
    writeSlot(base, own, 2, 'state of 2');
    writeSlot(base, own, 3 + 2, 'due of 2');
    expect(own.chunks.filter((chunk, c) => chunk !== base.chunks[c])).toHaveLength(1);
    expect(heldSlots(own)).toEqual([
      [2, 'state of 2'],
      [5, 'due of 2'],
    ]);
  });

  it('keeps no array of its own for a chunk holding nothing: the layout\'s shared empty chunk, copied on write', () => {
    const layout = groupedChunkLayout(['a', 'b', 'a', 'c']);
    const base = slotsFrom(layout, (rank) => (rank === 1 ? 'only' : undefined));
    expect(base.chunks[0]).toBe(layout.empty[0]);
    expect(base.chunks[2]).toBe(layout.empty[2]);
    expect(base.chunks[1]).toEqual(['only']);
    const own = ownSlots(base);
    writeSlot(base, own, 3, 'c');
    expect(own.chunks[2]).toEqual(['c']);
    expect(layout.empty[2]).toEqual([undefined]);
    expect(heldSlots(own)).toEqual([
      [1, 'only'],
      [3, 'c'],
    ]);
  });

  it('reads a flat array by index, one chunk', () => {
    const flat = flatSlots(['a', undefined, 'c']);
    expect([0, 1, 2].map((rank) => slotAt(flat, rank))).toEqual(['a', undefined, 'c']);
    expect(flat.layout).toBe(flatSlots([1, 2, 3]).layout);
    expect(heldSlots(flatSlots([]))).toEqual([]);
  });

  it('names exactly the ranks written with another value, over random writes', () => {
    const random = seededRandom(11);
    const layout = groupedChunkLayout(Array.from({ length: 70 }, () => `g${Math.floor(random() * 12)}`));
    let base = slotsFrom(layout, (rank) => (random() < 0.3 ? undefined : rank));
    for (let step = 0; step < 500; step++) {
      const own = ownSlots(base);
      const expected = new Set<number>();
      for (let k = Math.floor(random() * 6); k > 0; k--) {
        const rank = Math.floor(random() * 70);
        const value = random() < 0.2 ? undefined : 1_000 + step;
        writeSlot(base, own, rank, value);
        if (value !== slotAt(base, rank)) expected.add(rank);
        else expected.delete(rank);
      }
      expect(new Set(changedRanks(base, own))).toEqual(expected);
      base = own;
    }
  });
});
