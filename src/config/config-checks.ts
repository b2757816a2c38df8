import { err, ok, type Result } from '../shared/result.ts';
import type { ConfigError } from './config-error.ts';

/**
 * Small readers shared by the validators. Each returns a Result whose error message starts with
 * the value's dotted path, so every failure names the key to fix.
 */
export type Check<T> = Result<T, ConfigError>;
export type RawObject = Readonly<Record<string, unknown>>;

export function keyPath(parent: string, key: string): string {
  return `${parent}.${key}`;
}

export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

export function fail(key: string, message: string): { readonly ok: false; readonly error: ConfigError } {
  return err({ key, message: `${key} ${message}` });
}

/**
 * Describes a bad value without echoing strings: a misplaced token or write key must not end up in
 * a start-up log. Enumerations quote the value themselves (`readEnum`), since those are not secret.
 */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

export function invalid(key: string, expectation: string, value: unknown): { readonly ok: false; readonly error: ConfigError } {
  return fail(key, `must be ${expectation}, got ${describe(value)}`);
}

export function readObject(value: unknown, key: string): Check<RawObject> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid(key, 'an object', value);
  return ok(value as RawObject);
}

/** Unknown keys stop start-up: a typo (`writekeys`) must not silently fall back to a default. */
export function rejectUnknownKeys(obj: RawObject, known: readonly string[], key: string): Check<RawObject> {
  for (const name of Object.keys(obj)) {
    if (!known.includes(name)) {
      return fail(keyPath(key, name), `is not a known key (known keys at ${key}: ${known.join(', ')})`);
    }
  }
  return ok(obj);
}

export function readNonEmptyString(value: unknown, key: string): Check<string> {
  if (typeof value !== 'string' || value === '') return invalid(key, 'a non-empty string', value);
  return ok(value);
}

export function readInteger(value: unknown, key: string, min: number, max: number): Check<number> {
  if (!isIntegerIn(value, min, max)) return invalid(key, `an integer from ${min} to ${max}`, value);
  return ok(value);
}

export function readPositiveInteger(value: unknown, key: string): Check<number> {
  if (!isIntegerIn(value, 1, Number.MAX_SAFE_INTEGER)) return invalid(key, 'a positive integer', value);
  return ok(value);
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

export function readBoolean(value: unknown, key: string): Check<boolean> {
  if (typeof value !== 'boolean') return invalid(key, 'true or false', value);
  return ok(value);
}

export function readEnum<T extends string>(value: unknown, key: string, allowed: readonly T[]): Check<T> {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return ok(value as T);
  const got = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : describe(value);
  return fail(key, `must be one of ${allowed.join(', ')}, got ${got}`);
}

export function readArray(value: unknown, key: string): Check<readonly unknown[]> {
  if (!Array.isArray(value)) return invalid(key, 'an array', value);
  return ok(value);
}

export function readStringList(value: unknown, key: string): Check<readonly string[]> {
  const list = readArray(value, key);
  if (!list.ok) return list;
  const out: string[] = [];
  for (const [i, item] of list.value.entries()) {
    const s = readNonEmptyString(item, indexPath(key, i));
    if (!s.ok) return s;
    out.push(s.value);
  }
  return ok(out);
}
