import { z } from 'zod';
import type { ErrorData } from '../../shared/errors.ts';
import { err, ok, type Result } from '../../shared/result.ts';

export type BodyResult<T> = Result<T, ErrorData>;

/**
 * Request bodies are zod schemas: the same schema checks a body and, through `z.toJSONSchema`,
 * describes it in the OpenAPI document (`api/openapi/`), so the two cannot drift apart. Each
 * field carries the message a person gets for it (a 400 `invalid_body` naming the field by its
 * path), so the checks read as before the schemas: one problem at a time, unknown fields first.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): BodyResult<z.output<S>> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return ok(parsed.data);
  const issues = parsed.error.issues;
  // An unknown field is named before anything else (a misspelt field is why another is missing).
  const first = issues.find((issue) => issue.code === 'unrecognized_keys') ?? issues[0];
  return err({ code: 'invalid_body', message: first?.message ?? 'The body is not valid.' });
}

/** A value's JSON type for a message, without echoing large or hostile content. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
    case 'boolean':
      return String(value);
    default:
      return 'an object';
  }
}

/** A field's name as messages show it, cut when long (names come from the request). */
export function truncate(field: string): string {
  return field.length > 60 ? `${field.slice(0, 60)}…` : field;
}

/** The message for fields an object does not have: every one named (up to ten), with what is allowed. */
export function unknownFieldsMessage(extra: readonly string[], allowed: readonly string[], prefix: string): string {
  const names = extra.slice(0, 10).map((field) => `\`${prefix}${truncate(field)}\``);
  const more = extra.length > 10 ? ` and ${extra.length - 10} more` : '';
  const allowedNames = allowed.map((field) => `\`${prefix}${field}\``).join(', ');
  return `Unknown field${extra.length === 1 ? '' : 's'} ${names.join(', ')}${more}; allowed: ${allowedNames}.`;
}

/**
 * A JSON object with exactly these fields: `notObject` is the message for anything else; unknown
 * fields get `unknownFieldsMessage` with the field path prefix.
 */
export function strictBody<Shape extends z.ZodRawShape>(
  shape: Shape,
  notObject: (input: unknown) => string,
  prefix = '',
  unknownMessage: (extra: readonly string[], allowed: readonly string[], prefix: string) => string = unknownFieldsMessage,
): z.ZodObject<Shape, z.core.$strict> {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? unknownMessage(issue.keys, allowed, prefix) : notObject(issue.input)),
  });
}

/** `true` or `false`, with the field's path in the message. */
export function booleanField(path: string): z.ZodBoolean {
  return z.boolean({ error: (issue) => `\`${path}\` must be true or false, got ${describe(issue.input)}.` });
}

/** A string; `required` is the message when it is missing (else it may be absent). */
export function stringField(path: string, required?: string): z.ZodString {
  return z.string({ error: (issue) => (issue.input === undefined && required !== undefined ? required : `\`${path}\` must be a string, got ${describe(issue.input)}.`) });
}
