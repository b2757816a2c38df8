import type { ProfileCollection } from '../actors/profile-state.ts';
import type { EngineStore } from '../store/engine-store.ts';

/** One member as a list names it: its profile id (a Profile API lookup id) and identifiers. */
export interface AudienceMember {
  readonly id: string;
  readonly identifiers: ReadonlyArray<{ readonly type: string; readonly value: string }>;
}

export interface MembersPage {
  readonly members: readonly AudienceMember[];
  /** The last profile looked at, to go on from; undefined once the whole table was read. */
  readonly next: string | undefined;
}

/** Profiles one page may look at before it answers with what it found (a sparse audience stays fast). */
export const MEMBERS_SCAN_BUDGET = 50_000;

/**
 * A page of an audience's members, in profile id order, from what LMDB holds (committed answers
 * only, like every Profile API read): the profiles of the space and collection whose answer for
 * `key` is `true`, each read as its readers merge it (the answer row, else the record's trait).
 * It stops after `limit` members or `scanBudget` profiles, and says where to go on.
 */
export function audienceMembers(
  store: Pick<EngineStore, 'profiles' | 'answers'>,
  query: { readonly spaceId: string; readonly collection: ProfileCollection; readonly key: string; readonly after?: string; readonly limit: number; readonly scanBudget?: number },
): MembersPage {
  const members: AudienceMember[] = [];
  const budget = query.scanBudget ?? MEMBERS_SCAN_BUDGET;
  let scanned = 0;
  let last: string | undefined;
  for (const { key: id, value: stored } of store.profiles.getRange(query.after === undefined ? {} : { start: query.after })) {
    if (id === query.after) continue;
    if (members.length >= query.limit || scanned >= budget) return { members, next: last };
    scanned += 1;
    last = id;
    if (stored.spaceId !== query.spaceId || (stored.collection ?? 'users') !== query.collection) continue;
    const entry = store.answers.get([id, query.key]) ?? (Object.hasOwn(stored.traits, query.key) ? stored.traits[query.key] : undefined);
    if (entry?.value === true) members.push({ id, identifiers: stored.identifiers.map(({ type, value }) => ({ type, value })) });
  }
  return { members, next: undefined };
}
