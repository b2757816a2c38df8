import { randomBytes } from 'node:crypto';
import { asProfileId, type ProfileId } from '../shared/ids.ts';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(value: number, width: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < width; i++) {
    out = BASE62[rest % 62]! + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

let lastIdMs = 0;
let idSequence = 0;

/**
 * Segment-like profile ids (`use_` + 27 base62 characters) that sort in creation order: 9
 * characters of wall-clock milliseconds, 4 of a sequence within the millisecond, 14 random. The
 * resolver breaks a `createdAt` tie by id, so "the profile created first" wins a merge even when
 * two profiles share a millisecond of the (possibly manual) engine clock.
 */
export function newProfileId(): ProfileId {
  const now = Math.max(Date.now(), lastIdMs);
  if (now === lastIdMs) idSequence++;
  else idSequence = 0;
  lastIdMs = now;
  let random = '';
  for (const byte of randomBytes(14)) random += BASE62[byte % 62];
  return asProfileId(`use_${base62(now, 9)}${base62(idSequence % 62 ** 4, 4)}${random}`);
}
