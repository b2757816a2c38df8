/**
 * Per-profile arrays by definition rank (states, answers), kept in chunks so that a step copies
 * only the chunks it writes and a short outer array, not an array as long as the definition set.
 *
 * Why: each profile's arrays live until its next event, thousands of events later, so every copy
 * a step makes survives the young generation and is copied again into the old one. With seventy
 * definitions the two flat arrays a step copied were most of the bytes it left behind, and
 * stepping without those copies measured ~20 % cheaper. A definition set groups its ranks by the
 * event that feeds them (`groupedChunkLayout`), so an event's definitions share a chunk or two.
 */

/** Where each rank lives: `chunks[chunkOf[rank]][indexOf[rank]]`. Shared by every array of one set. */
export interface ChunkLayout {
  /** How many ranks. */
  readonly length: number;
  readonly chunkOf: Uint16Array;
  readonly indexOf: Uint16Array;
  /** The ranks of each chunk, in chunk order. */
  readonly ranks: ReadonlyArray<readonly number[]>;
  /** Every chunk empty: the chunks of a profile that holds nothing yet (never written: writes copy). */
  readonly empty: ReadonlyArray<ReadonlyArray<undefined>>;
}

export interface ChunkedSlots<T> {
  readonly layout: ChunkLayout;
  readonly chunks: ReadonlyArray<ReadonlyArray<T | undefined>>;
}

/** The most ranks one chunk holds: a group larger than this is split, so one write copies at most this many. */
export const MAX_CHUNK = 16;

/** Ranks laid out by group: each group's ranks in rank order, in chunks of at most `MAX_CHUNK`, groups in order of first rank. */
export function groupedChunkLayout(groupOfRank: readonly string[]): ChunkLayout {
  const chunkOfGroup = new Map<string, number>();
  const ranks: number[][] = [];
  groupOfRank.forEach((group, rank) => {
    let chunk = chunkOfGroup.get(group);
    if (chunk === undefined || ranks[chunk]!.length === MAX_CHUNK) {
      chunk = ranks.length;
      ranks.push([]);
      chunkOfGroup.set(group, chunk);
    }
    ranks[chunk]!.push(rank);
  });
  return layoutOf(groupOfRank.length, ranks);
}

const flatLayouts = new Map<number, ChunkLayout>();

/** One chunk of `length` ranks: how arrays loaded from storage, in no set's layout, are kept. */
export function flatLayout(length: number): ChunkLayout {
  let layout = flatLayouts.get(length);
  if (layout === undefined) {
    layout = layoutOf(length, length === 0 ? [] : [Array.from({ length }, (_, rank) => rank)]);
    // Loaded arrays are as long as a profile's stored rows: few distinct lengths.
    if (flatLayouts.size < 1_000) flatLayouts.set(length, layout);
  }
  return layout;
}

function layoutOf(length: number, ranks: readonly number[][]): ChunkLayout {
  const chunkOf = new Uint16Array(length);
  const indexOf = new Uint16Array(length);
  ranks.forEach((members, chunk) =>
    members.forEach((rank, index) => {
      chunkOf[rank] = chunk;
      indexOf[rank] = index;
    }),
  );
  return { length, chunkOf, indexOf, ranks, empty: ranks.map((members) => new Array<undefined>(members.length)) };
}

const pairedLayouts = new WeakMap<ChunkLayout, ChunkLayout>();

/**
 * Two values per rank in the chunks of `layout`: rank `r`'s first at `r`, its second at
 * `layout.length + r`, both in `r`'s chunk, so a step that writes both copies that chunk once.
 */
export function pairedLayout(layout: ChunkLayout): ChunkLayout {
  let paired = pairedLayouts.get(layout);
  if (paired === undefined) {
    const { length } = layout;
    paired = layoutOf(
      2 * length,
      layout.ranks.map((ranks) => [...ranks, ...ranks.map((rank) => length + rank)]),
    );
    pairedLayouts.set(layout, paired);
  }
  return paired;
}

