import type { Database } from 'lmdb';
import type { Logger } from 'pino';

export interface LearnedIdentifierTypes {
  /** The custom types earlier runs learned for a space, in the order they were learned. */
  load(spaceId: string): readonly string[];
  /** Records types an event just added; resolves once stored (a failure is logged, not thrown). */
  add(spaceId: string, types: readonly string[]): Promise<void>;
}

/**
 * Custom identifier types auto-added from `context.externalIds`, per space, kept in LMDB across
 * restarts so that the alphabetical priority order they produce stays the same.
 */
export function createLearnedIdentifierTypes(meta: Database<unknown, string>, log: Logger): LearnedIdentifierTypes {
  const key = (spaceId: string): string => `identity.learnedTypes.${spaceId}`;
  const learned = new Map<string, Set<string>>();
  return {
    load(spaceId) {
      const saved = meta.get(key(spaceId));
      const types = Array.isArray(saved) ? saved.filter((t): t is string => typeof t === 'string') : [];
      learned.set(spaceId, new Set(types));
      return types;
    },
    async add(spaceId, types) {
      const known = learned.get(spaceId) ?? new Set<string>();
      for (const type of types) known.add(type);
      learned.set(spaceId, known);
      // Puts from this one thread commit in order, so the last (largest) set wins.
      await meta.put(key(spaceId), [...known]).catch((error: unknown) => log.warn({ err: error }, 'could not store learned identifier types'));
    },
  };
}
