import type { Config, SpaceConfig } from './config.ts';
import { type Check } from './config-checks.ts';
import type { ConfigError } from './config-error.ts';
import { MAX_SHARDS, SPACE_DEFAULTS } from './config-schema.ts';
import { configSchema, formatConfigIssue } from './config-zod.ts';
import { checkUniqueCredentials } from './check-unique-credentials.ts';
import { deepFreeze } from './deep-freeze.ts';
import { asSpaceId } from '../shared/ids.ts';
import { err, ok, type Result } from '../shared/result.ts';

const ROOT = 'config';

/** What `"auto"` values are resolved against; the loader passes the real machine's. */
export interface Machine {
  readonly cores: number;
}

const ONE_CORE: Machine = { cores: 1 };

/**
 * `"shards": "auto"`: one shard per core (at most 64). Measured on this project's 2-core machine
 * (ARCHITECTURE.md, "The hot path"): one shard, leaving the main thread a core, spent 12–25% less
 * CPU per event, but two sustained ~10% more events/s, a freshness p50 of 30–70 ms against ~120,
 * and backfilled twice as fast while ingesting; a user feels those, so a core per shard it is.
 */
export function autoShards(cores: number): number {
  return Math.min(MAX_SHARDS, Math.max(1, cores));
}

/**
 * Validates a whole configuration (already merged from files and env) against `configSchema`
 * (`config-zod.ts`) and returns it deeply frozen, defaults filled in. Pure: no files, no env. The
 * first problem found is returned; its message starts with the dotted path of the offending key.
 *
 * @example
 * const r = validateConfig(JSON.parse(text));
 * if (!r.ok) throw new Error(r.error.message); // "config.shards must be an integer from 1 to 64, got number 0"
 */
export function validateConfig(raw: unknown, machine: Machine = ONE_CORE): Result<Config, ConfigError> {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) return err(formatConfigIssue(parsed.error.issues, ROOT));
  const { spaces: rawSpaces, shards, ...rest } = parsed.data;
  const spaces = rawSpaces.map(
    (space): SpaceConfig => ({
      id: asSpaceId(space.id),
      writeKeys: space.writeKeys,
      accessTokens: space.accessTokens,
      adminTokens: space.adminTokens,
      notifyTransientFailures: space.notifyTransientFailures ?? SPACE_DEFAULTS.notifyTransientFailures,
      identity: space.identity ?? SPACE_DEFAULTS.identity,
      suppressedUserIds: space.suppressedUserIds ?? SPACE_DEFAULTS.suppressedUserIds,
    }),
  );
  const unique: Check<readonly SpaceConfig[]> = checkUniqueCredentials(spaces, `${ROOT}.spaces`);
  if (!unique.ok) return unique;
  return ok(
    deepFreeze({
      host: rest.host,
      port: rest.port,
      dataDir: rest.dataDir,
      shards: shards === 'auto' ? autoShards(machine.cores) : shards,
      logLevel: rest.logLevel,
      clock: rest.clock,
      spaces: unique.value,
      requestTimeoutMs: rest.requestTimeoutMs,
      maxQueuedEventsPerShard: rest.maxQueuedEventsPerShard,
      actorCacheSize: rest.actorCacheSize,
      dedupWindowHours: rest.dedupWindowHours,
      maxCustomIdentifierTypesPerSpace: rest.maxCustomIdentifierTypesPerSpace,
    }),
  );
}
