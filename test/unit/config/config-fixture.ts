/** Helpers for the config tests: a valid raw config, and copies of it with one value changed. */

export const MISSING = Symbol('missing');

export function validRawConfig(): Record<string, unknown> {
  return {
    host: '127.0.0.1',
    port: 8080,
    dataDir: './data',
    shards: 2,
    logLevel: 'info',
    clock: 'system',
    requestTimeoutMs: 30000,
    maxQueuedEventsPerShard: 50000,
    actorCacheSize: 250000,
    dedupWindowHours: 168,
    maxCustomIdentifierTypesPerSpace: 50,
    spaces: [
      { id: 'a', writeKeys: ['wk-a'], accessTokens: ['at-a'], adminTokens: ['ad-a'] },
      {
        id: 'b',
        writeKeys: ['wk-b', { key: 'wk-b2', sourceId: 'src_b2', name: 'B two' }],
        accessTokens: ['at-b'],
        adminTokens: ['ad-b'],
        identity: {
          identifiers: [{ type: 'anonymous_id', limit: 5, frequency: 'weekly', priority: 3 }],
          blockedValues: ['blocked', { regex: '^0+$' }],
        },
      },
    ],
  };
}

/**
 * A valid config with the value at `path` replaced (or removed with MISSING). Intermediate
 * objects and arrays must exist in the fixture, except for a final object key being added.
 */
export function configWith(path: readonly (string | number)[], value: unknown): Record<string, unknown> {
  const root = validRawConfig();
  let node: unknown = root;
  for (const step of path.slice(0, -1)) {
    node = (node as Record<string | number, unknown>)[step];
    if (typeof node !== 'object' || node === null) throw new Error(`fixture has no ${path.join('.')}`);
  }
  const last = path[path.length - 1];
  if (last === undefined) throw new Error('empty path');
  const parent = node as Record<string | number, unknown>;
  if (value === MISSING) delete parent[last];
  else parent[last] = value;
  return root;
}
