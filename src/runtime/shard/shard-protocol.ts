import type { ActorEffect, ActorMessage } from '../../actors/actor-message.ts';
import type { ErrorData } from '../../shared/errors.ts';
import type { ProfileCollection, ProfileState } from '../../actors/profile-state.ts';
import type { DefinitionAst } from '../../definitions/ast.ts';
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
  | ({ readonly type: 'shard.backfill' } & BackfillChunk)
  | ({ readonly type: 'shard.sync-sweep' } & SyncSweepChunk)
  | ({ readonly type: 'shard.preview' } & PreviewChunk)
  | {
      /**
       * The last request a worker gets: it closes its LMDB environment, so the termination that
       * follows cannot land inside a native LMDB call (a worker terminated there, still opening
       * its store at start, aborted the whole process: node-addon-api's `napi_throw` is fatal
       * in an environment that is shutting down).
       */
      readonly type: 'shard.close';
    };

/** What a worker answers once its store is closed. */
export interface ClosedResult {
  readonly closed: true;
}

/**
 * One slice of an audience preview on one shard: the next `limit` profiles of the space after
 * `after`, each answered from its stored history. Read only: nothing is stepped or written.
 */
export interface PreviewChunk {
  /** The preview's id: its chunks on a shard share one compiled evaluator. */
  readonly preview: string;
  readonly spaceId: string;
  /** Users for a USERS audience, accounts for an ACCOUNTS one. */
  readonly collection: ProfileCollection;
  /** The checked query (structured-cloned; the shard compiles it). */
  readonly ast: DefinitionAst;
  readonly includeAnonymousUsers: boolean;
  /** `includeHistoricalData`: replay the stored history, as creating the audience would. */
  readonly replay: boolean;
  /** `backfillEventDataDays`: only events at or after this timestamp. */
  readonly fromTimestamp?: EpochMs;
  readonly after?: string;
  readonly limit: number;
  readonly now: EpochMs;
  /** The instant asked about (at or after `now`). */
  readonly at: EpochMs;
  /** At most this many members are named in the answer. */
  readonly sampleSize: number;
  /** The chunk stops after the profile that brings its replayed events to this many. */
  readonly eventBudget: number;
}

/** A member named in a preview's sample: its profile id and identifiers. */
export interface PreviewMember {
  readonly id: string;
  readonly identifiers: ReadonlyArray<{ readonly type: string; readonly value: string }>;
}

export interface PreviewChunkResult {
  /** The last profile id scanned; undefined once the shard has scanned every profile. */
  readonly next: string | undefined;
  readonly scanned: number;
  /** Profiles of this shard, space and collection answered. */
  readonly profiles: number;
  readonly events: number;
  readonly members: number;
  readonly sample: readonly PreviewMember[];
}

/** One slice of a first connection's sweep on one shard: the next `limit` profiles of the space after `after`. */
export interface SyncSweepChunk {
  readonly definitionId: string;
  readonly destinationId: string;
  /** The connection being swept; a sweep of an older connection of the pair stops. */
  readonly connectionId: string;
  readonly spaceId: string;
  readonly after?: string;
  readonly limit: number;
  readonly now: EpochMs;
}

export interface SyncSweepResult extends Outboxed {
  readonly next: string | undefined;
  readonly scanned: number;
  readonly profiles: number;
}

/**
 * Destinations that got outbox entries committed since the shard's previous answer: the main
 * thread wakes their sync lanes. Every answer that can follow a commit carries it.
 */
export interface Outboxed {
  readonly outboxed: readonly string[];
}

/** One slice of a backfill on one shard: the next `limit` profiles of the space after `after`. */
export interface BackfillChunk {
  readonly definitionId: string;
  readonly spaceId: string;
  /**
   * The backfill run's id (one per run, never reused). A chunk goes on where the shard's previous
   * chunk of the run stopped (the shard keeps the place), so a run can keep several chunks in
   * flight: each waits its turn behind the live deliveries queued before it, not one after another.
   */
  readonly run: string;
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

export interface BackfillChunkResult extends Outboxed {
  /** The last profile id this chunk scanned; undefined when the shard has scanned every profile. */
  readonly next: string | undefined;
  /** Profile records looked at (all shards' and spaces'), for progress against the table size. */
  readonly scanned: number;
  /** Profiles of this shard and space rebuilt. */
  readonly profiles: number;
  /** Stored events replayed. */
  readonly events: number;
}

/** The profile and everything it owned are gone (committed); `state` is what was erased. */
export interface EraseResult extends Outboxed {
  readonly state: ProfileState | undefined;
}

export interface ReleaseResult {
  readonly states: ReadonlyArray<ProfileState | undefined>;
}

export interface ShardResult extends Outboxed {
  readonly effects: readonly ActorEffect[];
  /** The earliest pending timer this shard holds, so the main thread can arm its wake-up. */
  readonly nextTimerAt: EpochMs | null;
}

/** Errors cross the thread boundary as data (house style), with a retry hint. */
export type ShardResponse =
  | { readonly ok: true; readonly result: ShardResult | ReleaseResult | EraseResult | BackfillChunkResult | SweepChunkResult | IndexChunkResult | SyncSweepResult | PreviewChunkResult | ClosedResult }
  | { readonly ok: false; readonly error: ErrorData & { readonly retryable: boolean } };

/** What the pool passes each shard thread at start. */
export interface ShardWorkerData {
  readonly dataDir: string;
  readonly shardIndex: number;
  readonly shardCount: number;
  readonly cacheSize: number;
}
