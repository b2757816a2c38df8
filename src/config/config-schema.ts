import type {
  Config,
  IdentifierFrequency,
  IdentifierRuleConfig,
  IdentityConfig,
  LogLevel,
  ClockKind,
  SourceConfig,
  SpaceConfig,
} from './config.ts';

/**
 * The keys each level of the config file may hold, in the order messages list them; anything else
 * stops start-up naming it (`config-zod.ts` builds its objects with these lists). The `satisfies`
 * clauses and the `Covers` checks below make a new field in `config.ts` fail to compile until it
 * is listed here, and `validateConfig` builds each `Config` field from the schema's output.
 */
export const KNOWN_KEYS = {
  config: [
    'host',
    'port',
    'dataDir',
    'shards',
    'logLevel',
    'clock',
    'spaces',
    'requestTimeoutMs',
    'maxQueuedEventsPerShard',
    'actorCacheSize',
    'dedupWindowHours',
    'maxCustomIdentifierTypesPerSpace',
  ] as const satisfies readonly (keyof Config)[],
  space: [
    'id',
    'writeKeys',
    'accessTokens',
    'adminTokens',
    'notifyTransientFailures',
    'identity',
    'suppressedUserIds',
  ] as const satisfies readonly (keyof SpaceConfig)[],
  writeKey: ['key', 'sourceId', 'name'] as const satisfies readonly (keyof SourceConfig)[],
  identity: ['identifiers', 'blockedValues', 'replaceDefaultBlockedValues'] as const satisfies readonly (keyof IdentityConfig)[],
  identifierRule: ['type', 'limit', 'frequency', 'priority'] as const satisfies readonly (keyof IdentifierRuleConfig)[],
  blockedValue: ['regex'] as const,
};

type Covers<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : false;
type AssertAll<T extends readonly true[]> = T;
export type KnownKeysAreComplete = AssertAll<
  [
    Covers<keyof Config, (typeof KNOWN_KEYS.config)[number]>,
    Covers<keyof SpaceConfig, (typeof KNOWN_KEYS.space)[number]>,
    Covers<keyof SourceConfig, (typeof KNOWN_KEYS.writeKey)[number]>,
    Covers<keyof IdentityConfig, (typeof KNOWN_KEYS.identity)[number]>,
    Covers<keyof IdentifierRuleConfig, (typeof KNOWN_KEYS.identifierRule)[number]>,
  ]
>;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const satisfies readonly LogLevel[];
export const CLOCK_KINDS = ['system', 'manual'] as const satisfies readonly ClockKind[];
export const IDENTIFIER_FREQUENCIES = ['weekly', 'monthly', 'annually', 'ever'] as const satisfies readonly IdentifierFrequency[];

export const SPACE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_SHARDS = 64;
export const MAX_PORT = 65_535;
/** Contract: a replay of an accepted messageId is ignored for at least 24 hours. */
export const MIN_DEDUP_WINDOW_HOURS = 24;
/** Ten years: far beyond any use, and keeps the window in milliseconds a safe integer. */
export const MAX_DEDUP_WINDOW_HOURS = 87_600;

/**
 * The defaults of optional space keys, in one place (house style habit 1). Top-level keys have no
 * defaults here: `config/default.json` holds them and `loadConfig` always merges over it, so a
 * second copy here could only drift.
 */
export const SPACE_DEFAULTS = {
  notifyTransientFailures: true,
  suppressedUserIds: [],
  identity: { identifiers: [], blockedValues: [], replaceDefaultBlockedValues: false },
} as const satisfies Pick<SpaceConfig, 'notifyTransientFailures' | 'suppressedUserIds' | 'identity'>;
