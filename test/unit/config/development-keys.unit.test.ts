import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_KEYS, isLoopbackHost, usesDevelopmentKeys } from '../../../src/config/development-keys.ts';
import { DEFAULT_CONFIG_PATH } from '../../../src/config/load-config.ts';
import { validateConfig } from '../../../src/config/validate-config.ts';
import { configWith, validRawConfig } from './config-fixture.ts';

function valid(raw: unknown) {
  const r = validateConfig(raw);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.8.9.10', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['0.0.0.0', '::', '[::]', '10.0.0.5', '192.168.1.2', '::ffff:10.0.0.1', 'example.com', 'localhost.example.com', ''])('%s is not loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('usesDevelopmentKeys', () => {
  it('lists exactly the credentials of config/default.json', () => {
    const raw = JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')) as { spaces: { writeKeys: string[]; accessTokens: string[]; adminTokens: string[] }[] };
    const inFile = raw.spaces.flatMap((s) => [...s.writeKeys, ...s.accessTokens, ...s.adminTokens]);
    expect([...DEVELOPMENT_KEYS].sort()).toEqual([...inFile].sort());
  });

  it('is false when no space uses one', () => {
    expect(usesDevelopmentKeys(valid(validRawConfig()))).toBe(false);
  });

  it.each([
    ['a write key', ['spaces', 0, 'writeKeys'], ['dev-write-key']],
    ['a write key object', ['spaces', 1, 'writeKeys', 1, 'key'], 'dev-write-key'],
    ['an access token', ['spaces', 1, 'accessTokens'], ['dev-access-token']],
    ['an admin token', ['spaces', 0, 'adminTokens'], ['dev-admin-token']],
  ] as const)('is true when any space uses %s', (_name, path, value) => {
    expect(usesDevelopmentKeys(valid(configWith(path, value)))).toBe(true);
  });
});
