import type { ActorEffect, ActorMessage } from '../actors/actor-message.ts';
import type { ErrorData } from '../shared/errors.ts';
import type { EpochMs } from '../shared/ids.ts';

/** What the main thread sends a shard worker: one task carries many messages (batching matters). */
export type ShardRequest =
  | { readonly type: 'shard.deliver'; readonly now: EpochMs; readonly messages: readonly ActorMessage[] }
  | { readonly type: 'shard.tick'; readonly now: EpochMs };

export interface ShardResult {
  /** Messages that changed an actor's state and were committed. */
  readonly applied: number;
  readonly effects: readonly ActorEffect[];
  /** The earliest pending timer this shard holds, so the main thread can arm its wake-up. */
  readonly nextTimerAt: EpochMs | null;
}

/** Errors cross the thread boundary as data (house style), with a retry hint. */
export type ShardResponse =
  | { readonly ok: true; readonly result: ShardResult }
  | { readonly ok: false; readonly error: ErrorData & { readonly retryable: boolean } };

/** What the pool passes each shard thread at start. */
export interface ShardWorkerData {
  readonly dataDir: string;
  readonly shardIndex: number;
  readonly shardCount: number;
  readonly cacheSize: number;
}
