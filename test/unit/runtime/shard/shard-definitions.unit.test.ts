import { describe, expect, it } from 'vitest';
import type { DefinitionRecord } from '../../../../src/definitions/definition-record.ts';
import { definitionRecord } from '../../../support/definition-record.ts';
import { compileShardDefinitions } from '../../../../src/runtime/shard/shard-definitions.ts';

function record(id: string, key: string, query: string, extra: Partial<DefinitionRecord> = {}): DefinitionRecord {
  return definitionRecord({ id, key, kind: 'audience', query }, extra);
}

describe('compileShardDefinitions', () => {
  it('compiles the evaluated definitions of each space in dependency order', () => {
    const set = compileShardDefinitions(
      [
        record('aud_b', 'b', "trait('a') = true"),
        record('aud_a', 'a', "event('X').count() >= 1"),
        record('aud_off', 'off', "event('X').count() >= 1", { enabled: false }),
        record('aud_gone', 'gone', "event('X').count() >= 1", { deletedAt: 5 }),
      ],
      7,
    ).forSpace('default').users;
    expect(set.layout).toBe(7);
    expect(set.ordered.map((d) => d.key)).toEqual(['a', 'b']);
  });

  it('leaves out a cycle that reached LMDB, and keeps ingesting with the rest', () => {
    const set = compileShardDefinitions(
      [record('aud_p', 'p', "trait('q') = true"), record('aud_q', 'q', "trait('p') = true"), record('aud_ok', 'ok', "event('X').count() >= 1")],
      1,
    ).forSpace('default').users;
    expect(set.ordered.map((d) => d.key)).toEqual(['ok']);
  });
});
