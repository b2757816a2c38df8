import { describe, expect, it } from 'vitest';
import { readEnvOverrides } from '../../../src/config/env-overrides.ts';

describe('readEnvOverrides', () => {
  it('maps each TROUPE_* variable to its config key, numbers parsed', () => {
    const r = readEnvOverrides({
      TROUPE_HOST: '0.0.0.0',
      TROUPE_PORT: '0',
      TROUPE_DATA_DIR: '/tmp/d',
      TROUPE_SHARDS: '4',
      TROUPE_LOG_LEVEL: 'debug',
      TROUPE_CLOCK: 'manual',
      PATH: '/usr/bin',
      TROUPE_CONFIG: '/x.json',
    });
    expect(r).toEqual({
      ok: true,
      value: {
        values: { host: '0.0.0.0', port: 0, dataDir: '/tmp/d', shards: 4, logLevel: 'debug', clock: 'manual' },
        setBy: { host: 'TROUPE_HOST', port: 'TROUPE_PORT', dataDir: 'TROUPE_DATA_DIR', shards: 'TROUPE_SHARDS', logLevel: 'TROUPE_LOG_LEVEL', clock: 'TROUPE_CLOCK' },
      },
    });
  });

  it('ignores unset and empty variables', () => {
    expect(readEnvOverrides({ TROUPE_PORT: '', TROUPE_HOST: undefined })).toEqual({ ok: true, value: { values: {}, setBy: {} } });
  });

  it.each([
    ['TROUPE_PORT', '80a'],
    ['TROUPE_PORT', ' 80'],
    ['TROUPE_PORT', '8e1'],
    ['TROUPE_PORT', '0x50'],
    ['TROUPE_PORT', '80.0'],
    ['TROUPE_PORT', '-1'],
    ['TROUPE_PORT', '99999999999999999999'],
  ])('%s=%s is an error naming the variable', (name, value) => {
    expect(readEnvOverrides({ [name]: value })).toEqual({
      ok: false,
      error: { key: name, message: `${name} must be a non-negative integer, got ${JSON.stringify(value)}` },
    });
  });

  it('takes TROUPE_SHARDS=auto as it is (resolved against the cores at validation)', () => {
    expect(readEnvOverrides({ TROUPE_SHARDS: 'auto' })).toEqual({ ok: true, value: { values: { shards: 'auto' }, setBy: { shards: 'TROUPE_SHARDS' } } });
  });

  it.each(['two', 'Auto', ' auto'])('TROUPE_SHARDS=%s is an error that names "auto" as allowed', (value) => {
    expect(readEnvOverrides({ TROUPE_SHARDS: value })).toEqual({
      ok: false,
      error: { key: 'TROUPE_SHARDS', message: `TROUPE_SHARDS must be a non-negative integer or "auto", got ${JSON.stringify(value)}` },
    });
  });
});
