import type { SpaceId } from '../shared/ids.ts';

/** A write key is a source, as in Segment. A bare string key gets a derived, stable source id. */
export interface SourceConfig {
  readonly key: string;
  readonly sourceId: string;
  readonly name: string;
}

export type IdentifierFrequency = 'weekly' | 'monthly' | 'annually' | 'ever';

/** One identifier type's rule as written in config (contract "Details fixed": `identity`). */
export interface IdentifierRuleConfig {
  readonly type: string;
  readonly limit: number;
  readonly frequency?: IdentifierFrequency;
  readonly priority: number;
}

export type BlockedValueConfig = string | { readonly regex: string };

/** A space's `identity` section, validated but not yet merged with Segment's defaults. */
export interface IdentityConfig {
  readonly identifiers: readonly IdentifierRuleConfig[];
  readonly blockedValues: readonly BlockedValueConfig[];
  readonly replaceDefaultBlockedValues: boolean;
}

export interface SpaceConfig {
  readonly id: SpaceId;
  readonly writeKeys: readonly SourceConfig[];
  readonly accessTokens: readonly string[];
  readonly adminTokens: readonly string[];
  readonly notifyTransientFailures: boolean;
  readonly identity: IdentityConfig;
  readonly suppressedUserIds: readonly string[];
}

export type ClockKind = 'system' | 'manual';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The frozen configuration every module receives. Only `src/config/` reads files and env. */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly shards: number;
  readonly logLevel: LogLevel;
  readonly clock: ClockKind;
  readonly spaces: readonly SpaceConfig[];
  /** Replaces Node's 300 s default: a request whose body has not arrived by then is dropped. */
  readonly requestTimeoutMs: number;
  /** Backpressure: events queued or in flight per shard before ingestion answers 429. */
  readonly maxQueuedEventsPerShard: number;
  /** Hot actors kept in memory per shard; colder ones are reloaded from LMDB on demand. */
  readonly actorCacheSize: number;
  /**
   * How long a messageId stays deduplicated (its mark is kept), in hours. The contract promises
   * at least 24; older marks are swept in the background so they do not grow without bound.
   */
  readonly dedupWindowHours: number;
  /** Custom identifier types a space may learn from `context.externalIds`; beyond it they are ignored. */
  readonly maxCustomIdentifierTypesPerSpace: number;
}
