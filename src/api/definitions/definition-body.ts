import type { DefinitionKind, DefinitionTarget } from '../../definitions/ast.ts';
import type { DefinitionOptions } from '../../definitions/definition-record.ts';
import type { DefinitionInput, DefinitionPatch, PreviewInput } from '../../runtime/definition-registry.ts';
import { DEFAULT_PREVIEW_LIMITS, MAX_PREVIEW_LIMITS, type PreviewLimits } from '../../runtime/audience-preview.ts';
import { parseIsoTimestamp } from '../../ingest/timestamps.ts';
import type { ErrorData } from '../../shared/errors.ts';
import { isJsonObject, type Json, type JsonObject } from '../../shared/json.ts';
import { err, ok, type Result } from '../../shared/result.ts';

/** Longest `name`, in characters (code points). */
export const MAX_NAME_LENGTH = 200;
/** Longest `description`, in characters (code points). */
export const MAX_DESCRIPTION_LENGTH = 2_000;

export type BodyResult<T> = Result<T, ErrorData>;

const CREATE_FIELDS = ['name', 'key', 'description', 'definition', 'enabled', 'options'] as const;
const PATCH_FIELDS = ['name', 'description', 'definition', 'enabled'] as const;
const DEFINITION_FIELDS = ['query', 'type'] as const;
const OPTION_FIELDS = ['includeHistoricalData', 'backfillEventDataDays', 'includeAnonymousUsers'] as const;
const PREVIEW_FIELDS = ['query', 'type', 'at', 'options', 'limits'] as const;
const CHECK_FIELDS = ['query', 'type'] as const;
const LIMIT_FIELDS = ['events', 'ms'] as const;
const TARGETS: readonly DefinitionTarget[] = ['USERS', 'ACCOUNTS'];

/**
 * Checks a create body (`POST …/audiences`, `POST …/computed-traits`) field by field, strictly:
 * an unknown field, a wrong type or a missing required field is a 400 `invalid_body` whose message
 * names the field by its path (`definition.query`). What the definition text means is the
 * registry's to check (syntax, types, cycles, keys).
 *
 * @example
 * parseCreateBody({ name: 'Buyers', definition: { query: "event('Order Completed').count() >= 1" } }, 'audience')
 * // → ok({ kind: 'audience', name: 'Buyers', query: …, target: 'USERS', enabled: true, options: { includeHistoricalData: true, includeAnonymousUsers: false } })
 */
