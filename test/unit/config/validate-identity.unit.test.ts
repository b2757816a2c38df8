import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/validate-config.ts';
import { MISSING, configWith } from './config-fixture.ts';

const ID = 'config.spaces[1].identity';
const RULE_KEYS = 'type, limit, frequency, priority';

function identity(path: readonly (string | number)[], value: unknown) {
  const r = validateConfig(configWith(['spaces', 1, 'identity', ...path], value));
  if (!r.ok) throw new Error(r.error.message);
  const s = r.value.spaces[1];
  if (s === undefined) throw new Error('no space 1');
  return s.identity;
}

describe('validateConfig: identity', () => {
  it('keeps the section as written, with defaults for absent keys', () => {
    expect(identity(['replaceDefaultBlockedValues'], true)).toEqual({
      identifiers: [{ type: 'anonymous_id', limit: 5, frequency: 'weekly', priority: 3 }],
      blockedValues: ['blocked', { regex: '^0+$' }],
      replaceDefaultBlockedValues: true,
    });
    expect(identity(['identifiers'], MISSING).identifiers).toEqual([]);
    expect(identity(['blockedValues'], MISSING).blockedValues).toEqual([]);
    expect(identity(['blockedValues'], MISSING).replaceDefaultBlockedValues).toBe(false);
  });

  it('leaves frequency out when the rule has none', () => {
    const rule = identity(['identifiers', 0, 'frequency'], MISSING).identifiers[0];
    expect(rule).toEqual({ type: 'anonymous_id', limit: 5, priority: 3 });
    expect(rule !== undefined && 'frequency' in rule).toBe(false);
  });

  it('accepts every frequency', () => {
    for (const f of ['weekly', 'monthly', 'annually', 'ever']) {
      expect(identity(['identifiers', 0, 'frequency'], f).identifiers[0]?.frequency).toBe(f);
    }
  });

  it.each<[string, readonly (string | number)[], unknown, string, string]>([
    ['unknown identity key', ['blocked'], [], `${ID}.blocked`, `${ID}.blocked is not a known key (known keys at ${ID}: identifiers, blockedValues, replaceDefaultBlockedValues)`],
    ['identifiers not an array', ['identifiers'], {}, `${ID}.identifiers`, `${ID}.identifiers must be an array, got an object`],
    ['rule not an object', ['identifiers', 0], 'user_id', `${ID}.identifiers[0]`, `${ID}.identifiers[0] must be an object, got a string`],
    ['unknown rule key', ['identifiers', 0, 'unique'], true, `${ID}.identifiers[0].unique`, `${ID}.identifiers[0].unique is not a known key (known keys at ${ID}.identifiers[0]: ${RULE_KEYS})`],
    ['rule type missing', ['identifiers', 0, 'type'], MISSING, `${ID}.identifiers[0].type`, `${ID}.identifiers[0].type must be a non-empty string, got nothing (the key is missing)`],
    ['rule limit 0', ['identifiers', 0, 'limit'], 0, `${ID}.identifiers[0].limit`, `${ID}.identifiers[0].limit must be a positive integer, got number 0`],
    ['rule limit missing', ['identifiers', 0, 'limit'], MISSING, `${ID}.identifiers[0].limit`, `${ID}.identifiers[0].limit must be a positive integer, got nothing (the key is missing)`],
    ['rule priority fractional', ['identifiers', 0, 'priority'], 1.5, `${ID}.identifiers[0].priority`, `${ID}.identifiers[0].priority must be a positive integer, got number 1.5`],
    ['rule priority missing', ['identifiers', 0, 'priority'], MISSING, `${ID}.identifiers[0].priority`, `${ID}.identifiers[0].priority must be a positive integer, got nothing (the key is missing)`],
    ['rule frequency unknown', ['identifiers', 0, 'frequency'], 'daily', `${ID}.identifiers[0].frequency`, `${ID}.identifiers[0].frequency must be one of weekly, monthly, annually, ever, got "daily"`],
    [
      'rule type listed twice',
      ['identifiers', 1],
      { type: 'anonymous_id', limit: 1, priority: 4 },
      `${ID}.identifiers[1].type`,
      `${ID}.identifiers[1].type repeats ${ID}.identifiers[0].type: each identifier type may be listed once`,
    ],
    ['blockedValues not an array', ['blockedValues'], 'x', `${ID}.blockedValues`, `${ID}.blockedValues must be an array, got a string`],
    ['blocked value empty', ['blockedValues', 0], '', `${ID}.blockedValues[0]`, `${ID}.blockedValues[0] must be a non-empty string, got an empty string`],
    ['blocked value a number', ['blockedValues', 0], 5, `${ID}.blockedValues[0]`, `${ID}.blockedValues[0] must be a non-empty string or an object { "regex": "..." }, got number 5`],
    ['unknown blocked value key', ['blockedValues', 1, 'flags'], 'i', `${ID}.blockedValues[1].flags`, `${ID}.blockedValues[1].flags is not a known key (known keys at ${ID}.blockedValues[1]: regex)`],
    ['regex empty', ['blockedValues', 1, 'regex'], '', `${ID}.blockedValues[1].regex`, `${ID}.blockedValues[1].regex must be a non-empty string, got an empty string`],
    ['regex not a string', ['blockedValues', 1, 'regex'], 7, `${ID}.blockedValues[1].regex`, `${ID}.blockedValues[1].regex must be a non-empty string, got number 7`],
    ['replaceDefaultBlockedValues not boolean', ['replaceDefaultBlockedValues'], 'yes', `${ID}.replaceDefaultBlockedValues`, `${ID}.replaceDefaultBlockedValues must be true or false, got a string`],
  ])('%s', (_name, path, value, key, message) => {
    expect(validateConfig(configWith(['spaces', 1, 'identity', ...path], value))).toEqual({ ok: false, error: { key, message } });
  });

  it('refuses a regex that does not compile, naming the key and the reason', () => {
    const r = validateConfig(configWith(['spaces', 1, 'identity', 'blockedValues', 1, 'regex'], '(unclosed'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.key).toBe(`${ID}.blockedValues[1].regex`);
    expect(r.error.message).toMatch(/^config\.spaces\[1\]\.identity\.blockedValues\[1\]\.regex must be a valid regular expression: Invalid regular expression/);
  });
});
