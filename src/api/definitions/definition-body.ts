import { z } from 'zod';
import type { DefinitionKind, DefinitionTarget } from '../../definitions/ast.ts';
import type { DefinitionOptions } from '../../definitions/definition-record.ts';
import { parseIsoTimestamp } from '../../ingest/timestamps.ts';
import { DEFAULT_PREVIEW_LIMITS, MAX_PREVIEW_LIMITS } from '../../runtime/audience-preview.ts';
import type { DefinitionInput, DefinitionPatch, PreviewInput } from '../../runtime/definition-registry.ts';
import { isJsonObject } from '../../shared/json.ts';
import { err, ok } from '../../shared/result.ts';
import { booleanField, describe, parseBody, strictBody, stringField, truncate, type BodyResult } from '../schema/body-schema.ts';

export type { BodyResult } from '../schema/body-schema.ts';

/** Longest `name`, in characters (code points). */
export const MAX_NAME_LENGTH = 200;
/** Longest `description`, in characters (code points). */
export const MAX_DESCRIPTION_LENGTH = 2_000;

const TARGET_TEXT = '{"query": "<definition>", "type"?: "USERS"|"ACCOUNTS"}';

const nameSchema = (required: boolean) =>
  stringField('name', required ? '`name` is required: a non-empty string.' : undefined)
    .refine((value) => value.trim() !== '', { error: '`name` must not be empty.', abort: true })
    .refine((value) => [...value].length <= MAX_NAME_LENGTH, { error: (issue) => `\`name\` is ${[...String(issue.input)].length} characters long; at most ${MAX_NAME_LENGTH} are allowed.` })
    .meta({ description: `A name people read, 1 to ${MAX_NAME_LENGTH} characters.`, examples: ['Order Completed last 30days'] });

/** `description`: a string; `null` reads as absent (what a GET shows when there is none). */
const descriptionSchema = z
  .union([stringField('description'), z.null()], { error: (issue) => `\`description\` must be a string, got ${describe(issue.input)}.` })
  .refine((value) => value === null || [...value].length <= MAX_DESCRIPTION_LENGTH, {
    error: (issue) => `\`description\` is ${[...String(issue.input)].length} characters long; at most ${MAX_DESCRIPTION_LENGTH} are allowed.`,
  })
  .optional()
  .transform((value) => value ?? undefined)
  .meta({ description: `Free text, at most ${MAX_DESCRIPTION_LENGTH} characters; null for none.` });

const targetSchema = (path: string) =>
  z
    .enum(['USERS', 'ACCOUNTS'], { error: (issue) => `\`${path}\` must be "USERS" or "ACCOUNTS", got ${describe(issue.input)}.` })
    .nullable()
    .optional()
    .transform((value): DefinitionTarget | undefined => value ?? undefined);

const definitionSchema = strictBody(
  {
    query: stringField('definition.query', '`definition.query` is required: the definition text.').meta({
      description: 'The definition in the query language.',
      examples: ["event('Order Completed').within(30 days).count() >= 1"],
    }),
    type: targetSchema('definition.type').meta({ description: 'USERS (default) or ACCOUNTS.' }),
  },
  (input) => (input === undefined ? `\`definition\` is required: ${TARGET_TEXT}.` : `\`definition\` must be an object ${TARGET_TEXT}, got ${describe(input)}.`),
  'definition.',
);

const optionsSchema = strictBody(
  {
    includeHistoricalData: booleanField('options.includeHistoricalData').optional().meta({ description: 'Replay stored history when created (default true).' }),
    backfillEventDataDays: z
      .number({ error: (issue) => backfillDaysMessage(issue.input) })
      .int({ error: (issue) => backfillDaysMessage(issue.input) })
      .positive({ error: (issue) => backfillDaysMessage(issue.input) })
      .max(Number.MAX_SAFE_INTEGER, { error: (issue) => backfillDaysMessage(issue.input) })
      .nullable()
      .optional()
      .meta({ description: 'Days of history a backfill replays (all when absent).' }),
    includeAnonymousUsers: booleanField('options.includeAnonymousUsers').optional().meta({ description: 'Let profiles without a user id, email or ad id qualify (default false).' }),
  },
  (input) => `\`options\` must be an object, got ${describe(input)}.`,
  'options.',
);

