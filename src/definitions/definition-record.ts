import type { DefinitionAst, DefinitionKind, DefinitionTarget } from './ast.ts';

/** Segment's compute statuses (segment-reference §2.5), as the management API shows them. */
export type DefinitionStatus = 'Preparing' | 'Computing' | 'Live' | 'Failed' | 'Disabled';

export interface DefinitionOptions {
  /** Replay stored history when the definition is created or re-defined (default true). */
  readonly includeHistoricalData: boolean;
  /** How far back a backfill replays, in days; all stored history when absent. */
  readonly backfillEventDataDays?: number;
  /** Off (the default): only profiles with a user_id, email or mobile ad id qualify. */
  readonly includeAnonymousUsers: boolean;
}

/** Where a definition's lifecycle stands (the persisted part of its lifecycle machine). */
export interface DefinitionLifecycle {
  readonly status: DefinitionStatus;
  /** While `Computing`: the backfill's progress, 0..1. */
  readonly progress?: number;
  /** While `Failed`: why. */
  readonly reason?: string;
}

/**
 * An audience or computed trait as stored in LMDB (`definitions`, by id). Deleting keeps the
 * record as a tombstone (`deletedAt`) so its key is never reused, across restarts too.
 */
export interface DefinitionRecord {
  readonly id: string;
  readonly spaceId: string;
  readonly kind: DefinitionKind;
  readonly key: string;
  readonly name: string;
  readonly description?: string;
  /** The definition text as the user wrote it. */
  readonly query: string;
  readonly target: DefinitionTarget;
  readonly ast: DefinitionAst;
  /** Bumps when `query` changes: per-profile states of an older revision start afresh. */
  readonly revision: number;
  readonly enabled: boolean;
  readonly options: DefinitionOptions;
  readonly lifecycle: DefinitionLifecycle;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly deletedAt?: number;
}

/** A definition profiles evaluate: not deleted, enabled, and not failed. */
export function isEvaluated(record: DefinitionRecord): boolean {
  return record.deletedAt === undefined && record.enabled && record.lifecycle.status !== 'Failed';
}
