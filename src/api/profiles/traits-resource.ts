import { visibleTraits, type TraitEntry } from '../../actors/profile-state.ts';
import type { DefinitionKind } from '../../definitions/ast.ts';
import type { Json, JsonObject } from '../../shared/json.ts';
import { ok } from '../../shared/result.ts';
import { compareCodePoints } from './compare-code-points.ts';
import { isoTime } from './iso-time.ts';
import type { ProfileResource } from './profile-resource.ts';
import { readChoice, readFlag, readLimit, readList } from './query-params.ts';

/** `class=`: the definition kinds. A trait is of a class while a live definition has its key. */
const TRAIT_CLASSES = ['audience', 'computed_trait'] as const satisfies readonly DefinitionKind[];

/** Segment's documented default is 10; `?limit=200` is the documented maximum (spec §5.2). */
const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 200;

/**
 * `GET …/traits`. Keys are paged in code point order so `next` (the first key of the following
 * page, as in Segment's example cursor) stays valid while traits change: a page starts at the
 * first key ≥ `next`. Tombstones (traits removed with `null`) never appear.
 */
export const traitsResource: ProfileResource = (query) => {
  const limit = readLimit(query, { fallback: DEFAULT_LIMIT, max: MAX_LIMIT });
  if (!limit.ok) return limit;
  const traitClass = readChoice(query, 'class', TRAIT_CLASSES);
  if (!traitClass.ok) return traitClass;
  const verbose = readFlag(query, 'verbose');
  if (!verbose.ok) return verbose;
  const include = readList(query, 'include');
  const from = query.get('next') ?? '';

  return ok((profile, { url, traitClassOf }) => {
    const wanted = traitClass.value;
    const keys = visibleTraits(profile)
      .filter(([key]) => (include === undefined || include.has(key)) && (wanted === undefined || traitClassOf(key) === wanted))
      .sort(([a], [b]) => compareCodePoints(a, b));
    const start = keys.findIndex(([key]) => compareCodePoints(key, from) >= 0);
    const rest = start === -1 ? [] : keys.slice(start);
    const page = rest.slice(0, limit.value);
    const following = rest[limit.value];
    const traits: JsonObject = {};
    for (const [key, entry] of page) traits[key] = verbose.value ? verboseValue(entry) : entry.value;
    return {
      traits,
      cursor: { url, has_more: following !== undefined, next: following?.[0] ?? '', limit: limit.value },
    };
  });
};

function verboseValue(entry: TraitEntry): Json {
  return { value: entry.value, source_id: entry.sourceId, updated_at: isoTime(entry.updatedAt) };
}
