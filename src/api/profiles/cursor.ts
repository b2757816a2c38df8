import { MAX_MESSAGE_ID_CHARS } from '../../ingest/limits.ts';
import type { EventPosition } from '../../runtime/profile-reader.ts';
import { exceedsChars } from '../../shared/text-size.ts';

/**
 * Opaque `next` cursors. Clients must treat them as opaque strings (Segment does); they are
 * base64url so they survive a query string unescaped. Decoding returns undefined for anything
 * this engine did not hand out, which the routes answer with 400 naming `next`.
 */
export function encodeOffsetCursor(offset: number): string {
  return Buffer.from(String(offset), 'utf8').toString('base64url');
}

export function decodeOffsetCursor(cursor: string): number | undefined {
  const text = decode(cursor);
  if (text === undefined || !/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}

/** `timestamp::messageId`, the layout Segment's own events cursor is observed to use. */
export function encodeEventCursor(position: EventPosition): string {
  return Buffer.from(`${position.timestamp}::${position.messageId}`, 'utf8').toString('base64url');
}

export function decodeEventCursor(cursor: string): EventPosition | undefined {
  const text = decode(cursor);
  // The timestamp is digits, so the FIRST `::` ends it; a messageId may itself contain `::`.
  const match = text === undefined ? null : /^(-?\d{1,16})::(.*)$/s.exec(text);
  if (match === null) return undefined;
  const timestamp = Number(match[1]);
  const messageId = match[2]!;
  // The position becomes an LMDB key: a messageId longer than ingestion accepts was never issued,
  // and a forged one of thousands of bytes would be a key LMDB refuses (a 500). The text is
  // well-formed: `decode` round-trips it through UTF-8.
  if (!Number.isSafeInteger(timestamp) || exceedsChars(messageId, MAX_MESSAGE_ID_CHARS)) return undefined;
  return { timestamp, messageId };
}

function decode(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  // Round-trip check: rejects non-canonical input and bytes that are not UTF-8.
  return Buffer.from(text, 'utf8').toString('base64url') === cursor ? text : undefined;
}
