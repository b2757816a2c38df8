import { describe, expect, it } from 'vitest';
import { deriveSourceId } from '../../../src/config/source-id.ts';
import { validateConfig } from '../../../src/config/validate-config.ts';
import { MISSING, configWith, validRawConfig } from './config-fixture.ts';

const SPACE_KEYS = 'id, writeKeys, accessTokens, adminTokens, notifyTransientFailures, identity, suppressedUserIds';
const WRITE_KEY_SHAPE = 'a non-empty string or an object { "key", "sourceId", "name"? }';

function space(path: readonly (string | number)[], value: unknown, index = 0) {
  const r = validateConfig(configWith(path, value));
  if (!r.ok) throw new Error(r.error.message);
  const s = r.value.spaces[index];
  if (s === undefined) throw new Error(`no space ${index}`);
  return s;
}

describe('validateConfig: spaces', () => {
  it('fills the optional space keys with their defaults', () => {
    const s = space(['host'], '127.0.0.1');
    expect(s.notifyTransientFailures).toBe(true);
    expect(s.suppressedUserIds).toEqual([]);
    expect(s.identity).toEqual({ identifiers: [], blockedValues: [], replaceDefaultBlockedValues: false });
  });

  it('keeps explicit optional values', () => {
    expect(space(['spaces', 0, 'notifyTransientFailures'], false).notifyTransientFailures).toBe(false);
    expect(space(['spaces', 0, 'suppressedUserIds'], ['u1', 'u2']).suppressedUserIds).toEqual(['u1', 'u2']);
    expect(space(['spaces', 0, 'accessTokens'], []).accessTokens).toEqual([]);
  });

  it('reads write keys as strings or {key, sourceId, name?}', () => {
    const s = space(['spaces', 1, 'writeKeys'], ['plain', { key: 'k2', sourceId: 'src_two' }, { key: 'k3', sourceId: 'src_3', name: 'Three' }], 1);
    expect(s.writeKeys).toEqual([
      { key: 'plain', sourceId: deriveSourceId('plain'), name: deriveSourceId('plain') },
      { key: 'k2', sourceId: 'src_two', name: 'src_two' },
      { key: 'k3', sourceId: 'src_3', name: 'Three' },
    ]);
  });

  it('allows the same value as an access token of one space and an admin token of another', () => {
    expect(validateConfig(configWith(['spaces', 1, 'adminTokens'], ['at-a'])).ok).toBe(true);
  });

  it('allows two write keys with the same source id (key rotation)', () => {
    expect(validateConfig(configWith(['spaces', 1, 'writeKeys'], [{ key: 'x1', sourceId: 's' }, { key: 'x2', sourceId: 's' }])).ok).toBe(true);
  });

  it.each<[string, readonly (string | number)[], unknown, string, string]>([
    ['space not an object', ['spaces', 0], 'a', 'config.spaces[0]', 'config.spaces[0] must be an object, got a string'],
    ['unknown space key', ['spaces', 0, 'writekeys'], [], 'config.spaces[0].writekeys', `config.spaces[0].writekeys is not a known key (known keys at config.spaces[0]: ${SPACE_KEYS})`],
    ['id missing', ['spaces', 0, 'id'], MISSING, 'config.spaces[0].id', 'config.spaces[0].id must be a non-empty string, got nothing (the key is missing)'],
    ['id with a space', ['spaces', 0, 'id'], 'my space', 'config.spaces[0].id', 'config.spaces[0].id must match /^[A-Za-z0-9_-]{1,64}$/ (letters, digits, _ and -, at most 64), got "my space"'],
    ['id too long', ['spaces', 0, 'id'], 'x'.repeat(65), 'config.spaces[0].id', `config.spaces[0].id must match /^[A-Za-z0-9_-]{1,64}$/ (letters, digits, _ and -, at most 64), got "${'x'.repeat(65)}"`],
    ['writeKeys missing', ['spaces', 0, 'writeKeys'], MISSING, 'config.spaces[0].writeKeys', 'config.spaces[0].writeKeys must be an array, got nothing (the key is missing)'],
    ['writeKeys empty', ['spaces', 0, 'writeKeys'], [], 'config.spaces[0].writeKeys', 'config.spaces[0].writeKeys must list at least one write key'],
    ['write key empty string', ['spaces', 0, 'writeKeys'], ['ok', ''], 'config.spaces[0].writeKeys[1]', 'config.spaces[0].writeKeys[1] must be a non-empty string, got an empty string'],
    ['write key a number', ['spaces', 0, 'writeKeys', 0], 42, 'config.spaces[0].writeKeys[0]', `config.spaces[0].writeKeys[0] must be ${WRITE_KEY_SHAPE}, got number 42`],
    ['write key null', ['spaces', 0, 'writeKeys', 0], null, 'config.spaces[0].writeKeys[0]', `config.spaces[0].writeKeys[0] must be ${WRITE_KEY_SHAPE}, got null`],
    ['write key an array', ['spaces', 0, 'writeKeys', 0], ['k'], 'config.spaces[0].writeKeys[0]', `config.spaces[0].writeKeys[0] must be ${WRITE_KEY_SHAPE}, got an array`],
    ['write key unknown key', ['spaces', 1, 'writeKeys', 1, 'secret'], 's', 'config.spaces[1].writeKeys[1].secret', 'config.spaces[1].writeKeys[1].secret is not a known key (known keys at config.spaces[1].writeKeys[1]: key, sourceId, name)'],
    ['write key object without key', ['spaces', 1, 'writeKeys', 1, 'key'], MISSING, 'config.spaces[1].writeKeys[1].key', 'config.spaces[1].writeKeys[1].key must be a non-empty string, got nothing (the key is missing)'],
    ['write key empty sourceId', ['spaces', 1, 'writeKeys', 1, 'sourceId'], '', 'config.spaces[1].writeKeys[1].sourceId', 'config.spaces[1].writeKeys[1].sourceId must be a non-empty string, got an empty string'],
    ['write key without sourceId', ['spaces', 1, 'writeKeys', 1, 'sourceId'], MISSING, 'config.spaces[1].writeKeys[1].sourceId', 'config.spaces[1].writeKeys[1].sourceId must be a non-empty string, got nothing (the key is missing)'],
    ['write key name not a string', ['spaces', 1, 'writeKeys', 1, 'name'], 3, 'config.spaces[1].writeKeys[1].name', 'config.spaces[1].writeKeys[1].name must be a non-empty string, got number 3'],
    ['accessTokens missing', ['spaces', 0, 'accessTokens'], MISSING, 'config.spaces[0].accessTokens', 'config.spaces[0].accessTokens must be an array, got nothing (the key is missing)'],
    ['access token empty', ['spaces', 0, 'accessTokens'], [''], 'config.spaces[0].accessTokens[0]', 'config.spaces[0].accessTokens[0] must be a non-empty string, got an empty string'],
    ['adminTokens a string', ['spaces', 0, 'adminTokens'], 'secret-admin', 'config.spaces[0].adminTokens', 'config.spaces[0].adminTokens must be an array, got a string'],
    ['admin token an object', ['spaces', 0, 'adminTokens'], [{}], 'config.spaces[0].adminTokens[0]', 'config.spaces[0].adminTokens[0] must be a non-empty string, got an object'],
    ['notifyTransientFailures not boolean', ['spaces', 0, 'notifyTransientFailures'], 'no', 'config.spaces[0].notifyTransientFailures', 'config.spaces[0].notifyTransientFailures must be true or false, got a string'],
    ['suppressedUserIds not an array', ['spaces', 0, 'suppressedUserIds'], 'u1', 'config.spaces[0].suppressedUserIds', 'config.spaces[0].suppressedUserIds must be an array, got a string'],
    ['suppressed user id a number', ['spaces', 0, 'suppressedUserIds'], [1], 'config.spaces[0].suppressedUserIds[0]', 'config.spaces[0].suppressedUserIds[0] must be a non-empty string, got number 1'],
    ['identity not an object', ['spaces', 0, 'identity'], true, 'config.spaces[0].identity', 'config.spaces[0].identity must be an object, got boolean true'],
  ])('%s', (_name, path, value, key, message) => {
    expect(validateConfig(configWith(path, value))).toEqual({ ok: false, error: { key, message } });
  });
});

