import { describe, expect, it } from 'vitest';
import { compileBlockedValues, isBlockedValue } from '../../../src/identity/blocked-values.ts';
import { identitySettingsFrom } from '../../../src/identity/settings.ts';
import { config } from './identity-harness.ts';

const defaults = identitySettingsFrom(undefined).blocked;

describe('default blocked values', () => {
  // Segment's suggestions (§4.4): pattern ^[0-]*$ ("Zeroes and Dashes"), exact -1, null, anonymous.
  it.each(['', '0', '00000', '-', '---', '0-0-0', '-1', 'null', 'anonymous'])('blocks Segment suggestion %j', (value) => {
    expect(isBlockedValue(defaults, value)).toBe(true);
  });

  // PostHog's illegal distinct ids, matched in any casing.
  it.each([
    'anonymous',
    'Anonymous',
    'guest',
    'GUEST',
    'distinctid',
    'distinct_id',
    'Distinct_ID',
    'id',
    'ID',
    'not_authenticated',
    'email',
    'Email',
    'undefined',
    'uNdEfInEd',
    'true',
    'True',
    'false',
    'FALSE',
  ])('blocks %j in any casing', (value) => {
    expect(isBlockedValue(defaults, value)).toBe(true);
  });

  // PostHog's case-sensitive ids (plus `nil`): only as cased.
  it.each(['[object Object]', 'NaN', 'None', 'none', 'null', 'nil', '0'])('blocks %j exactly', (value) => {
    expect(isBlockedValue(defaults, value)).toBe(true);
  });

  it.each(['nan', 'NAN', 'NONE', 'NULL', 'Null', 'NIL', '[object object]'])('does not block %j, a different casing of a case-sensitive word', (value) => {
    expect(isBlockedValue(defaults, value)).toBe(false);
  });

  it.each(['"undefined"', "'null'", '"NaN"', "'Guest'", '"[object Object]"'])('blocks quoted %s', (value) => {
    expect(isBlockedValue(defaults, value)).toBe(true);
  });

  it.each([' ', '\t', '  \n '])('blocks whitespace-only %j', (value) => {
    expect(isBlockedValue(defaults, value)).toBe(true);
  });

  it.each(['u1', 'jane@example.com', '01', '10', '-2', 'anonymous1', 'guest_42', 'identity', '1.0', ' 0 x'])('keeps real value %j', (value) => {
    expect(isBlockedValue(defaults, value)).toBe(false);
  });
});

describe('configured blocked values', () => {
  const settings = identitySettingsFrom(config([], ['test@example.com', { regex: '^qa-bot-[0-9]+$' }]));

  it('adds exact strings, compared case-sensitively', () => {
    expect(isBlockedValue(settings.blocked, 'test@example.com')).toBe(true);
    expect(isBlockedValue(settings.blocked, 'TEST@example.com')).toBe(false);
  });

  it('adds regexes', () => {
    expect(isBlockedValue(settings.blocked, 'qa-bot-17')).toBe(true);
    expect(isBlockedValue(settings.blocked, 'qa-bot-x')).toBe(false);
  });

  it('keeps the defaults unless replaceDefaultBlockedValues', () => {
    expect(isBlockedValue(settings.blocked, 'anonymous')).toBe(true);
    const replaced = identitySettingsFrom({ identifiers: [], blockedValues: ['void'], replaceDefaultBlockedValues: true });
    expect(isBlockedValue(replaced.blocked, 'anonymous')).toBe(false);
    expect(isBlockedValue(replaced.blocked, '0')).toBe(false);
    expect(isBlockedValue(replaced.blocked, 'void')).toBe(true);
  });

  it('gives the same answer on repeated calls (no regex state)', () => {
    const blocked = compileBlockedValues([{ regex: 'abc' }], true);
    expect([1, 2, 3].map(() => isBlockedValue(blocked, 'xabcx'))).toEqual([true, true, true]);
  });

  it('names the key of an invalid regex', () => {
    expect(() => compileBlockedValues(['ok', { regex: '(' }], false)).toThrow('identity.blockedValues[1].regex');
  });
});