export function parseCreateBody(body: unknown, kind: DefinitionKind): BodyResult<DefinitionInput> {
  if (!isJsonObject(body)) return invalid(`The body must be a JSON object such as {"name": "…", "definition": {"query": "…"}}.`);
  const unknown = unknownFields(body, CREATE_FIELDS, '');
  if (unknown !== undefined) return unknown;

  if (body['name'] === undefined) return invalid('`name` is required: a non-empty string.');
  const name = readName(body['name']);
  if (!name.ok) return name;
  const key = body['key'];
  if (key !== undefined && typeof key !== 'string') return invalid(`\`key\` must be a string (lower-case words joined by "_"), got ${describe(key)}.`);
  const description = readDescription(body['description']);
  if (!description.ok) return description;
  if (body['definition'] === undefined) return invalid('`definition` is required: {"query": "<definition>", "type"?: "USERS"|"ACCOUNTS"}.');
  const definition = readDefinition(body['definition']);
  if (!definition.ok) return definition;
  const enabled = readBoolean(body['enabled'], 'enabled', true);
  if (!enabled.ok) return enabled;
  const options = readOptions(body['options']);
  if (!options.ok) return options;

  return ok({
    kind,
    name: name.value,
    ...(key === undefined ? {} : { key }),
    ...(description.value === undefined ? {} : { description: description.value }),
    query: definition.value.query,
    target: definition.value.type ?? 'USERS',
    enabled: enabled.value,
    options: options.value,
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
  if (!isJsonObject(body)) return invalid('The body must be a JSON object with any of `name`, `description`, `definition`, `enabled`.');
  if (Object.hasOwn(body, 'key')) return err({ code: 'key_immutable', message: '`key` cannot be changed after creation; leave it out of the PATCH body.' });
  if (Object.hasOwn(body, 'options')) return invalid('`options` cannot be changed after creation; create a new definition with other options.');
  const unknown = unknownFields(body, PATCH_FIELDS, '');
  if (unknown !== undefined) return unknown;

  const name = body['name'] === undefined ? ok(undefined) : readName(body['name']);
  if (!name.ok) return name;
  const description = readDescription(body['description']);
  if (!description.ok) return description;
  const definition = body['definition'] === undefined ? ok(undefined) : readDefinition(body['definition']);
  if (!definition.ok) return definition;
  const enabled = body['enabled'] === undefined ? ok(undefined) : readBoolean(body['enabled'], 'enabled', false);
  if (!enabled.ok) return enabled;

  const patch: DefinitionPatch = {
    ...(name.value === undefined ? {} : { name: name.value }),
    ...(description.value === undefined ? {} : { description: description.value }),
    ...(definition.value === undefined ? {} : { query: definition.value.query }),
    ...(enabled.value === undefined ? {} : { enabled: enabled.value }),
  };
  const target = definition.value?.type;
  return ok({ patch, ...(target === undefined ? {} : { target }) });
}

/** A validate body (`POST …/{audiences,computed-traits}/validate`): `query` and an optional `type`. */
export function parseCheckBody(body: unknown): BodyResult<{ query: string; target: DefinitionTarget }> {
  if (!isJsonObject(body)) return invalid('The body must be a JSON object such as {"query": "…", "type"?: "USERS"|"ACCOUNTS"}.');
  const unknown = unknownFields(body, CHECK_FIELDS, '');
  if (unknown !== undefined) return unknown;
  const query = readQuery(body['query']);
  if (!query.ok) return query;
  const target = readTarget(body['type']);
  if (!target.ok) return target;
  return ok({ query: query.value, target: target.value });
}

function readQuery(value: Json | undefined): BodyResult<string> {
  if (value === undefined) return invalid('`query` is required: the definition text.');
  if (typeof value !== 'string') return invalid(`\`query\` must be a string, got ${describe(value)}.`);
  return ok(value);
}

function readTarget(value: Json | undefined): BodyResult<DefinitionTarget> {
  const target = value === undefined || value === null ? 'USERS' : TARGETS.find((t) => t === value);
  if (target === undefined) return invalid(`\`type\` must be "USERS" or "ACCOUNTS", got ${describe(value ?? null)}.`);
  return ok(target);
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
  if (!isJsonObject(body)) return invalid('The body must be a JSON object such as {"query": "…", "at"?: "<ISO-8601 instant>"}.');
  const unknown = unknownFields(body, PREVIEW_FIELDS, '');
  if (unknown !== undefined) return unknown;
  if (body['query'] === undefined) return invalid('`query` is required: the audience definition to preview.');
  const query = readQuery(body['query']);
  if (!query.ok) return query;
  const target = readTarget(body['type']);
  if (!target.ok) return target;
  const atText = body['at'];
  let at: number | undefined;
  if (atText !== undefined && atText !== null) {
    at = typeof atText === 'string' ? parseIsoTimestamp(atText) : undefined;
    if (at === undefined) return invalid(`\`at\` must be an ISO-8601 instant such as "2026-12-01T00:00:00Z", got ${typeof atText === 'string' ? JSON.stringify(truncate(atText)) : describe(atText)}.`);
  }
  const options = readOptions(body['options']);
  if (!options.ok) return options;
  const limits = readLimits(body['limits']);
  if (!limits.ok) return limits;
  return ok({ query: query.value, target: target.value, options: options.value, ...(at === undefined ? {} : { at }), limits: limits.value });
}

function readLimits(value: Json | undefined): BodyResult<PreviewLimits> {
  if (value === undefined || value === null) return ok(DEFAULT_PREVIEW_LIMITS);
  if (!isJsonObject(value)) return invalid(`\`limits\` must be an object {"events"?: n, "ms"?: n}, got ${describe(value)}.`);
  const unknown = unknownFields(value, LIMIT_FIELDS, 'limits.');
  if (unknown !== undefined) return unknown;
  const limits = { ...DEFAULT_PREVIEW_LIMITS };
  for (const field of LIMIT_FIELDS) {
    const given = value[field];
    if (given === undefined || given === null) continue;
    const most = MAX_PREVIEW_LIMITS[field];
    if (!(typeof given === 'number' && Number.isSafeInteger(given) && given > 0 && given <= most)) {
      return invalid(`\`limits.${field}\` must be a whole number from 1 to ${most.toLocaleString('en-US')}, got ${describe(given)}.`);
    }
    limits[field] = given;
  }
  return ok(limits);
}

function readName(value: Json): BodyResult<string> {
  if (typeof value !== 'string') return invalid(`\`name\` must be a string, got ${describe(value)}.`);
  if (value.trim() === '') return invalid('`name` must not be empty.');
  const length = [...value].length;
  if (length > MAX_NAME_LENGTH) return invalid(`\`name\` is ${length} characters long; at most ${MAX_NAME_LENGTH} are allowed.`);
  return ok(value);
}

/** `description`: a string; `null` reads as absent (what a GET shows when there is none). */
function readDescription(value: Json | undefined): BodyResult<string | undefined> {
  if (value === undefined || value === null) return ok(undefined);
  if (typeof value !== 'string') return invalid(`\`description\` must be a string, got ${describe(value)}.`);
  const length = [...value].length;
  if (length > MAX_DESCRIPTION_LENGTH) return invalid(`\`description\` is ${length} characters long; at most ${MAX_DESCRIPTION_LENGTH} are allowed.`);
  return ok(value);
}

function readDefinition(value: Json): BodyResult<{ query: string; type?: DefinitionTarget }> {
  if (!isJsonObject(value)) return invalid(`\`definition\` must be an object {"query": "<definition>", "type"?: "USERS"|"ACCOUNTS"}, got ${describe(value)}.`);
  const unknown = unknownFields(value, DEFINITION_FIELDS, 'definition.');
  if (unknown !== undefined) return unknown;
  const query = value['query'];
  if (query === undefined) return invalid('`definition.query` is required: the definition text.');
  if (typeof query !== 'string') return invalid(`\`definition.query\` must be a string, got ${describe(query)}.`);
  const type = value['type'];
  if (type === undefined || type === null) return ok({ query });
  const target = TARGETS.find((t) => t === type);
  if (target === undefined) return invalid(`\`definition.type\` must be "USERS" or "ACCOUNTS", got ${describe(type)}.`);
  return ok({ query, type: target });
}

function readOptions(value: Json | undefined): BodyResult<DefinitionOptions> {
  if (value === undefined || value === null) return ok({ includeHistoricalData: true, includeAnonymousUsers: false });
  if (!isJsonObject(value)) return invalid(`\`options\` must be an object, got ${describe(value)}.`);
  const unknown = unknownFields(value, OPTION_FIELDS, 'options.');
  if (unknown !== undefined) return unknown;
  const historical = readBoolean(value['includeHistoricalData'], 'options.includeHistoricalData', true);
  if (!historical.ok) return historical;
  const anonymous = readBoolean(value['includeAnonymousUsers'], 'options.includeAnonymousUsers', false);
  if (!anonymous.ok) return anonymous;
  const days = value['backfillEventDataDays'];
  if (days !== undefined && days !== null && !(typeof days === 'number' && Number.isSafeInteger(days) && days > 0)) {
    return invalid(`\`options.backfillEventDataDays\` must be a positive integer (days of history a backfill replays), got ${describe(days)}.`);
  }
  return ok({
    includeHistoricalData: historical.value,
    ...(typeof days === 'number' ? { backfillEventDataDays: days } : {}),
    includeAnonymousUsers: anonymous.value,
  });
}

function readBoolean(value: Json | undefined, path: string, fallback: boolean): BodyResult<boolean> {
  if (value === undefined) return ok(fallback);
  if (typeof value !== 'boolean') return invalid(`\`${path}\` must be true or false, got ${describe(value)}.`);
  return ok(value);
}

/** A 400 naming every field the object has beyond `allowed` (with its path prefix). */
function unknownFields(object: JsonObject, allowed: readonly string[], prefix: string): BodyResult<never> | undefined {
  const extra = Object.keys(object).filter((field) => !allowed.includes(field));
  if (extra.length === 0) return undefined;
  const names = extra.slice(0, 10).map((field) => `\`${prefix}${truncate(field)}\``);
  const more = extra.length > 10 ? ` and ${extra.length - 10} more` : '';
  const allowedNames = allowed.map((field) => `\`${prefix}${field}\``).join(', ');
  return invalid(`Unknown field${extra.length === 1 ? '' : 's'} ${names.join(', ')}${more}; allowed: ${allowedNames}.`);
}

/** A value's JSON type for a message, without echoing large or hostile content. */
function describe(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return String(value);
    case 'boolean':
      return String(value);
    default:
      return 'an object';
  }
}

function truncate(field: string): string {
  return field.length > 60 ? `${field.slice(0, 60)}…` : field;
}

function invalid(message: string): BodyResult<never> {
  return err({ code: 'invalid_body', message });
}
