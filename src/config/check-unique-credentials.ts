import type { SpaceConfig } from './config.ts';
import { type Check, fail, indexPath, keyPath } from './config-checks.ts';
import { ok } from '../shared/result.ts';

/**
 * A write key selects the space of an event and a token the space of a request, so each value may
 * appear once across all spaces (a repeat inside one space is refused too: it is a copy-paste slip
 * and, for write keys, two sources with one key). Messages name both places, never the secret.
 */
export function checkUniqueCredentials(spaces: readonly SpaceConfig[], path: string): Check<readonly SpaceConfig[]> {
  const ids = new Map<string, string>();
  const seen = {
    writeKeys: new Map<string, string>(),
    accessTokens: new Map<string, string>(),
    adminTokens: new Map<string, string>(),
  };
  const what = { writeKeys: 'a write key', accessTokens: 'an access token', adminTokens: 'an admin token' } as const;

  for (const [s, space] of spaces.entries()) {
    const spacePath = indexPath(path, s);
    const idPath = keyPath(spacePath, 'id');
    const firstId = ids.get(space.id);
    if (firstId !== undefined) return fail(idPath, `repeats ${firstId}: space ids must be unique`);
    ids.set(space.id, idPath);

    const values = {
      writeKeys: space.writeKeys.map((source) => source.key),
      accessTokens: space.accessTokens,
      adminTokens: space.adminTokens,
    };
    for (const kind of ['writeKeys', 'accessTokens', 'adminTokens'] as const) {
      for (const [i, value] of values[kind].entries()) {
        const valuePath = indexPath(keyPath(spacePath, kind), i);
        const first = seen[kind].get(value);
        if (first !== undefined) return fail(valuePath, `repeats ${first}: ${what[kind]} may appear only once across all spaces`);
        seen[kind].set(value, valuePath);
      }
    }
  }
  return ok(spaces);
}
