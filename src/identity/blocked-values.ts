import type { BlockedValueConfig } from '../config/config.ts';

/**
 * Blocked values, compiled: "values are kept in the payload but not promoted to identifiers"
 * (segment-reference §4.4). One list per space, applied to every identifier type.
 */
export interface BlockedValues {
  /** Compared exactly, case-sensitively (configured strings, Segment's `-1` and `null`, ...). */
  readonly exact: ReadonlySet<string>;
  /** Stored lower-cased and compared against the lower-cased value. */
  readonly exactIgnoreCase: ReadonlySet<string>;
  /** Length of the longest `exactIgnoreCase` entry: longer values skip the lower-casing. */
  readonly ignoreCaseMaxLength: number;
  readonly patterns: readonly RegExp[];
}

// PostHog's illegal distinct ids (ingestion `isDistinctIdIllegal`, posthog/posthog
// nodejs/src/common/persons/person-utils.ts): ids that "stem from a bug or mistake". PostHog
// matches these words in any casing (`uNdEfInEd`) ...
const IGNORE_CASE_WORDS = [
  'anonymous',
  'guest',
  'distinctid',
  'distinct_id',
  'id',
  'not_authenticated',
  'email',
  'undefined',
  'true',
  'false',
] as const;

// ... and these only as cased: `NaN` is a stringified number bug, `nan` may be a real handle.
// `nil` (Lua's `tostring(nil)`, Ruby's `nil.inspect`) is our addition, cased like Python's `None`.
const CASE_SENSITIVE_WORDS = ['[object Object]', 'NaN', 'None', 'none', 'null', 'nil', '0', 'undefined'] as const;

/** Both lists are also blocked wrapped in quotes, a JSON-encoding mistake PostHog has seen. */
function withQuotes(words: readonly string[]): string[] {
  return words.flatMap((w) => [w, `'${w}'`, `"${w}"`]);
}

/**
 * Segment's suggested blocks (§4.4: pattern `^[0-]*$`, exact `-1`, `null`, `anonymous`) plus
 * PostHog's illegal ids and whitespace-only values (PostHog blocks `id.trim() === ''`).
 * `^[0-]*$` also covers the empty string and `0`.
 */
const DEFAULT_EXACT: readonly string[] = ['-1', ...withQuotes(CASE_SENSITIVE_WORDS)];
const DEFAULT_IGNORE_CASE: readonly string[] = withQuotes(IGNORE_CASE_WORDS);
const DEFAULT_PATTERNS: readonly string[] = ['^[0-]*$', '^\\s*$'];

/**
 * Compiles the configured list, on top of the defaults unless `replaceDefaults`. Configured
 * strings are exact, case-sensitive matches (Segment's "exact match"); configured regexes get no
 * flags (the config format has none). Config validation has already compiled each regex once, so
 * a bad one here is a programming error and throws with the key named.
 */
export function compileBlockedValues(configured: readonly BlockedValueConfig[], replaceDefaults: boolean): BlockedValues {
  const exact = new Set<string>(replaceDefaults ? [] : DEFAULT_EXACT);
  const exactIgnoreCase = new Set<string>(replaceDefaults ? [] : DEFAULT_IGNORE_CASE);
  // Keyed by source so a configured copy of a default pattern is compiled and tested once.
  const patterns = new Map<string, RegExp>();
  if (!replaceDefaults) for (const source of DEFAULT_PATTERNS) patterns.set(source, new RegExp(source));
  configured.forEach((entry, i) => {
    if (typeof entry === 'string') {
      exact.add(entry);
      return;
    }
    if (patterns.has(entry.regex)) return;
    try {
      patterns.set(entry.regex, new RegExp(entry.regex));
    } catch {
      throw new Error(`identity.blockedValues[${i}].regex must be a valid regular expression`);
    }
  });
  let ignoreCaseMaxLength = 0;
  for (const word of exactIgnoreCase) ignoreCaseMaxLength = Math.max(ignoreCaseMaxLength, word.length);
  return Object.freeze({ exact, exactIgnoreCase, ignoreCaseMaxLength, patterns: Object.freeze([...patterns.values()]) });
}

/** Runs once per extracted value, so the lower-casing allocation is skipped when it cannot match. */
export function isBlockedValue(blocked: BlockedValues, value: string): boolean {
  if (blocked.exact.has(value)) return true;
  if (value.length <= blocked.ignoreCaseMaxLength && blocked.exactIgnoreCase.has(value.toLowerCase())) return true;
  // Patterns carry no `g`/`y` flag, so `test` keeps no lastIndex state between calls.
  for (const pattern of blocked.patterns) if (pattern.test(value)) return true;
  return false;
}