describe('validateConfig: uniqueness across spaces', () => {
  it.each<[string, readonly (string | number)[], unknown, string, string]>([
    ['space id repeated', ['spaces', 1, 'id'], 'a', 'config.spaces[1].id', 'config.spaces[1].id repeats config.spaces[0].id: space ids must be unique'],
    ['write key in two spaces', ['spaces', 1, 'writeKeys'], ['wk-a'], 'config.spaces[1].writeKeys[0]', 'config.spaces[1].writeKeys[0] repeats config.spaces[0].writeKeys[0]: a write key may appear only once across all spaces'],
    ['write key object repeating a bare key', ['spaces', 1, 'writeKeys', 1, 'key'], 'wk-a', 'config.spaces[1].writeKeys[1]', 'config.spaces[1].writeKeys[1] repeats config.spaces[0].writeKeys[0]: a write key may appear only once across all spaces'],
    ['write key twice in one space', ['spaces', 0, 'writeKeys'], ['k', 'k'], 'config.spaces[0].writeKeys[1]', 'config.spaces[0].writeKeys[1] repeats config.spaces[0].writeKeys[0]: a write key may appear only once across all spaces'],
    ['access token in two spaces', ['spaces', 1, 'accessTokens'], ['x', 'at-a'], 'config.spaces[1].accessTokens[1]', 'config.spaces[1].accessTokens[1] repeats config.spaces[0].accessTokens[0]: an access token may appear only once across all spaces'],
    ['admin token in two spaces', ['spaces', 1, 'adminTokens'], ['ad-a'], 'config.spaces[1].adminTokens[0]', 'config.spaces[1].adminTokens[0] repeats config.spaces[0].adminTokens[0]: an admin token may appear only once across all spaces'],
  ])('%s', (_name, path, value, key, message) => {
    const r = validateConfig(configWith(path, value));
    expect(r).toEqual({ ok: false, error: { key, message } });
    // The message locates the repeat; it never prints the secret itself.
    if (!r.ok) expect(r.error.message).not.toMatch(/wk-a|at-a|ad-a/);
  });
});

describe('validateConfig: error messages never echo a misplaced secret', () => {
  it('describes a string by its type', () => {
    const r = validateConfig(configWith(['spaces', 0, 'accessTokens'], 'super-secret-token'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).not.toContain('super-secret-token');
  });

  it('is untouched by a valid config elsewhere', () => {
    expect(validateConfig(validRawConfig()).ok).toBe(true);
  });
});
