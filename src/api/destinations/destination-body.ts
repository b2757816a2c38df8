import { z } from 'zod';
import type { DestinationInput, DestinationPatch } from '../../runtime/destination-registry.ts';
import { ok } from '../../shared/result.ts';
import type { SyncFormat, WebhookSettings } from '../../sync/destination-record.ts';
import { isValidSigningSecret } from '../../sync/webhook-signature.ts';
import { parseBody, strictBody, type BodyResult } from '../schema/body-schema.ts';

export const MAX_DESTINATION_NAME_LENGTH = 200;
export const MAX_URL_LENGTH = 2_048;
export const MAX_HEADERS = 50;
export const MAX_HEADER_VALUE_LENGTH = 4_096;
export const DEFAULT_TIMEOUT_MS = 10_000;
export const MIN_TIMEOUT_MS = 100;
export const MAX_TIMEOUT_MS = 60_000;

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers the engine sets itself: framing, the JSON body, and the signature. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature']);
/** zod's issue kind for a check of our own (a zod code, not one of the API's error codes). */
const ZOD_CUSTOM = 'custom' as const;
const SECRET_MESSAGE = '`settings.secret` must be a Standard Webhooks signing secret: "whsec_" followed by 24 to 64 bytes in base64.';

/** A value as this API's messages show it: its type and, for scalars, the value (`string "x"`). */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value).slice(0, 60)}`;
}

/** The destinations API names the first unknown field, and what it expected. */
function unknownField(extra: readonly string[], allowed: readonly string[], prefix: string): string {
  return `Unknown field \`${prefix}${(extra[0] ?? '').slice(0, 100)}\`; expected ${allowed.map((f) => `\`${prefix}${f}\``).join(', ')}.`;
}

const nameSchema = z
  .string({ error: '`name` is required: a non-empty string.' })
  .refine((value) => value.trim() !== '', { error: '`name` is required: a non-empty string.', abort: true })
  .refine((value) => [...value].length <= MAX_DESTINATION_NAME_LENGTH, { error: `\`name\` is longer than ${MAX_DESTINATION_NAME_LENGTH} characters.` });

const urlSchema = (required: boolean) =>
  z
    .string({ error: (issue) => (issue.input === undefined && required ? '`settings.url` is required: the http(s) URL messages are POSTed to.' : `\`settings.url\` must be a string, got ${describe(issue.input)}.`) })
    .transform((value, context) => {
      const refuse = (message: string) => {
        context.addIssue({ code: ZOD_CUSTOM, message });
        return z.NEVER;
      };
      if (value.length > MAX_URL_LENGTH) return refuse(`\`settings.url\` is longer than ${MAX_URL_LENGTH} characters.`);
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        return refuse(`\`settings.url\` is not a URL: ${JSON.stringify(value.slice(0, 100))}.`);
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return refuse(`\`settings.url\` must use http or https, got ${JSON.stringify(parsed.protocol)}.`);
      if (parsed.username !== '' || parsed.password !== '') return refuse('`settings.url` must not carry credentials; put them in `settings.headers` (never shown in full).');
      return parsed.toString();
    })
    .meta({ description: 'The http(s) URL each message is POSTed to.', examples: ['https://crm.example.com/hooks/troupe'] });

const headersSchema = z
  .record(z.string(), z.string(), { error: (issue) => (issue.path?.length === 1 ? `\`settings.headers.${String(issue.path[0])}\` must be a string.` : `\`settings.headers\` must be an object of header names to string values, got ${describe(issue.input)}.`) })
  .superRefine((headers, context) => {
    const entries = Object.entries(headers);
    if (entries.length > MAX_HEADERS) return void context.addIssue({ code: ZOD_CUSTOM, message: `\`settings.headers\` has more than ${MAX_HEADERS} headers.` });
    for (const [name, value] of entries) {
      const refuse = (message: string) => context.addIssue({ code: ZOD_CUSTOM, message });
      if (!HEADER_NAME.test(name)) return void refuse(`\`settings.headers\` has an invalid header name ${JSON.stringify(name.slice(0, 100))}.`);
      if (RESERVED_HEADERS.has(name.toLowerCase())) return void refuse(`\`settings.headers.${name}\` is set by the engine and cannot be configured.`);
      if (value.length > MAX_HEADER_VALUE_LENGTH || /[\r\n\0]/.test(value)) return void refuse(`\`settings.headers.${name}\` must be at most ${MAX_HEADER_VALUE_LENGTH} characters, without line breaks or NUL.`);
    }
  })
  .meta({ description: `Header names to values, sent with every message (at most ${MAX_HEADERS}; never shown in full).` });

const secretSchema = z.string({ error: SECRET_MESSAGE }).refine(isValidSigningSecret, { error: SECRET_MESSAGE }).meta({ description: 'A Standard Webhooks signing secret ("whsec_…"): messages are signed with it.' });

const timeoutSchema = z
  .number({ error: (issue) => timeoutMessage(issue.input) })
  .int({ error: (issue) => timeoutMessage(issue.input) })
  .min(MIN_TIMEOUT_MS, { error: (issue) => timeoutMessage(issue.input) })
  .max(MAX_TIMEOUT_MS, { error: (issue) => timeoutMessage(issue.input) })
  .meta({ description: `How long one attempt may take (default ${DEFAULT_TIMEOUT_MS}).` });

