import type { DestinationInput, DestinationPatch } from '../../runtime/destination-registry.ts';
import type { ErrorData } from '../../shared/errors.ts';
import { isJsonObject, type Json, type JsonObject } from '../../shared/json.ts';
import { err, ok, type Result } from '../../shared/result.ts';
import type { SyncFormat, WebhookSettings } from '../../sync/destination-record.ts';
import { isValidSigningSecret } from '../../sync/webhook-signature.ts';

export const MAX_DESTINATION_NAME_LENGTH = 200;
export const MAX_URL_LENGTH = 2_048;
export const MAX_HEADERS = 50;
export const MAX_HEADER_VALUE_LENGTH = 4_096;
export const DEFAULT_TIMEOUT_MS = 10_000;
export const MIN_TIMEOUT_MS = 100;
export const MAX_TIMEOUT_MS = 60_000;

type BodyResult<T> = Result<T, ErrorData>;

const CREATE_FIELDS = new Set(['name', 'type', 'settings', 'enabled']);
const PATCH_FIELDS = new Set(['name', 'settings', 'enabled']);
const SETTINGS_FIELDS = new Set(['url', 'headers', 'sendAliasOnMerge', 'secret', 'timeoutMs']);
/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers the engine sets itself: framing, the JSON body, and the signature. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature']);

/**
 * `POST /v1/spaces/{space}/destinations`: `{name, type: "webhook", settings: {url, headers?,
 * sendAliasOnMerge?, secret?, timeoutMs?}, enabled?}`, checked strictly; every refusal is a 400
 * `invalid_body` naming the field.
 */
export function parseDestinationCreate(body: unknown): BodyResult<DestinationInput> {
  if (!isJsonObject(body)) return invalid('The body must be a JSON object such as {"name": "…", "type": "webhook", "settings": {"url": "https://…"}}.');
  const unknown = unknownField(body, CREATE_FIELDS, '');
  if (unknown !== undefined) return unknown;
  const name = readName(body['name']);
  if (!name.ok) return name;
  const type = body['type'];
  if (type !== undefined && type !== 'webhook') return invalid(`\`type\` must be "webhook" (the only destination type), got ${describe(type)}.`);
  if (body['settings'] === undefined) return invalid('`settings` is required: {"url": "https://…"}.');
  const settings = readSettings(body['settings'], false);
  if (!settings.ok) return settings;
  const { url } = settings.value;
  if (url === undefined) return invalid('`settings.url` is required: the http(s) URL messages are POSTed to.');
  const enabled = body['enabled'] ?? true;
  if (typeof enabled !== 'boolean') return invalid(`\`enabled\` must be true or false, got ${describe(enabled)}.`);
  const secret = settings.value.secret;
  return ok({
    name: name.value,
    enabled,
    settings: {
      url,
      headers: settings.value.headers ?? {},
      sendAliasOnMerge: settings.value.sendAliasOnMerge ?? false,
      timeoutMs: settings.value.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(typeof secret === 'string' ? { secret } : {}),
    },
  });
}

/**
 * `PATCH …/destinations/{id}`: any of `name`, `settings` (fields given replace the current ones;
 * `headers` replaces the whole map; `secret: null` removes signing), `enabled`.
 */
export function parseDestinationPatch(body: unknown): BodyResult<DestinationPatch & { readonly removeSecret: boolean }> {
  if (!isJsonObject(body)) return invalid('The body must be a JSON object with any of `name`, `settings`, `enabled`.');
  const unknown = unknownField(body, PATCH_FIELDS, '');
  if (unknown !== undefined) return unknown;
  let name: string | undefined;
  if (body['name'] !== undefined) {
    const read = readName(body['name']);
    if (!read.ok) return read;
    name = read.value;
  }
  const enabled = body['enabled'];
  if (enabled !== undefined && typeof enabled !== 'boolean') return invalid(`\`enabled\` must be true or false, got ${describe(enabled)}.`);
  let settings: Partial<WebhookSettings> | undefined;
  let removeSecret = false;
  if (body['settings'] !== undefined) {
    const read = readSettings(body['settings'], true);
    if (!read.ok) return read;
    const { secret, ...rest } = read.value;
    removeSecret = secret === null;
    settings = { ...rest, ...(typeof secret === 'string' ? { secret } : {}) };
  }
  return ok({ ...(name === undefined ? {} : { name }), ...(settings === undefined ? {} : { settings }), ...(enabled === undefined ? {} : { enabled }), removeSecret });
}

/** `PUT …/{audiences|computed-traits}/{id}/destinations/{destinationId}`: `{"format": "identify"|"track"}`. */
export function parseConnectBody(body: unknown): BodyResult<SyncFormat> {
  if (!isJsonObject(body)) return invalid('The body must be a JSON object: {"format": "identify"} or {"format": "track"}.');
  const unknown = unknownField(body, new Set(['format']), '');
  if (unknown !== undefined) return unknown;
  const format = body['format'];
  if (format !== 'identify' && format !== 'track') return invalid(`\`format\` must be "identify" or "track", got ${describe(format)}.`);
  return ok(format);
}