/** An array holding nothing, in `layout`. */
export function emptySlots<T>(layout: ChunkLayout): ChunkedSlots<T> {
  return { layout, chunks: layout.empty };
}

/** The values of a flat array (rank = index), in one chunk. */
export function flatSlots<T>(values: ReadonlyArray<T | undefined>): ChunkedSlots<T> {
  return values.length === 0 ? emptySlots(flatLayout(0)) : { layout: flatLayout(values.length), chunks: [values] };
}

export function slotAt<T>(slots: ChunkedSlots<T>, rank: number): T | undefined {
  const { chunkOf, indexOf } = slots.layout;
  return slots.chunks[chunkOf[rank]!]![indexOf[rank]!];
}

/**
 * A step's own copy of `base`, to write with `writeSlot`: only the outer array is copied here,
 * each chunk on its first write. The copy must not be written once the step hands it on.
 */
export function ownSlots<T>(base: ChunkedSlots<T>): ChunkedSlots<T> {
  return { layout: base.layout, chunks: base.chunks.slice() };
}

/** Writes `value` at `rank` of `own` (from `ownSlots(base)`), copying its chunk if it is still `base`'s. */
export function writeSlot<T>(base: ChunkedSlots<T>, own: ChunkedSlots<T>, rank: number, value: T | undefined): void {
  const { chunkOf, indexOf } = base.layout;
  const c = chunkOf[rank]!;
  const chunks = own.chunks as Array<ReadonlyArray<T | undefined>>;
  let chunk = chunks[c]!;
  if (chunk === base.chunks[c]) {
    chunk = chunk.slice();
    chunks[c] = chunk;
  }
  (chunk as Array<T | undefined>)[indexOf[rank]!] = value;
}

/**
 * The array with the values by rank that `valueAt` gives: fresh chunks for those holding a value,
 * the layout's shared empty chunk for the others (never written: writes copy). A profile aligned
 * with a new set (every profile after a change of definitions, every profile loaded from LMDB)
 * so keeps arrays only for the definitions it holds something of, not one per chunk of the set.
 */
export function slotsFrom<T>(layout: ChunkLayout, valueAt: (rank: number) => T | undefined): ChunkedSlots<T> {
  return {
    layout,
    chunks: layout.ranks.map((members, c) => {
      const chunk = members.map(valueAt);
      return chunk.some((value) => value !== undefined) ? chunk : layout.empty[c]!;
    }),
  };
}

/** The ranks holding a value, in chunk order (no pair per value, as `heldSlots` makes). */
export function heldRanks<T>(slots: ChunkedSlots<T>): number[] {
  const out: number[] = [];
  const { chunks, layout } = slots;
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c]!;
    const ranks = layout.ranks[c]!;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] !== undefined) out.push(ranks[i]!);
  }
  return out;
}

/** Every value held, with its rank, in chunk order. */
export function heldSlots<T>(slots: ChunkedSlots<T>): Array<[rank: number, value: T]> {
  const out: Array<[number, T]> = [];
  const { chunks, layout } = slots;
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c]!;
    const ranks = layout.ranks[c]!;
    for (let i = 0; i < chunk.length; i++) {
      const value = chunk[i];
      if (value !== undefined) out.push([ranks[i]!, value]);
    }
  }
  return out;
}

/**
 * The ranks whose value is not the same object in `after` as in `before`, two arrays of one
 * layout: chunks they share are skipped whole, so a step's few writes cost a few comparisons.
 */
export function changedRanks<T>(before: ChunkedSlots<T>, after: ChunkedSlots<T>): number[] {
  const out: number[] = [];
  const { ranks } = after.layout;
  for (let c = 0; c < after.chunks.length; c++) {
    const next = after.chunks[c]!;
    const previous = before.chunks[c]!;
    if (next === previous) continue;
    for (let i = 0; i < next.length; i++) if (next[i] !== previous[i]) out.push(ranks[c]![i]!);
  }
  return out;
}