function timeoutMessage(input: unknown): string {
  return `\`settings.timeoutMs\` must be a whole number of milliseconds from ${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS}, got ${describe(input)}.`;
}

const booleanFieldOf = (path: string) => z.boolean({ error: (issue) => `\`${path}\` must be true or false, got ${describe(issue.input)}.` });

const sharedSettings = {
  headers: headersSchema.optional(),
  sendAliasOnMerge: booleanFieldOf('settings.sendAliasOnMerge').optional().meta({ description: 'Send an alias message when profiles merge (default false).' }),
  timeoutMs: timeoutSchema.optional(),
};

const settingsNotObject = (required: boolean) => (input: unknown) =>
  input === undefined && required ? '`settings` is required: {"url": "https://…"}.' : `\`settings\` must be an object such as {"url": "https://…"}, got ${describe(input)}.`;

const createSettingsSchema = strictBody({ url: urlSchema(true), headers: sharedSettings.headers, sendAliasOnMerge: sharedSettings.sendAliasOnMerge, secret: secretSchema.optional(), timeoutMs: sharedSettings.timeoutMs }, settingsNotObject(true), 'settings.', unknownField);

// In a PATCH every field is optional, and `secret: null` removes signing.
const patchSettingsSchema = strictBody(
  { url: urlSchema(false).optional(), headers: sharedSettings.headers, sendAliasOnMerge: sharedSettings.sendAliasOnMerge, secret: z.union([secretSchema, z.null()], { error: SECRET_MESSAGE }).optional(), timeoutMs: sharedSettings.timeoutMs },
  settingsNotObject(false),
  'settings.',
  unknownField,
);

/** `POST /v1/spaces/{space}/destinations`. */
export const createDestinationSchema = strictBody(
  {
    name: nameSchema,
    type: z.literal('webhook', { error: (issue) => `\`type\` must be "webhook" (the only destination type), got ${describe(issue.input)}.` }).optional(),
    settings: createSettingsSchema,
    enabled: booleanFieldOf('enabled').optional(),
  },
  () => 'The body must be a JSON object such as {"name": "…", "type": "webhook", "settings": {"url": "https://…"}}.',
  '',
  unknownField,
);

/** `PATCH …/destinations/{id}`. */
export const patchDestinationSchema = strictBody(
  { name: nameSchema.optional(), settings: patchSettingsSchema.optional(), enabled: booleanFieldOf('enabled').optional() },
  () => 'The body must be a JSON object with any of `name`, `settings`, `enabled`.',
  '',
  unknownField,
);

/** `PUT …/{audiences|computed-traits}/{id}/destinations/{destinationId}`. */
export const connectSchema = strictBody(
  { format: z.enum(['identify', 'track'], { error: (issue) => `\`format\` must be "identify" or "track", got ${describe(issue.input)}.` }) },
  () => 'The body must be a JSON object: {"format": "identify"} or {"format": "track"}.',
  '',
  unknownField,
);

/**
 * `POST /v1/spaces/{space}/destinations`: `{name, type: "webhook", settings: {url, headers?,
 * sendAliasOnMerge?, secret?, timeoutMs?}, enabled?}`, checked strictly; every refusal is a 400
 * `invalid_body` naming the field.
 */
export function parseDestinationCreate(body: unknown): BodyResult<DestinationInput> {
  const parsed = parseBody(createDestinationSchema, body);
  if (!parsed.ok) return parsed;
  const { name, settings, enabled } = parsed.value;
  return ok({
    name,
    enabled: enabled ?? true,
    settings: {
      url: settings.url,
      headers: settings.headers ?? {},
      sendAliasOnMerge: settings.sendAliasOnMerge ?? false,
      timeoutMs: settings.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(settings.secret === undefined ? {} : { secret: settings.secret }),
    },
  });
}

/**
 * `PATCH …/destinations/{id}`: any of `name`, `settings` (fields given replace the current ones;
 * `headers` replaces the whole map; `secret: null` removes signing), `enabled`.
 */
export function parseDestinationPatch(body: unknown): BodyResult<DestinationPatch & { readonly removeSecret: boolean }> {
  const parsed = parseBody(patchDestinationSchema, body);
  if (!parsed.ok) return parsed;
  const { name, settings: given, enabled } = parsed.value;
  let settings: Partial<WebhookSettings> | undefined;
  if (given !== undefined) {
    const { secret, url, headers, sendAliasOnMerge, timeoutMs } = given;
    settings = {
      ...(url === undefined ? {} : { url }),
      ...(headers === undefined ? {} : { headers }),
      ...(sendAliasOnMerge === undefined ? {} : { sendAliasOnMerge }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(typeof secret === 'string' ? { secret } : {}),
    };
  }
  return ok({ ...(name === undefined ? {} : { name }), ...(settings === undefined ? {} : { settings }), ...(enabled === undefined ? {} : { enabled }), removeSecret: given?.secret === null });
}

/** `PUT …/{audiences|computed-traits}/{id}/destinations/{destinationId}`: `{"format": "identify"|"track"}`. */
export function parseConnectBody(body: unknown): BodyResult<SyncFormat> {
  const parsed = parseBody(connectSchema, body);
  return parsed.ok ? ok(parsed.value.format) : parsed;
}