function backfillDaysMessage(input: unknown): string {
  return `\`options.backfillEventDataDays\` must be a positive integer (days of history a backfill replays), got ${describe(input)}.`;
}

const optionsField = optionsSchema
  .nullable()
  .optional()
  .transform((value): DefinitionOptions => {
    const days = value?.backfillEventDataDays;
    return {
      includeHistoricalData: value?.includeHistoricalData ?? true,
      ...(typeof days === 'number' ? { backfillEventDataDays: days } : {}),
      includeAnonymousUsers: value?.includeAnonymousUsers ?? false,
    };
  });

/** `POST …/audiences`, `POST …/computed-traits`. */
export const createDefinitionSchema = strictBody(
  {
    name: nameSchema(true),
    key: z
      .string({ error: (issue) => `\`key\` must be a string (lower-case words joined by "_"), got ${describe(issue.input)}.` })
      .optional()
      .meta({ description: 'The trait key; derived from the name in snake_case when absent. Immutable, never reused.' }),
    description: descriptionSchema,
    definition: definitionSchema,
    enabled: booleanField('enabled').optional().meta({ description: 'Compute it (default true).' }),
    options: optionsField,
  },
  () => `The body must be a JSON object such as {"name": "…", "definition": {"query": "…"}}.`,
);

/** `PATCH …/audiences/{id}`, `PATCH …/computed-traits/{id}`: only the fields given change. */
export const patchDefinitionSchema = strictBody(
  {
    name: nameSchema(false).optional(),
    description: descriptionSchema,
    definition: definitionSchema.optional(),
    enabled: booleanField('enabled').optional(),
  },
  () => 'The body must be a JSON object with any of `name`, `description`, `definition`, `enabled`.',
);

/** `POST …/{audiences,computed-traits}/validate`. */
export const checkDefinitionSchema = strictBody(
  {
    query: stringField('query', '`query` is required: the definition text.').meta({ examples: ["event('Order Completed').count() >= 1"] }),
    type: targetSchema('type'),
  },
  () => 'The body must be a JSON object such as {"query": "…", "type"?: "USERS"|"ACCOUNTS"}.',
);

const limitSchema = (field: 'events' | 'ms') => {
  const most = MAX_PREVIEW_LIMITS[field];
  const message = (input: unknown) => `\`limits.${field}\` must be a whole number from 1 to ${most.toLocaleString('en-US')}, got ${describe(input)}.`;
  return z
    .number({ error: (issue) => message(issue.input) })
    .int({ error: (issue) => message(issue.input) })
    .min(1, { error: (issue) => message(issue.input) })
    .max(most, { error: (issue) => message(issue.input) })
    .nullable()
    .optional();
};

/** `POST …/audiences/preview`. */
export const previewSchema = strictBody(
  {
    query: stringField('query', '`query` is required: the audience definition to preview.').meta({ examples: ["event('Order Completed').within(30 days).count() >= 1"] }),
    type: targetSchema('type'),
    at: z
      .string({ error: (issue) => atMessage(issue.input) })
      .refine((text) => parseIsoTimestamp(text) !== undefined, { error: (issue) => atMessage(issue.input) })
      .nullable()
      .optional()
      .meta({ description: 'The instant asked about (ISO 8601); now when absent. Never in the past.', examples: ['2027-01-01T00:00:00Z'] }),
    options: optionsField,
    limits: strictBody({ events: limitSchema('events'), ms: limitSchema('ms') }, (input) => `\`limits\` must be an object {"events"?: n, "ms"?: n}, got ${describe(input)}.`, 'limits.')
      .nullable()
      .optional()
      .meta({ description: 'Where the preview stops and says it is partial.' }),
  },
  () => 'The body must be a JSON object such as {"query": "…", "at"?: "<ISO-8601 instant>"}.',
);

function atMessage(input: unknown): string {
  const shown = typeof input === 'string' ? JSON.stringify(truncate(input)) : describe(input);
  return `\`at\` must be an ISO-8601 instant such as "2026-12-01T00:00:00Z", got ${shown}.`;
}