type SettingsRead = Partial<Omit<WebhookSettings, 'secret'>> & { readonly secret?: string | null };

function readSettings(value: Json, partial: boolean): BodyResult<SettingsRead> {
  if (!isJsonObject(value)) return invalid(`\`settings\` must be an object such as {"url": "https://…"}, got ${describe(value)}.`);
  const unknown = unknownField(value, SETTINGS_FIELDS, 'settings.');
  if (unknown !== undefined) return unknown;
  const read: { -readonly [K in keyof SettingsRead]: SettingsRead[K] } = {};
  const url = value['url'];
  if (url !== undefined) {
    const checked = readUrl(url);
    if (!checked.ok) return checked;
    read.url = checked.value;
  } else if (partial && Object.hasOwn(value, 'url')) {
    return invalid('`settings.url` must be an http(s) URL.');
  }
  if (value['headers'] !== undefined) {
    const headers = readHeaders(value['headers']);
    if (!headers.ok) return headers;
    read.headers = headers.value;
  }
  const alias = value['sendAliasOnMerge'];
  if (alias !== undefined) {
    if (typeof alias !== 'boolean') return invalid(`\`settings.sendAliasOnMerge\` must be true or false, got ${describe(alias)}.`);
    read.sendAliasOnMerge = alias;
  }
  const secret = value['secret'];
  if (secret !== undefined) {
    if (secret === null && partial) read.secret = null;
    else if (typeof secret !== 'string' || !isValidSigningSecret(secret)) {
      return invalid('`settings.secret` must be a Standard Webhooks signing secret: "whsec_" followed by 24 to 64 bytes in base64.');
    } else read.secret = secret;
  }
  const timeout = value['timeoutMs'];
  if (timeout !== undefined) {
    if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < MIN_TIMEOUT_MS || timeout > MAX_TIMEOUT_MS) {
      return invalid(`\`settings.timeoutMs\` must be a whole number of milliseconds from ${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS}, got ${describe(timeout)}.`);
    }
    read.timeoutMs = timeout;
  }
  return ok(read);
}

function readUrl(value: Json): BodyResult<string> {
  if (typeof value !== 'string') return invalid(`\`settings.url\` must be a string, got ${describe(value)}.`);
  if (value.length > MAX_URL_LENGTH) return invalid(`\`settings.url\` is longer than ${MAX_URL_LENGTH} characters.`);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return invalid(`\`settings.url\` is not a URL: ${JSON.stringify(value.slice(0, 100))}.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return invalid(`\`settings.url\` must use http or https, got ${JSON.stringify(parsed.protocol)}.`);
  if (parsed.username !== '' || parsed.password !== '') return invalid('`settings.url` must not carry credentials; put them in `settings.headers` (never shown in full).');
  return ok(parsed.toString());
}

function readHeaders(value: Json): BodyResult<Record<string, string>> {
  if (!isJsonObject(value)) return invalid(`\`settings.headers\` must be an object of header names to string values, got ${describe(value)}.`);
  const entries = Object.entries(value);
  if (entries.length > MAX_HEADERS) return invalid(`\`settings.headers\` has more than ${MAX_HEADERS} headers.`);
  const headers: Record<string, string> = {};
  for (const [name, headerValue] of entries) {
    if (!HEADER_NAME.test(name)) return invalid(`\`settings.headers\` has an invalid header name ${JSON.stringify(name.slice(0, 100))}.`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) return invalid(`\`settings.headers.${name}\` is set by the engine and cannot be configured.`);
    if (typeof headerValue !== 'string') return invalid(`\`settings.headers.${name}\` must be a string.`);
    if (headerValue.length > MAX_HEADER_VALUE_LENGTH || /[\r\n\0]/.test(headerValue)) {
      return invalid(`\`settings.headers.${name}\` must be at most ${MAX_HEADER_VALUE_LENGTH} characters, without line breaks or NUL.`);
    }
    headers[name] = headerValue;
  }
  return ok(headers);
}

function readName(value: Json | undefined): BodyResult<string> {
  if (typeof value !== 'string' || value.trim() === '') return invalid('`name` is required: a non-empty string.');
  if ([...value].length > MAX_DESTINATION_NAME_LENGTH) return invalid(`\`name\` is longer than ${MAX_DESTINATION_NAME_LENGTH} characters.`);
  return ok(value);
}

function unknownField(body: JsonObject, allowed: ReadonlySet<string>, prefix: string): BodyResult<never> | undefined {
  for (const key of Object.keys(body)) {
    if (!allowed.has(key)) return invalid(`Unknown field \`${prefix}${key.slice(0, 100)}\`; expected ${[...allowed].map((f) => `\`${prefix}${f}\``).join(', ')}.`);
  }
  return undefined;
}

function describe(value: Json | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value).slice(0, 60)}`;
}

function invalid(message: string): BodyResult<never> {
  return err({ code: 'invalid_body', message });
}
