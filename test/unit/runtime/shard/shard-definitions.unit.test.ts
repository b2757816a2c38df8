import { describe, expect, it } from 'vitest';
import type { DefinitionRecord } from '../../../../src/definitions/definition-record.ts';
import { parseDefinition } from '../../../../src/definitions/parse-definition.ts';
import { compileShardDefinitions } from '../../../../src/runtime/shard/shard-definitions.ts';

function record(id: string, key: string, query: string, extra: Partial<DefinitionRecord> = {}): DefinitionRecord {
  const parsed = parseDefinition(query, { kind: 'audience' });
  if (!parsed.ok) throw new Error(parsed.error.message);
  return {
    id,
    spaceId: 'default',
    kind: 'audience',
    key,
    name: key,
    query,
    target: 'USERS',
    ast: parsed.value,
    revision: 1,
    enabled: true,
    options: { includeHistoricalData: true, includeAnonymousUsers: false },
    lifecycle: { status: 'Live' },
    createdAt: 0,
    updatedAt: 0,
    ...extra,
  };
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
