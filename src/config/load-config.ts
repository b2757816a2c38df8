import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.ts';
import { type ConfigError, ConfigLoadError } from './config-error.ts';
import { type Env, type EnvOverrides, readEnvOverrides } from './env-overrides.ts';
import { mergeConfig } from './merge-config.ts';
import { validateConfig } from './validate-config.ts';
import { ensureError } from '../shared/errors.ts';

// Re-exported so main finds everything it needs for start-up in one module.
export { isLoopbackHost, usesDevelopmentKeys } from './development-keys.ts';
export { ConfigLoadError } from './config-error.ts';

/** `config/default.json` of this checkout, wherever the process was started from. */
export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('../../config/default.json', import.meta.url));

export interface LoadConfigOptions {
  readonly env?: Env;
  readonly defaultsPath?: string;
  /** The cores `"auto"` values are resolved against (default: this machine's). */
  readonly cores?: number;
}

interface Layer {
  readonly path: string;
  readonly raw: Readonly<Record<string, unknown>>;
}

/**
 * The only place that reads config files and `process.env`. Layers, later winning:
 * `config/default.json` < the JSON file named by `TROUPE_CONFIG` < `TROUPE_*` variables; then
 * validates. Throws `ConfigLoadError` naming the key (or file) to fix; start-up should stop.
 *
 * @example
 * const config = loadConfig(); // process.env, config/default.json
 * const forTest = loadConfig({ env: { TROUPE_PORT: '0', TROUPE_DATA_DIR: dir } });
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const layers: Layer[] = [readJsonObject(options.defaultsPath ?? DEFAULT_CONFIG_PATH, 'config defaults file')];
  const configFile = env['TROUPE_CONFIG'];
  if (configFile !== undefined && configFile !== '') {
    layers.push(readJsonObject(resolve(configFile), 'TROUPE_CONFIG file'));
  }
  const overrides = readEnvOverrides(env);
  if (!overrides.ok) throw new ConfigLoadError(overrides.error);

  const merged = [...layers.map((layer) => layer.raw), overrides.value.values].reduce<unknown>(mergeConfig, {});
  const result = validateConfig(merged, { cores: options.cores ?? availableParallelism() });
  if (!result.ok) throw new ConfigLoadError(attribute(result.error, layers, overrides.value));
  return result.value;
}

function readJsonObject(path: string, label: string): Layer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigLoadError({ key: path, message: `${label} ${path} cannot be read: ${ensureError(e).message}` }, { cause: e });
  }
  let raw: unknown;
  try {
    // Editors on Windows may save a byte-order mark, which JSON.parse refuses.
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new ConfigLoadError({ key: path, message: `${label} ${path} is not valid JSON: ${ensureError(e).message}` }, { cause: e });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigLoadError({ key: path, message: `${label} ${path} must contain a JSON object` });
  }
  return { path, raw: raw as Record<string, unknown> };
}

/**
 * Says where a bad value came from. Top-level keys are scalars or `spaces` (which a later layer
 * replaces whole), so the top-level key alone tells which layer supplied the value. An env
 * variable is then the key to fix, so it becomes the error's key.
 */
function attribute(error: ConfigError, layers: readonly Layer[], overrides: EnvOverrides): ConfigError {
  const top = /^config\.([^.[]+)/.exec(error.key)?.[1];
  if (top === undefined) return error;
  // hasOwn, not a plain lookup: `top` comes from the file and may be "__proto__".
  const variable = Object.hasOwn(overrides.setBy, top) ? overrides.setBy[top] : undefined;
  if (variable !== undefined) return { key: variable, message: `${error.message} (set by ${variable})` };
  const layer = [...layers].reverse().find((l) => Object.hasOwn(l.raw, top));
  return layer === undefined ? error : { key: error.key, message: `${error.message} (in ${layer.path})` };
}
