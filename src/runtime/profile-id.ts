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
 * Random bytes drawn a pool at a time: one `randomBytes` call per id (a synchronous call into
 * the OS's generator) measured ~40 µs of the main thread's time per new profile.
 */
const RANDOM_POOL_SIZE = 14 * 1024;
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

function randomBase62(length: number): string {
  if (randomOffset + length > randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_SIZE);
    randomOffset = 0;
  }
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[randomPool[randomOffset + i]! % 62];
  randomOffset += length;
  return out;
}

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
  return asProfileId(`use_${base62(now, 9)}${base62(idSequence % 62 ** 4, 4)}${randomBase62(14)}`);
}
