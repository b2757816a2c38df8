import { z } from 'zod';
import { ensureError } from '../shared/errors.ts';
import { identifierValueError } from '../shared/key-bounds.ts';
import { describe } from './config-checks.ts';
import {
  CLOCK_KINDS,
  IDENTIFIER_FREQUENCIES,
  KNOWN_KEYS,
  LOG_LEVELS,
  MAX_DEDUP_WINDOW_HOURS,
  MAX_PORT,
  MAX_SHARDS,
  MIN_DEDUP_WINDOW_HOURS,
  SPACE_DEFAULTS,
  SPACE_ID_PATTERN,
} from './config-schema.ts';
import type { BlockedValueConfig, IdentifierRuleConfig, SourceConfig } from './config.ts';
import { deriveSourceId } from './source-id.ts';

/**
 * The config file as zod schemas. Each message is the text after the offending key's dotted
 * path (`must be a positive integer, got number 0`); `formatConfigIssue` puts the path in front,
 * as every config error reads (`config.actorCacheSize must be …`). Rules across spaces (unique
 * ids and credentials) are checked after parsing, by `check-unique-credentials.ts`.
 */

/** zod's issue kind for a check of our own (a zod code, not one of the API's error codes). */
const ZOD_CUSTOM = 'custom' as const;

/** Marks an unknown-keys message: the formatter adds the offending key and where it was found. */
const KNOWN_KEYS_PREFIX = 'known keys: ';

const nonEmptyText = (input: unknown) => `must be a non-empty string, got ${describe(input)}`;
const integerText = (min: number, max: number) => (input: unknown) => `must be an integer from ${min} to ${max}, got ${describe(input)}`;
const positiveText = (input: unknown) => `must be a positive integer, got ${describe(input)}`;
const oneOfText = (allowed: readonly string[]) => (input: unknown) => `must be one of ${allowed.join(', ')}, got ${typeof input === 'string' ? JSON.stringify(input.slice(0, 40)) : describe(input)}`;

const nonEmptyString = () => z.string({ error: (issue) => nonEmptyText(issue.input) }).min(1, { error: (issue) => nonEmptyText(issue.input) });

const integerIn = (min: number, max: number, text: (input: unknown) => string = integerText(min, max)) =>
  z.number({ error: (issue) => text(issue.input) }).refine((value) => Number.isSafeInteger(value) && value >= min && value <= max, { error: (issue) => text(issue.input) });

const positiveInteger = () => integerIn(1, Number.MAX_SAFE_INTEGER, positiveText);
const booleanValue = () => z.boolean({ error: (issue) => `must be true or false, got ${describe(issue.input)}` });
const enumOf = <T extends string>(allowed: readonly [T, ...T[]]) => z.enum(allowed, { error: (issue) => oneOfText(allowed)(issue.input) });
const arrayOf = <T extends z.ZodType>(item: T) => z.array(item, { error: (issue) => `must be an array, got ${describe(issue.input)}` });
const stringList = () => arrayOf(nonEmptyString());

/** An object with exactly `known` keys (in that order): an unknown one stops start-up, named. */
function strictObjectOf<Shape extends z.ZodRawShape>(shape: Shape, known: readonly string[]) {
  return z.strictObject(shape, { error: (issue) => (issue.code === 'unrecognized_keys' ? `${KNOWN_KEYS_PREFIX}${known.join(', ')}` : `must be an object, got ${describe(issue.input)}`) });
}

/**
 * A value that may take two shapes (a string or an object): the shape is chosen by the input's
 * type, so the message is the one of the shape the person meant, at its own path.
 */
function stringOrObject<S extends z.ZodType, O extends z.ZodType>(asString: S, asObject: O, expected: string) {
  return z.unknown().transform((input, context): z.output<S> | z.output<O> => {
    const schema: z.ZodType | undefined = typeof input === 'string' ? asString : typeof input === 'object' && input !== null && !Array.isArray(input) ? asObject : undefined;
    if (schema === undefined) {
      context.addIssue({ code: ZOD_CUSTOM, message: `must be ${expected}, got ${describe(input)}` });
      return z.NEVER;
    }
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      // Re-raised here: zod puts each under this value's path.
      for (const issue of parsed.error.issues) context.addIssue({ ...issue });
      return z.NEVER;
    }
    return parsed.data as z.output<S> | z.output<O>;
  });
}

