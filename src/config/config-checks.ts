import { err, type Result } from '../shared/result.ts';
import type { ConfigError } from './config-error.ts';

/**
 * What the config checks share: a result whose error message starts with the value's dotted
 * path, so every failure names the key to fix.
 */
export type Check<T> = Result<T, ConfigError>;

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
 * a start-up log. Enumerations quote the value themselves (`config-zod.ts`), since those are not secret.
 */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
