import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigLoadError, DEFAULT_CONFIG_PATH, isLoopbackHost, loadConfig, usesDevelopmentKeys } from '../../../src/config/load-config.ts';
import { deriveSourceId } from '../../../src/config/source-id.ts';

// Real files, but a handful of tiny ones in one temp dir: the loader's job is reading them.
const dir = mkdtempSync(join(tmpdir(), 'troupe-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function file(content: unknown): string {
  const path = join(dir, `config-${fileCount++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const PROD_SPACE = { id: 'prod', writeKeys: ['wk-prod'], accessTokens: ['at-prod'], adminTokens: ['ad-prod'] };

function loadError(run: () => unknown): ConfigLoadError {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigLoadError) return e;
    throw e;
  }
  throw new Error('expected a ConfigLoadError');
}

describe('loadConfig: config/default.json', () => {
  it('gives the documented defaults', () => {
    const c = loadConfig({ env: {}, cores: 2 });
    expect(c).toEqual({
      host: '127.0.0.1',
      port: 8080,
      dataDir: './data',
      shards: 2,
      logLevel: 'info',
      clock: 'system',
      requestTimeoutMs: 30000,
      maxQueuedEventsPerShard: 50000,
      actorCacheSize: 50000,
      dedupWindowHours: 168,
      maxCustomIdentifierTypesPerSpace: 50,
      spaces: [
        {
          id: 'default',
          writeKeys: [{ key: 'dev-write-key', sourceId: deriveSourceId('dev-write-key'), name: deriveSourceId('dev-write-key') }],
          accessTokens: ['dev-access-token'],
          adminTokens: ['dev-admin-token'],
          notifyTransientFailures: true,
          identity: { identifiers: [], blockedValues: [], replaceDefaultBlockedValues: false },
          suppressedUserIds: [],
        },
      ],
    });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.spaces[0]?.writeKeys[0])).toBe(true);
    expect(isLoopbackHost(c.host) || !usesDevelopmentKeys(c)).toBe(true);
  });

  it('flags development keys on a non-loopback host (main logs the warning)', () => {
    const c = loadConfig({ env: { TROUPE_HOST: '0.0.0.0' } });
    expect(isLoopbackHost(c.host)).toBe(false);
    expect(usesDevelopmentKeys(c)).toBe(true);
  });
});

describe('loadConfig: layers', () => {
  const defaultsPath = file({
    host: 'from-defaults',
    port: 1000,
    dataDir: 'defaults-data',
    shards: 1,
    logLevel: 'info',
    clock: 'system',
    requestTimeoutMs: 1,
    maxQueuedEventsPerShard: 1,
    actorCacheSize: 1,
    dedupWindowHours: 24,
    maxCustomIdentifierTypesPerSpace: 0,
    spaces: [{ id: 'default', writeKeys: ['dev-write-key'], accessTokens: ['dev-access-token'], adminTokens: ['dev-admin-token'] }],
  });

  it('applies defaults < TROUPE_CONFIG file < env', () => {
    const fileConfig = file({ port: 2000, shards: 3, dataDir: 'file-data' });
    const c = loadConfig({ defaultsPath, env: { TROUPE_CONFIG: fileConfig, TROUPE_PORT: '3000' } });
    expect(c).toMatchObject({ host: 'from-defaults', shards: 3, dataDir: 'file-data', port: 3000 });
  });

  it('lets every TROUPE_* variable override the files', () => {
    const c = loadConfig({
      defaultsPath,
      env: { TROUPE_HOST: '::1', TROUPE_PORT: '0', TROUPE_DATA_DIR: '/d', TROUPE_SHARDS: '8', TROUPE_LOG_LEVEL: 'silent', TROUPE_CLOCK: 'manual' },
    });
    expect(c).toMatchObject({ host: '::1', port: 0, dataDir: '/d', shards: 8, logLevel: 'silent', clock: 'manual' });
  });

  it('replaces the default spaces with the file\'s list', () => {
    const c = loadConfig({ defaultsPath, env: { TROUPE_CONFIG: file({ spaces: [PROD_SPACE] }) } });
    expect(c.spaces.map((s) => s.id)).toEqual(['prod']);
    expect(usesDevelopmentKeys(c)).toBe(false);
  });

  it('keeps the default spaces when the file has none', () => {
    const c = loadConfig({ defaultsPath, env: { TROUPE_CONFIG: file({ logLevel: 'warn' }) } });
    expect(c.spaces.map((s) => s.id)).toEqual(['default']);
    expect(c.logLevel).toBe('warn');
  });

  it('resolves a relative TROUPE_CONFIG against the working directory', () => {
    const c = loadConfig({ defaultsPath, env: { TROUPE_CONFIG: relative(process.cwd(), file({ port: 4242 })) } });
    expect(c.port).toBe(4242);
  });

  it('treats an empty TROUPE_CONFIG as unset', () => {
    expect(loadConfig({ defaultsPath, env: { TROUPE_CONFIG: '' } }).port).toBe(1000);
  });

  it('loads config/production.example.json as a TROUPE_CONFIG file', () => {
    const example = join(DEFAULT_CONFIG_PATH, '..', 'production.example.json');
    const c = loadConfig({ env: { TROUPE_CONFIG: example } });
    expect(isLoopbackHost(c.host)).toBe(false);
    expect(usesDevelopmentKeys(c)).toBe(false);
    const space = c.spaces[0];
    expect(c.spaces).toHaveLength(1);
    expect(space?.writeKeys.every((w) => w.sourceId !== deriveSourceId(w.key))).toBe(true);
    expect(space?.identity.identifiers).toContainEqual({ type: 'anonymous_id', limit: 5, frequency: 'weekly', priority: 3 });
    expect(space?.identity.blockedValues.some((b) => typeof b === 'object')).toBe(true);
    expect(space?.suppressedUserIds.length).toBeGreaterThan(0);
  });
});

describe('loadConfig: errors name the key to fix', () => {
  it('names TROUPE_PORT when it is not a number', () => {
    const e = loadError(() => loadConfig({ env: { TROUPE_PORT: '80a' } }));
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('TROUPE_ERR_CONFIG');
    expect(e.key).toBe('TROUPE_PORT');
    expect(e.message).toBe('TROUPE_PORT must be a non-negative integer, got "80a"');
  });

  it('resolves the default "auto" shards to one per core, at most 64', () => {
    expect([1, 2, 3, 8, 200].map((cores) => loadConfig({ env: {}, cores }).shards)).toEqual([1, 2, 3, 8, 64]);
    expect(loadConfig({ env: { TROUPE_SHARDS: 'auto' }, cores: 4 }).shards).toBe(4);
    expect(loadConfig({ env: { TROUPE_SHARDS: '2' }, cores: 8 }).shards).toBe(2);
  });

  it('names TROUPE_SHARDS when it is not a number', () => {
    expect(loadError(() => loadConfig({ env: { TROUPE_SHARDS: '2 ' } })).key).toBe('TROUPE_SHARDS');
  });

  it('names the variable when its value parses but is out of range', () => {
    const e = loadError(() => loadConfig({ env: { TROUPE_PORT: '70000' } }));
    expect(e.key).toBe('TROUPE_PORT');
    expect(e.message).toBe('config.port must be an integer from 0 to 65535, got number 70000 (set by TROUPE_PORT)');
  });

  it('names the variable for a bad TROUPE_LOG_LEVEL or TROUPE_CLOCK', () => {
    const level = loadError(() => loadConfig({ env: { TROUPE_LOG_LEVEL: 'loud' } }));
    expect(level.key).toBe('TROUPE_LOG_LEVEL');
    expect(level.message).toBe('config.logLevel must be one of fatal, error, warn, info, debug, trace, silent, got "loud" (set by TROUPE_LOG_LEVEL)');
    expect(loadError(() => loadConfig({ env: { TROUPE_CLOCK: 'fast' } })).key).toBe('TROUPE_CLOCK');
  });

  it('names the key and the file for a bad value in the TROUPE_CONFIG file', () => {
    const path = file({ shards: 0 });
    const e = loadError(() => loadConfig({ env: { TROUPE_CONFIG: path } }));
    expect(e.key).toBe('config.shards');
    expect(e.message).toBe(`config.shards must be an integer from 1 to 64, got number 0 (in ${path})`);
  });

  it('stops on an unknown key at any level of the file', () => {
    const top = file({ prot: 80 });
    expect(loadError(() => loadConfig({ env: { TROUPE_CONFIG: top } })).message).toMatch(/^config\.prot is not a known key .* \(in .*\)$/);
    const inSpace = file({ spaces: [{ ...PROD_SPACE, writeKey: 'x' }] });
    expect(loadError(() => loadConfig({ env: { TROUPE_CONFIG: inSpace } })).key).toBe('config.spaces[0].writeKey');
    const inIdentity = file({ spaces: [{ ...PROD_SPACE, identity: { identifiers: [{ type: 'email', limit: 1, priority: 1, unique: true }] } }] });
    expect(loadError(() => loadConfig({ env: { TROUPE_CONFIG: inIdentity } })).key).toBe('config.spaces[0].identity.identifiers[0].unique');
  });

  it('refuses "__proto__" in a file as an unknown key, without polluting prototypes', () => {
    const path = file('{"__proto__": {"port": 1}}');
    expect(loadError(() => loadConfig({ env: { TROUPE_CONFIG: path } })).key).toBe('config.__proto__');
    expect(({} as Record<string, unknown>)['port']).toBeUndefined();
  });

  it('names the defaults file for a bad value that came from it', () => {
    const defaultsPath = file({ host: '' });
    const e = loadError(() => loadConfig({ defaultsPath, env: {} }));
    expect(e.key).toBe('config.host');
    expect(e.message).toBe(`config.host must be a non-empty string, got an empty string (in ${defaultsPath})`);
  });

  it('names a key missing from every layer', () => {
    const defaultsPath = file({ host: 'h' });
    expect(loadError(() => loadConfig({ defaultsPath, env: {} })).message).toBe('config.port must be an integer from 0 to 65535, got nothing (the key is missing)');
  });

  it('names the file when TROUPE_CONFIG cannot be read', () => {
    const path = join(dir, 'does-not-exist.json');
    const e = loadError(() => loadConfig({ env: { TROUPE_CONFIG: path } }));
    expect(e.key).toBe(path);
    expect(e.message).toMatch(new RegExp(`^TROUPE_CONFIG file ${path} cannot be read: ENOENT`));
  });

  it('names the file when it is not valid JSON', () => {
    const path = file('{ "port": 80, }');
    const e = loadError(() => loadConfig({ env: { TROUPE_CONFIG: path } }));
    expect(e.key).toBe(path);
    expect(e.message).toMatch(new RegExp(`^TROUPE_CONFIG file ${path} is not valid JSON: `));
  });

  it('names the file when its JSON is not an object', () => {
    const path = file([1, 2]);
    expect(loadError(() => loadConfig({ env: { TROUPE_CONFIG: path } })).message).toBe(`TROUPE_CONFIG file ${path} must contain a JSON object`);
  });

  it('names the defaults file when it cannot be read', () => {
    const defaultsPath = join(dir, 'no-defaults.json');
    const e = loadError(() => loadConfig({ defaultsPath, env: {} }));
    expect(e.key).toBe(defaultsPath);
    expect(e.message).toMatch(new RegExp(`^config defaults file ${defaultsPath} cannot be read`));
  });

  it('accepts a file saved with a byte-order mark', () => {
    expect(loadConfig({ env: { TROUPE_CONFIG: file('\uFEFF{"port": 9}') } }).port).toBe(9);
  });
});