/** A string write key (its source id derived from it) or `{ key, sourceId, name? }`; `name` defaults to the source id. */
const writeKeySchema = stringOrObject(
  nonEmptyString().transform((key): SourceConfig => {
    const sourceId = deriveSourceId(key);
    return { key, sourceId, name: sourceId };
  }),
  strictObjectOf({ key: nonEmptyString(), sourceId: nonEmptyString(), name: nonEmptyString().optional() }, KNOWN_KEYS.writeKey).transform(
    ({ key, sourceId, name }): SourceConfig => ({ key, sourceId, name: name ?? sourceId }),
  ),
  'a non-empty string or an object { "key", "sourceId", "name"? }',
);

const identifierRuleSchema = strictObjectOf(
  { type: nonEmptyString(), limit: positiveInteger(), frequency: enumOf(IDENTIFIER_FREQUENCIES).optional(), priority: positiveInteger() },
  KNOWN_KEYS.identifierRule,
).transform(({ type, limit, frequency, priority }): IdentifierRuleConfig => (frequency === undefined ? { type, limit, priority } : { type, limit, frequency, priority }));

/** A type listed twice would make "listed types override the defaults" ambiguous; the issue names the first place. */
const identifierRulesSchema = arrayOf(identifierRuleSchema).superRefine((rules, context) => {
  const first = new Map<string, number>();
  for (const [i, rule] of rules.entries()) {
    const seen = first.get(rule.type);
    if (seen !== undefined) {
      context.addIssue({ code: ZOD_CUSTOM, path: [i, 'type'], message: 'repeats', params: { firstIndex: seen } });
      return;
    }
    first.set(rule.type, i);
  }
});

const blockedValueSchema = stringOrObject(
  nonEmptyString(),
  strictObjectOf(
    {
      // Compiled here only to fail at start-up rather than on the first event; the identity module
      // compiles its own copy. No flags: the config format has none.
      regex: nonEmptyString().superRefine((source, context) => {
        try {
          new RegExp(source);
        } catch (error) {
          context.addIssue({ code: ZOD_CUSTOM, message: `must be a valid regular expression: ${ensureError(error).message}` });
        }
      }),
    },
    KNOWN_KEYS.blockedValue,
  ).transform(({ regex }): BlockedValueConfig => ({ regex })),
  'a non-empty string or an object { "regex": "..." }',
);

const identitySchema = strictObjectOf(
  {
    identifiers: identifierRulesSchema.optional(),
    blockedValues: arrayOf(blockedValueSchema).optional(),
    replaceDefaultBlockedValues: booleanValue().optional(),
  },
  KNOWN_KEYS.identity,
).transform((identity) => ({
  identifiers: identity.identifiers ?? SPACE_DEFAULTS.identity.identifiers,
  blockedValues: identity.blockedValues ?? SPACE_DEFAULTS.identity.blockedValues,
  replaceDefaultBlockedValues: identity.replaceDefaultBlockedValues ?? SPACE_DEFAULTS.identity.replaceDefaultBlockedValues,
}));

const spaceSchema = strictObjectOf(
  {
    // The id appears in URLs and LMDB keys, hence the conservative alphabet.
    id: nonEmptyString().refine((id) => SPACE_ID_PATTERN.test(id), {
      error: (issue) => `must match ${String(SPACE_ID_PATTERN)} (letters, digits, _ and -, at most 64), got ${JSON.stringify(String(issue.input).slice(0, 80))}`,
    }),
    // A space nobody can write to is almost certainly a mistake in the file, not an intent.
    writeKeys: arrayOf(writeKeySchema).min(1, { error: 'must list at least one write key' }),
    accessTokens: stringList(),
    adminTokens: stringList(),
    notifyTransientFailures: booleanValue().optional(),
    identity: identitySchema.optional(),
    // Suppressions are userIds: bounded like every identifier (shared/key-bounds.ts), so one that
    // ingestion could never accept is a typo, and DELETE …/suppressions/{userId} can bound its key.
    suppressedUserIds: stringList()
      .superRefine((userIds, context) => {
        for (const [i, userId] of userIds.entries()) {
          const refusal = identifierValueError(userId, '');
          if (refusal !== undefined) context.addIssue({ code: ZOD_CUSTOM, path: [i], message: refusal.message.trim() });
        }
      })
      .optional(),
  },
  KNOWN_KEYS.space,
);

