import type { EpochMs } from '../../shared/ids.ts';
import type { EngineStore } from '../../store/engine-store.ts';
import type { AuditEntry, AuditKey, SyncKey, SyncRecord } from '../../store/sync-records.ts';
import { newestFirst, type NewestFirstPage } from '../newest-first.ts';

/** Recent messages kept per definition (`GET …/syncs`); older ones are pruned as new ones come. */
export const SYNCS_KEPT = 1_000;
/** Failed attempts kept per space (`GET …/audit`). */
export const AUDIT_KEPT = 10_000;

export interface SyncLog {
  /**
   * Records a message's status under its definition. The first call for a message gives it its
   * place (returned); later calls with that key update it: one entry per message.
   */
  recordSync(definitionId: string, record: SyncRecord, key?: SyncKey): SyncKey;
  recordFailure(spaceId: string, entry: AuditEntry): void;
  syncs(definitionId: string, limit: number): SyncRecord[];
  audit(spaceId: string, limit: number, from?: AuditKey): NewestFirstPage<AuditKey, AuditEntry>;
}

/**
 * The syncs and audit trail in LMDB, written by the sync actor (main thread) through its write
 * batcher. Writes are not awaited: they are a record of deliveries, not part of them.
 * Both stay bounded: past their cap (plus a tenth, to prune in batches) the oldest go.
 */
export function createSyncLog(store: EngineStore, write: (operation: () => unknown) => void): SyncLog {
  // Keys stay unique and ordered when many writes share a millisecond, and a later run's keys
  // sort after an earlier run's (as in the insights log).
  let seq = Date.now() * 1000;
  const syncCounts = new Map<string, number>();
  const auditCounts = new Map<string, number>();

  function countOf(counts: Map<string, number>, prefix: string, db: EngineStore['syncs'] | EngineStore['audit']): number {
    let count = counts.get(prefix);
    if (count === undefined) {
      count = db.getKeysCount({ start: [prefix], end: [`${prefix}\u0000`] });
      counts.set(prefix, count);
    }
    return count;
  }

  function prune(counts: Map<string, number>, prefix: string, db: EngineStore['syncs'] | EngineStore['audit'], kept: number): void {
    const count = countOf(counts, prefix, db);
    if (count <= kept + Math.ceil(kept / 10)) return;
    let removed = 0;
    for (const key of db.getKeys({ start: [prefix], end: [`${prefix}\u0000`], limit: count - kept })) {
      write(() => db.remove(key));
      removed += 1;
    }
    counts.set(prefix, count - removed);
  }

  return {
    recordSync(definitionId, record, key) {
      const at: EpochMs = record.at;
      const placed: SyncKey = key ?? [definitionId, at, seq++];
      write(() => store.syncs.put(placed, record));
      if (key === undefined) {
        syncCounts.set(definitionId, countOf(syncCounts, definitionId, store.syncs) + 1);
        prune(syncCounts, definitionId, store.syncs, SYNCS_KEPT);
      }
      return placed;
    },
    recordFailure(spaceId, entry) {
      const key: AuditKey = [spaceId, entry.at, seq++];
      write(() => store.audit.put(key, entry));
      auditCounts.set(spaceId, countOf(auditCounts, spaceId, store.audit) + 1);
      prune(auditCounts, spaceId, store.audit, AUDIT_KEPT);
    },
    syncs(definitionId, limit) {
      const records: SyncRecord[] = [];
      for (const { value } of store.syncs.getRange({ start: [definitionId, Number.MAX_SAFE_INTEGER], end: [definitionId, -1], reverse: true, limit })) records.push(value);
      return records;
    },
    audit: (spaceId, limit, from) => newestFirst(store.audit, spaceId, limit, from),
  };
}
