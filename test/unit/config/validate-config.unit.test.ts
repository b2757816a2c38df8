import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/validate-config.ts';
import { MISSING, configWith, validRawConfig } from './config-fixture.ts';

const TOP_KEYS = 'host, port, dataDir, shards, logLevel, clock, spaces, requestTimeoutMs, maxQueuedEventsPerShard, actorCacheSize, dedupWindowHours, maxCustomIdentifierTypesPerSpace';

describe('validateConfig: top level', () => {
  it('accepts a valid config and returns it deeply frozen', () => {
    const r = validateConfig(validRawConfig());
    if (!r.ok) throw new Error(r.error.message);
    const c = r.value;
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8080, dataDir: './data', shards: 2, logLevel: 'info', clock: 'system' });
    expect(c).toMatchObject({ requestTimeoutMs: 30000, maxQueuedEventsPerShard: 50000, actorCacheSize: 250000, dedupWindowHours: 168, maxCustomIdentifierTypesPerSpace: 50 });
    const space = c.spaces[1];
    if (space === undefined) throw new Error('missing space');
    for (const node of [c, c.spaces, space, space.writeKeys, space.writeKeys[1], space.identity, space.identity.identifiers[0], space.identity.blockedValues, space.identity.blockedValues[1], space.suppressedUserIds]) {
      expect(Object.isFrozen(node)).toBe(true);
    }
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('does not keep references to the raw input', () => {
    const raw = validRawConfig();
    const r = validateConfig(raw);
    if (!r.ok) throw new Error(r.error.message);
    expect(Object.isFrozen(raw)).toBe(false);
    expect(r.value.spaces).not.toBe(raw['spaces']);
  });

  it('resolves "shards": "auto" against the machine it is given, and names "auto" when a string is wrong', () => {
    const shardsOf = (cores: number): number | string => {
      const r = validateConfig(configWith(['shards'], 'auto'), { cores });
      return r.ok ? r.value.shards : r.error.message;
    };
    expect([shardsOf(1), shardsOf(2), shardsOf(16)]).toEqual([1, 2, 16]);
    expect(validateConfig(configWith(['shards'], 'all'))).toEqual({
      ok: false,
      error: { key: 'config.shards', message: 'config.shards must be an integer from 1 to 64 or "auto", got "all"' },
    });
  });

  it('accepts port 0 (a free port, for tests) and the ends of each range', () => {
    for (const [key, value] of [['port', 0], ['port', 65535], ['shards', 1], ['shards', 64]] as const) {
      expect(validateConfig(configWith([key], value)).ok).toBe(true);
    }
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) {
      expect(validateConfig(configWith(['logLevel'], level)).ok).toBe(true);
    }
    expect(validateConfig(configWith(['clock'], 'manual')).ok).toBe(true);
    expect(validateConfig(configWith(['dedupWindowHours'], 24)).ok).toBe(true);
    expect(validateConfig(configWith(['maxCustomIdentifierTypesPerSpace'], 0)).ok).toBe(true);
  });

  it.each([
    ['config is null', null, 'config', 'config must be an object, got null'],
    ['config is an array', [], 'config', 'config must be an object, got an array'],
    ['config is a string', 'x', 'config', 'config must be an object, got a string'],
  ])('%s', (_name, raw, key, message) => {
    expect(validateConfig(raw)).toEqual({ ok: false, error: { key, message } });
  });

  it.each<[string, readonly (string | number)[], unknown, string, string]>([
    ['unknown top-level key', ['colour'], 'blue', 'config.colour', `config.colour is not a known key (known keys at config: ${TOP_KEYS})`],
    ['host missing', ['host'], MISSING, 'config.host', 'config.host must be a non-empty string, got nothing (the key is missing)'],
    ['host empty', ['host'], '', 'config.host', 'config.host must be a non-empty string, got an empty string'],
    ['port too large', ['port'], 65536, 'config.port', 'config.port must be an integer from 0 to 65535, got number 65536'],
    ['port negative', ['port'], -1, 'config.port', 'config.port must be an integer from 0 to 65535, got number -1'],
    ['port fractional', ['port'], 80.5, 'config.port', 'config.port must be an integer from 0 to 65535, got number 80.5'],
    ['port a string', ['port'], '8080', 'config.port', 'config.port must be an integer from 0 to 65535, got a string'],
    ['dataDir not a string', ['dataDir'], 5, 'config.dataDir', 'config.dataDir must be a non-empty string, got number 5'],
    ['shards 0', ['shards'], 0, 'config.shards', 'config.shards must be an integer from 1 to 64, got number 0'],
    ['shards 65', ['shards'], 65, 'config.shards', 'config.shards must be an integer from 1 to 64, got number 65'],
    ['logLevel unknown', ['logLevel'], 'verbose', 'config.logLevel', 'config.logLevel must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"'],
    ['logLevel not a string', ['logLevel'], 3, 'config.logLevel', 'config.logLevel must be one of fatal, error, warn, info, debug, trace, silent, got number 3'],
    ['clock unknown', ['clock'], 'fake', 'config.clock', 'config.clock must be one of system, manual, got "fake"'],
    ['requestTimeoutMs 0', ['requestTimeoutMs'], 0, 'config.requestTimeoutMs', 'config.requestTimeoutMs must be a positive integer, got number 0'],
    ['maxQueuedEventsPerShard fractional', ['maxQueuedEventsPerShard'], 1.5, 'config.maxQueuedEventsPerShard', 'config.maxQueuedEventsPerShard must be a positive integer, got number 1.5'],
    ['actorCacheSize missing', ['actorCacheSize'], MISSING, 'config.actorCacheSize', 'config.actorCacheSize must be a positive integer, got nothing (the key is missing)'],
    ['actorCacheSize null', ['actorCacheSize'], null, 'config.actorCacheSize', 'config.actorCacheSize must be a positive integer, got null'],
    ['dedupWindowHours under 24', ['dedupWindowHours'], 23, 'config.dedupWindowHours', 'config.dedupWindowHours must be at least 24 (hours): a replayed messageId is ignored for at least 24 hours, got number 23'],
    ['dedupWindowHours 0', ['dedupWindowHours'], 0, 'config.dedupWindowHours', 'config.dedupWindowHours must be at least 24 (hours): a replayed messageId is ignored for at least 24 hours, got number 0'],
    ['dedupWindowHours fractional', ['dedupWindowHours'], 24.5, 'config.dedupWindowHours', 'config.dedupWindowHours must be an integer from 24 to 87600, got number 24.5'],
    ['dedupWindowHours missing', ['dedupWindowHours'], MISSING, 'config.dedupWindowHours', 'config.dedupWindowHours must be an integer from 24 to 87600, got nothing (the key is missing)'],
    ['maxCustomIdentifierTypesPerSpace negative', ['maxCustomIdentifierTypesPerSpace'], -1, 'config.maxCustomIdentifierTypesPerSpace', 'config.maxCustomIdentifierTypesPerSpace must be an integer from 0 to 10000, got number -1'],
    ['spaces not an array', ['spaces'], {}, 'config.spaces', 'config.spaces must be an array, got an object'],
    ['spaces empty', ['spaces'], [], 'config.spaces', 'config.spaces must list at least one space'],
  ])('%s', (_name, path, value, key, message) => {
    expect(validateConfig(configWith(path, value))).toEqual({ ok: false, error: { key, message } });
  });
});
