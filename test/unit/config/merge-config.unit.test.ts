import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../../src/config/merge-config.ts';

describe('mergeConfig', () => {
  it('merges objects key by key, the override winning', () => {
    expect(mergeConfig({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 4 }, e: 5 })).toEqual({ a: 1, b: { c: 2, d: 4 }, e: 5 });
  });

  it('replaces arrays, so spaces in a file replace the default list', () => {
    expect(mergeConfig({ spaces: [{ id: 'default' }] }, { spaces: [{ id: 'prod' }] })).toEqual({ spaces: [{ id: 'prod' }] });
  });

  it('lets a scalar or null replace an object and the other way round', () => {
    expect(mergeConfig({ a: { b: 1 } }, { a: null })).toEqual({ a: null });
    expect(mergeConfig({ a: 1 }, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
  });

  it('does not modify its inputs', () => {
    const base = { a: { b: 1 } };
    const override = { a: { c: 2 } };
    mergeConfig(base, override);
    expect(base).toEqual({ a: { b: 1 } });
    expect(override).toEqual({ a: { c: 2 } });
  });

  it('keeps a JSON "__proto__" key as a plain key instead of setting the prototype', () => {
    const merged = mergeConfig({ a: 1 }, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.keys(merged)).toEqual(['a', '__proto__']);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
