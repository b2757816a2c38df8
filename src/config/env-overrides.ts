import { type Check, fail } from './config-checks.ts';
import { ok } from '../shared/result.ts';

type EnvKind = 'string' | 'integer' | 'integerOrAuto';

/** The environment variables that override the files, and the config key each one sets. */
export const ENV_OVERRIDES = {
  TROUPE_HOST: { key: 'host', kind: 'string' },
  TROUPE_PORT: { key: 'port', kind: 'integer' },
  TROUPE_DATA_DIR: { key: 'dataDir', kind: 'string' },
  TROUPE_SHARDS: { key: 'shards', kind: 'integerOrAuto' },
  TROUPE_LOG_LEVEL: { key: 'logLevel', kind: 'string' },
  TROUPE_CLOCK: { key: 'clock', kind: 'string' },
} as const satisfies Record<string, { key: string; kind: EnvKind }>;

export type EnvOverrideName = keyof typeof ENV_OVERRIDES;
export type Env = Readonly<Record<string, string | undefined>>;

export interface EnvOverrides {
  /** Config keys to set, already parsed (numbers as numbers). Validation happens after the merge. */
  readonly values: Readonly<Record<string, string | number>>;
  /** Which variable set each config key, so a later validation error can name the variable. */
  readonly setBy: Readonly<Record<string, EnvOverrideName>>;
}

// Digits only: Number('80a') is NaN but Number(' 8e1 ') is 80, and parseInt('80a') is 80.
const STRICT_INTEGER = /^[0-9]+$/;

/**
 * Reads the override variables from `env`. An unset or empty variable is ignored (so
 * `TROUPE_PORT= npm start` behaves as unset, as shells and compose files expect).
 */
export function readEnvOverrides(env: Env): Check<EnvOverrides> {
  const values: Record<string, string | number> = {};
  const setBy: Record<string, EnvOverrideName> = {};
  for (const name of Object.keys(ENV_OVERRIDES) as EnvOverrideName[]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const { key, kind } = ENV_OVERRIDES[name];
    if (kind === 'integerOrAuto' && raw === 'auto') {
      values[key] = raw;
    } else if (kind === 'integer' || kind === 'integerOrAuto') {
      const n = Number(raw);
      if (!STRICT_INTEGER.test(raw) || !Number.isSafeInteger(n)) {
        return fail(name, `must be a non-negative integer${kind === 'integerOrAuto' ? ' or "auto"' : ''}, got ${JSON.stringify(raw.slice(0, 40))}`);
      }
      values[key] = n;
    } else {
      values[key] = raw;
    }
    setBy[key] = name;
  }
  return ok({ values, setBy });
}
