import type { SpaceId } from '../shared/ids.ts';
import type { EngineStore, GraphUpdateKey } from '../store/engine-store.ts';
import type { GraphUpdateRecord } from '../store/graph-update-record.ts';
import { newestFirst, type NewestFirstPage } from './newest-first.ts';

/** The read side of the merge log (rows are written by the shards, with what they describe). */
export interface MergeLog {
  /** Newest first, starting at `from` (inclusive) when given. */
  list(spaceId: SpaceId, limit: number, from?: GraphUpdateKey): NewestFirstPage<GraphUpdateKey, GraphUpdateRecord>;
}

export function createMergeLog(store: Pick<EngineStore, 'graphUpdates'>): MergeLog {
  return { list: (spaceId, limit, from) => newestFirst(store.graphUpdates, spaceId, limit, from) };
}