/**
 * Checks a create body field by field, strictly: an unknown field, a wrong type or a missing
 * required field is a 400 `invalid_body` whose message names the field by its path
 * (`definition.query`). What the definition text means is the registry's to check (syntax,
 * types, cycles, keys).
 *
 * @example
 * parseCreateBody({ name: 'Buyers', definition: { query: "event('Order Completed').count() >= 1" } }, 'audience')
 * // → ok({ kind: 'audience', name: 'Buyers', query: …, target: 'USERS', enabled: true, options: { includeHistoricalData: true, includeAnonymousUsers: false } })
 */
export function parseCreateBody(body: unknown, kind: DefinitionKind): BodyResult<DefinitionInput> {
  const parsed = parseBody(createDefinitionSchema, body);
  if (!parsed.ok) return parsed;
  const { name, key, description, definition, enabled, options } = parsed.value;
  return ok({
    kind,
    name,
    ...(key === undefined ? {} : { key }),
    ...(description === undefined ? {} : { description }),
    query: definition.query,
    target: definition.type ?? 'USERS',
    enabled: enabled ?? true,
    options,
  });
}

/** A PATCH body: only the fields given change. `key` is refused as `key_immutable`. */
export interface PatchBody {
  readonly patch: DefinitionPatch;
  /** `definition.type` when given: it cannot change, so the route compares it with the stored one. */
  readonly target?: DefinitionTarget;
}

/**
 * Checks a PATCH body (`name`, `description`, `definition`, `enabled`). A body that carries `key`
 * is refused whole with `key_immutable`, whatever else it holds, so nothing changes; `options`
 * are fixed at creation.
 */
export function parsePatchBody(body: unknown): BodyResult<PatchBody> {
  if (isJsonObject(body) && Object.hasOwn(body, 'key')) return err({ code: 'key_immutable', message: '`key` cannot be changed after creation; leave it out of the PATCH body.' });
  if (isJsonObject(body) && Object.hasOwn(body, 'options')) return err({ code: 'invalid_body', message: '`options` cannot be changed after creation; create a new definition with other options.' });
  const parsed = parseBody(patchDefinitionSchema, body);
  if (!parsed.ok) return parsed;
  const { name, description, definition, enabled } = parsed.value;
  const patch: DefinitionPatch = {
    ...(name === undefined ? {} : { name }),
    ...(description === undefined ? {} : { description }),
    ...(definition === undefined ? {} : { query: definition.query }),
    ...(enabled === undefined ? {} : { enabled }),
  };
  const target = definition?.type;
  return ok({ patch, ...(target === undefined ? {} : { target }) });
}

/** A validate body (`POST …/{audiences,computed-traits}/validate`): `query` and an optional `type`. */
export function parseCheckBody(body: unknown): BodyResult<{ query: string; target: DefinitionTarget }> {
  const parsed = parseBody(checkDefinitionSchema, body);
  if (!parsed.ok) return parsed;
  return ok({ query: parsed.value.query, target: parsed.value.type ?? 'USERS' });
}

/**
 * Checks a preview body (`POST …/audiences/preview`): `query` (required), `type` (USERS or
 * ACCOUNTS), `at` (an ISO-8601 instant, now when absent), `options` as a creation takes them (the
 * preview answers as creating with them would), and `limits` `{events, ms}` (where it stops and
 * says it is partial; capped by `MAX_PREVIEW_LIMITS`).
 *
 * @example
 * parsePreviewBody({ query: "event('Order Completed').count() >= 1", at: '2026-12-01T00:00:00Z' })
 */
export function parsePreviewBody(body: unknown): BodyResult<PreviewInput> {
  const parsed = parseBody(previewSchema, body);
  if (!parsed.ok) return parsed;
  const { query, type, at, options, limits } = parsed.value;
  const instant = typeof at === 'string' ? parseIsoTimestamp(at) : undefined;
  return ok({
    query,
    target: type ?? 'USERS',
    options,
    ...(instant === undefined ? {} : { at: instant }),
    limits: { events: limits?.events ?? DEFAULT_PREVIEW_LIMITS.events, ms: limits?.ms ?? DEFAULT_PREVIEW_LIMITS.ms },
  });
}
