/**
 * A configuration problem as data. `key` is the dotted path of the offending value
 * (`config.spaces[0].writeKeys[1].sourceId`), an environment variable (`TROUPE_PORT`) or a file
 * path; `message` always names it too, so it can be logged on its own.
 */
export interface ConfigError {
  readonly key: string;
  readonly message: string;
}

/** Stable code (house style: SCREAMING_SNAKE with a prefix) so callers can match on shape, not class. */
export const CONFIG_ERROR_CODE = 'TROUPE_ERR_CONFIG';

/** Thrown by `loadConfig`: start-up stops with this message, which names the key to fix. */
export class ConfigLoadError extends Error {
  readonly code = CONFIG_ERROR_CODE;
  readonly key: string;

  constructor(error: ConfigError, options?: { cause?: unknown }) {
    super(error.message, options);
    this.name = 'ConfigLoadError';
    this.key = error.key;
  }
}
