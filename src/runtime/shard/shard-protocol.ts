import type { ActorEffect, ActorMessage } from '../../actors/actor-message.ts';
import type { ErrorData } from '../../shared/errors.ts';
import type { ProfileState } from '../../actors/profile-state.ts';
import type { EpochMs, ProfileId } from '../../shared/ids.ts';
import type { DedupKey } from '../../store/engine-store.ts';
import type { IdentityWrites } from '../../store/identity-records.ts';
import type { IndexChunkResult, SweepChunkResult } from './dedup-sweep.ts';

/**
 * What the main thread sends a shard worker: one task carries many messages (batching matters).
 * Every request carries the version of the live definitions it was sent under (see
 * `shard-definitions.ts`); a shard reloads them before handling a request of a newer version.
 */
export type ShardRequest = ShardCommand & { readonly definitionsVersion?: number };

type ShardCommand =
  | {
      readonly type: 'shard.deliver';
      readonly now: EpochMs;
      readonly messages: readonly ActorMessage[];
      /** Identity graph changes for profiles of this shard, committed with the messages. */
      readonly identityWrites?: IdentityWrites;
    }
  | { readonly type: 'shard.tick'; readonly now: EpochMs }
  | {
      /**
       * Hands profiles over for a merge: the shard waits for their pending commits, returns their
       * final states and stops owning them (later messages for them are dropped).
       */
      readonly type: 'shard.release';
      readonly profileIds: readonly ProfileId[];
    }

  | {
      /** Deletes a profile: state, events (its own and its merged-in histories), timers, identifiers. */
      readonly type: 'shard.erase';
      readonly profileId: ProfileId;
      readonly identityWrites: IdentityWrites;
    }
  | {
      /** Removes up to `limit` dedup marks that arrived before `cutoff` (the main thread paces the chunks). */
      readonly type: 'shard.sweep-dedup';
      readonly cutoff: EpochMs;
      readonly limit: number;
    }
  | {
      /** One chunk of the one-time pass that indexes marks written before `dedup-expiry` existed. */
      readonly type: 'shard.index-dedup';
      readonly after: DedupKey | null;
      readonly cutoff: EpochMs;
      readonly limit: number;
    }
  | ({ readonly type: 'shard.backfill' } & BackfillChunk);

/** One slice of a backfill on one shard: the next `limit` profiles of the space after `after`. */
export interface BackfillChunk {
  readonly definitionId: string;
  readonly spaceId: string;
  /** The last profile id the previous chunk scanned; absent on the first chunk. */
  readonly after?: string;
  readonly limit: number;
  /** The backfill's instant: states are rebuilt as of now, not replayed as a story. */
  readonly now: EpochMs;
  /** `backfillEventDataDays`: only events at or after this timestamp are replayed. */
  readonly fromTimestamp?: EpochMs;
  /**
   * `includeHistoricalData`. When false no history is read: each profile keeps what the live path
   * counted since the definition went live, and is evaluated (so every profile has an answer).
   */
  readonly replay: boolean;
}

export interface BackfillChunkResult {
  /** Where the next chunk starts; undefined when the shard has scanned every profile. */
  readonly next: string | undefined;
  /** Profile records looked at (all shards' and spaces'), for progress against the table size. */
  readonly scanned: number;
  /** Profiles of this shard and space rebuilt. */
  readonly profiles: number;
  /** Stored events replayed. */
  readonly events: number;
}

/** The profile and everything it owned are gone (committed); `state` is what was erased. */
export interface EraseResult {
  readonly state: ProfileState | undefined;
}

export interface ReleaseResult {
  readonly states: ReadonlyArray<ProfileState | undefined>;
}

export interface ShardResult {
  readonly effects: readonly ActorEffect[];
  /** The earliest pending timer this shard holds, so the main thread can arm its wake-up. */
  readonly nextTimerAt: EpochMs | null;
}

/** Errors cross the thread boundary as data (house style), with a retry hint. */
export type ShardResponse =
  | { readonly ok: true; readonly result: ShardResult | ReleaseResult | EraseResult | BackfillChunkResult | SweepChunkResult | IndexChunkResult }
  | { readonly ok: false; readonly error: ErrorData & { readonly retryable: boolean } };

/** What the pool passes each shard thread at start. */
export interface ShardWorkerData {
  readonly dataDir: string;
  readonly shardIndex: number;
  readonly shardCount: number;
  readonly cacheSize: number;
}
