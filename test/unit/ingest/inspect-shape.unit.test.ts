import { describe, expect, it } from 'vitest';
import { inspectShape } from '../../../src/ingest/inspect-shape.ts';
import { MAX_DEPTH } from '../../../src/ingest/limits.ts';

/** `{"a":{"a":…{"a":1}}}` with `levels` objects, the outermost being level 1. */
function nestedObjects(levels: number): string {
  return '{"a":'.repeat(levels - 1) + '{"a":1}' + '}'.repeat(levels - 1);
}

describe('inspectShape', () => {
  it('accepts primitives and a flat event', () => {
    expect(inspectShape(1)).toBeUndefined();
    expect(inspectShape('x')).toBeUndefined();
    expect(inspectShape(null)).toBeUndefined();
    expect(inspectShape({ type: 'track', properties: { a: [1, 2, { b: 'c' }] } })).toBeUndefined();
  });

  it(`accepts exactly ${MAX_DEPTH} levels, counting the event object as level 1`, () => {
    expect(inspectShape(JSON.parse(nestedObjects(MAX_DEPTH)))).toBeUndefined();
  });

  it(`rejects level ${MAX_DEPTH + 1} with nesting_too_deep naming the path`, () => {
    const error = inspectShape(JSON.parse(nestedObjects(MAX_DEPTH + 1)));
    expect(error?.code).toBe('nesting_too_deep');
    expect(error?.message).toContain('32 levels');
    expect(error?.message).toContain(`at ${Array.from({ length: MAX_DEPTH }, () => 'a').join('.')}`);
  });

  it('counts arrays as levels and names their indexes', () => {
    const error = inspectShape({ properties: { list: [0, [[]]] } }, { maxDepth: 4 });
    expect(error).toEqual({ code: 'nesting_too_deep', message: 'nesting deeper than 4 levels at properties.list[1][0]' });
  });

  it('walks a 250,000-level nested array without overflowing the stack', () => {
    const depth = 250_000;
    const value: unknown = JSON.parse('['.repeat(depth) + ']'.repeat(depth));
    const error = inspectShape(value);
    expect(error?.code).toBe('nesting_too_deep');
  });

  it('walks a 250,000-level nested object without overflowing the stack', () => {
    const depth = 250_000;
    const value: unknown = JSON.parse('{"k":'.repeat(depth) + '1' + '}'.repeat(depth));
    expect(inspectShape(value)?.code).toBe('nesting_too_deep');
  });

  it('finds __proto__ created as an own property by JSON.parse, naming its path', () => {
    const error = inspectShape(JSON.parse('{"properties":{"a":{"__proto__":{"polluted":true}}}}'));
    expect(error).toEqual({ code: 'forbidden_key', message: 'forbidden key at properties.a.__proto__' });
  });

  it.each(['__proto__', 'constructor', 'prototype'])('rejects %s at the top level', (key) => {
    const error = inspectShape(JSON.parse(`{"userId":"u","${key}":1}`));
    expect(error).toEqual({ code: 'forbidden_key', message: `forbidden key at ${key}` });
  });

  it('finds a forbidden key inside an array element', () => {
    const error = inspectShape(JSON.parse('{"properties":{"items":[{"ok":1},{"constructor":{}}]}}'));
    expect(error).toEqual({ code: 'forbidden_key', message: 'forbidden key at properties.items[1].constructor' });
  });

  it('does not flag keys merely inherited from Object.prototype', () => {
    expect(inspectShape({ a: {}, toString: 'x', hasOwnProperty: 1 })).toBeUndefined();
  });

  it('skips the value of skipRootKey but still checks the other keys', () => {
    const body = JSON.parse('{"batch":[{"__proto__":1}],"context":{"ok":true}}');
    expect(inspectShape(body, { skipRootKey: 'batch' })).toBeUndefined();
    const bad = JSON.parse('{"batch":[],"context":{"prototype":1}}');
    expect(inspectShape(bad, { skipRootKey: 'batch' })?.message).toBe('forbidden key at context.prototype');
  });

  it('cuts a very long path from the front so the message stays small', () => {
    const longKey = 'k'.repeat(1_000);
    const error = inspectShape({ [longKey]: { constructor: 1 } });
    expect(error?.code).toBe('forbidden_key');
    expect(error?.message.length).toBeLessThan(260);
    expect(error?.message.endsWith('.constructor')).toBe(true);
  });
});
