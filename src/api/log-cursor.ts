import type { Key } from 'lmdb';
import { MAX_MESSAGE_ID_CHARS } from '../ingest/limits.ts';
import { MAX_PROFILE_ID_UNITS } from '../shared/key-bounds.ts';
import { exceedsChars } from '../shared/text-size.ts';
import { isWellFormed } from '../shared/well-formed.ts';

/** A key of a per-space newest-first log: `[spaceId, at, …]`. */
export type LogKey = [string, number, ...Key[]];

/**
 * What follows the space id in a log's keys, part by part. A cursor is decoded against it, so
 * only a key this API could have issued reaches LMDB: a forged one of the right shape with a
 * 5,000-character string would otherwise be a key LMDB refuses (a 500).
 */
export type LogKeyPart = 'number' | 'message_id' | 'profile_id';

/** `next` cursors of the insights and merge logs: base64url JSON of the key without its space. */
export function encodeLogCursor(key: LogKey): string {
  return Buffer.from(JSON.stringify(key.slice(1)), 'utf8').toString('base64url');
}

/** The key to resume from, or null when the cursor is not one this API issued. */
export function decodeLogCursor(cursor: string, spaceId: string, shape: readonly [LogKeyPart, ...LogKeyPart[]]): LogKey | null {
  let rest: unknown;
  try {
    rest = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(rest) || rest.length !== shape.length) return null;
  if (!shape.every((part, i) => fitsPart(rest[i], part))) return null;
  return [spaceId, ...(rest as [number, ...Array<string | number>])];
}

function fitsPart(value: unknown, part: LogKeyPart): boolean {
  switch (part) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'message_id':
      // JSON escapes can spell an unpaired surrogate, which LMDB's key encoding would alter.
      return typeof value === 'string' && isWellFormed(value) && !exceedsChars(value, MAX_MESSAGE_ID_CHARS);
    case 'profile_id':
      return typeof value === 'string' && isWellFormed(value) && value.length <= MAX_PROFILE_ID_UNITS;
  }
}
