import type { Config, SpaceConfig } from './config.ts';
import {
  type Check,
  fail,
  indexPath,
  keyPath,
  readArray,
  readEnum,
  readInteger,
  readNonEmptyString,
  readObject,
  readPositiveInteger,
  rejectUnknownKeys,
} from './config-checks.ts';
import type { ConfigError } from './config-error.ts';
import { CLOCK_KINDS, KNOWN_KEYS, LOG_LEVELS, MAX_DEDUP_WINDOW_HOURS, MAX_PORT, MAX_SHARDS, MIN_DEDUP_WINDOW_HOURS } from './config-schema.ts';
import { checkUniqueCredentials } from './check-unique-credentials.ts';
import { deepFreeze } from './deep-freeze.ts';
import { validateSpace } from './validate-space.ts';
import { ok, type Result } from '../shared/result.ts';

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

function readShards(value: unknown, key: string): Check<number> {
  if (typeof value === 'string') return fail(key, `must be an integer from 1 to ${MAX_SHARDS} or "auto", got ${JSON.stringify(value.slice(0, 40))}`);
  return readInteger(value, key, 1, MAX_SHARDS);
}

/**
 * Validates a whole configuration (already merged from files and env) and returns it deeply
 * frozen. Pure: no files, no env. The first problem found is returned; its message starts with the
 * dotted path of the offending key.
 *
 * @example
 * const r = validateConfig(JSON.parse(text));
 * if (!r.ok) throw new Error(r.error.message); // "config.shards must be an integer from 1 to 64, got number 0"
 */
export function validateConfig(raw: unknown, machine: Machine = ONE_CORE): Result<Config, ConfigError> {
  const obj = readObject(raw, ROOT);
  if (!obj.ok) return obj;
  const known = rejectUnknownKeys(obj.value, KNOWN_KEYS.config, ROOT);
  if (!known.ok) return known;
  const o = obj.value;
  const at = (key: string): string => keyPath(ROOT, key);

  const host = readNonEmptyString(o['host'], at('host'));
  if (!host.ok) return host;
  // 0 asks the OS for a free port (tests run several engines side by side).
  const port = readInteger(o['port'], at('port'), 0, MAX_PORT);
  if (!port.ok) return port;
  const dataDir = readNonEmptyString(o['dataDir'], at('dataDir'));
  if (!dataDir.ok) return dataDir;
  const shards = o['shards'] === 'auto' ? ok(autoShards(machine.cores)) : readShards(o['shards'], at('shards'));
  if (!shards.ok) return shards;
  const logLevel = readEnum(o['logLevel'], at('logLevel'), LOG_LEVELS);
  if (!logLevel.ok) return logLevel;
  const clock = readEnum(o['clock'], at('clock'), CLOCK_KINDS);
  if (!clock.ok) return clock;
  const requestTimeoutMs = readPositiveInteger(o['requestTimeoutMs'], at('requestTimeoutMs'));
  if (!requestTimeoutMs.ok) return requestTimeoutMs;
  const maxQueued = readPositiveInteger(o['maxQueuedEventsPerShard'], at('maxQueuedEventsPerShard'));
  if (!maxQueued.ok) return maxQueued;
  const actorCacheSize = readPositiveInteger(o['actorCacheSize'], at('actorCacheSize'));
  if (!actorCacheSize.ok) return actorCacheSize;
  const dedupWindowHours = readDedupWindow(o['dedupWindowHours'], at('dedupWindowHours'));
  if (!dedupWindowHours.ok) return dedupWindowHours;
  const maxCustomTypes = readInteger(o['maxCustomIdentifierTypesPerSpace'], at('maxCustomIdentifierTypesPerSpace'), 0, 10_000);
  if (!maxCustomTypes.ok) return maxCustomTypes;
  const spaces = validateSpaces(o['spaces'], at('spaces'));
  if (!spaces.ok) return spaces;

  return ok(
    deepFreeze({
      host: host.value,
      port: port.value,
      dataDir: dataDir.value,
      shards: shards.value,
      logLevel: logLevel.value,
      clock: clock.value,
      spaces: spaces.value,
      requestTimeoutMs: requestTimeoutMs.value,
      maxQueuedEventsPerShard: maxQueued.value,
      actorCacheSize: actorCacheSize.value,
      dedupWindowHours: dedupWindowHours.value,
      maxCustomIdentifierTypesPerSpace: maxCustomTypes.value,
    }),
  );
}

/** Below 24 hours the contract's dedup promise would break: say so, not just "out of range". */
function readDedupWindow(value: unknown, key: string): Check<number> {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value < MIN_DEDUP_WINDOW_HOURS) {
    return fail(key, `must be at least ${MIN_DEDUP_WINDOW_HOURS} (hours): a replayed messageId is ignored for at least 24 hours, got number ${value}`);
  }
  return readInteger(value, key, MIN_DEDUP_WINDOW_HOURS, MAX_DEDUP_WINDOW_HOURS);
}

function validateSpaces(raw: unknown, path: string): Check<readonly SpaceConfig[]> {
  const list = readArray(raw, path);
  if (!list.ok) return list;
  // Every request is authenticated against a space; with none, the engine could accept nothing.
  if (list.value.length === 0) return fail(path, 'must list at least one space');
  const spaces: SpaceConfig[] = [];
  for (const [i, item] of list.value.entries()) {
    const space = validateSpace(item, indexPath(path, i));
    if (!space.ok) return space;
    spaces.push(space.value);
  }
  return checkUniqueCredentials(spaces, path);
}