/** `"shards"`: a count, or `"auto"` (resolved against the machine by `validateConfig`). */
const shardsSchema = z.union([z.literal('auto'), z.number()], {
  error: (issue) => (typeof issue.input === 'string' ? `must be an integer from 1 to ${MAX_SHARDS} or "auto", got ${JSON.stringify(issue.input.slice(0, 40))}` : integerText(1, MAX_SHARDS)(issue.input)),
}).refine((value) => value === 'auto' || (Number.isSafeInteger(value) && value >= 1 && value <= MAX_SHARDS), { error: (issue) => integerText(1, MAX_SHARDS)(issue.input) });

/** Below 24 hours the contract's dedup promise would break: say so, not just "out of range". */
const dedupWindowText = (input: unknown) =>
  typeof input === 'number' && Number.isSafeInteger(input) && input < MIN_DEDUP_WINDOW_HOURS
    ? `must be at least ${MIN_DEDUP_WINDOW_HOURS} (hours): a replayed messageId is ignored for at least 24 hours, got number ${input}`
    : integerText(MIN_DEDUP_WINDOW_HOURS, MAX_DEDUP_WINDOW_HOURS)(input);

/** The whole file, as merged from files and env (top-level defaults come from `config/default.json`). */
export const configSchema = strictObjectOf(
  {
    host: nonEmptyString(),
    // 0 asks the OS for a free port (tests run several engines side by side).
    port: integerIn(0, MAX_PORT),
    dataDir: nonEmptyString(),
    shards: shardsSchema,
    logLevel: enumOf(LOG_LEVELS),
    clock: enumOf(CLOCK_KINDS),
    // Every request is authenticated against a space; with none, the engine could accept nothing.
    spaces: arrayOf(spaceSchema).min(1, { error: 'must list at least one space' }),
    requestTimeoutMs: positiveInteger(),
    maxQueuedEventsPerShard: positiveInteger(),
    actorCacheSize: positiveInteger(),
    dedupWindowHours: integerIn(MIN_DEDUP_WINDOW_HOURS, MAX_DEDUP_WINDOW_HOURS, dedupWindowText),
    maxCustomIdentifierTypesPerSpace: integerIn(0, 10_000),
  },
  KNOWN_KEYS.config,
);

/** A config path as messages show it: `config.spaces[0].writeKeys[1].key`. */
export function configPath(root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((at, part) => (typeof part === 'number' ? `${at}[${part}]` : `${at}.${String(part)}`), root);
}

/**
 * The first problem, as the hand-written readers reported it: at each level unknown keys come
 * before the values inside it, then values in the file's key order.
 */
export function formatConfigIssue(issues: readonly z.core.$ZodIssue[], root: string): { key: string; message: string } {
  const first = issues[0]!;
  const unknownAbove = issues
    .filter((issue) => issue.code === 'unrecognized_keys' && issue.path.length <= first.path.length && issue.path.every((part, i) => part === first.path[i]))
    .sort((a, b) => a.path.length - b.path.length)[0];
  const issue = unknownAbove ?? first;
  if (issue.code === 'unrecognized_keys') {
    const at = configPath(root, issue.path);
    const key = `${at}.${issue.keys[0] ?? ''}`;
    return { key, message: `${key} is not a known key (known keys at ${at}: ${issue.message.slice(KNOWN_KEYS_PREFIX.length)})` };
  }
  const key = configPath(root, issue.path);
  if (issue.code === 'custom' && issue.message === 'repeats' && typeof issue.params?.['firstIndex'] === 'number') {
    const firstPath = configPath(root, [...issue.path.slice(0, -2), issue.params['firstIndex'], 'type']);
    return { key, message: `${key} repeats ${firstPath}: each identifier type may be listed once` };
  }
  return { key, message: `${key} ${issue.message}` };
}
